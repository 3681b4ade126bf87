"""The progress bar every long job shows.

Widget bars where ipywidgets can draw them (Colab, JupyterLab), text bars elsewhere --
never tqdm.auto's warning about a missing IProgress in a plain Jupyter kernel, as when
the book is built. ``TQDM_DISABLE=1`` switches them off (``make book`` does).
"""

try:
    import ipywidgets  # noqa: F401
except ImportError:
    from tqdm.std import tqdm
else:
    from tqdm.auto import tqdm

__all__ = ["tqdm"]
