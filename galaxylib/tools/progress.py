"""The progress bar every long job shows.

Widget bars where ipywidgets can draw them (Colab, JupyterLab), text bars elsewhere --
never tqdm.auto's warning about a missing IProgress in a plain Jupyter kernel, as when
the book is built. ``TQDM_DISABLE=1`` in the environment switches every bar off
(``make book`` sets it: a static page has no use for a bar).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

try:
    import ipywidgets  # noqa: F401
except ImportError:
    from tqdm.std import tqdm
else:
    from tqdm.auto import tqdm

__all__ = ["progress_bar"]


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs) -> tqdm:
    """A tqdm bar, unless ``enabled`` is false or ``TQDM_DISABLE`` is set."""
    off = not enabled or os.environ.get("TQDM_DISABLE", "").lower() in {"1", "true", "yes"}
    return tqdm(iterable, disable=off, **kwargs)
