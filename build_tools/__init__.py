"""What builds the course but is not shipped with galaxylib (``python -m build_tools.X``)."""
