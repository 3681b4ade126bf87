"""A Sphinx extension for the course's book: the files of the "Try the network" page.

At the end of an HTML build, :func:`build_tools.try_page.write` exports the stored
networks to ONNX, copies the example galaxies and ONNX Runtime for the web into the
site's ``_static/try/`` folder (see ``chapters/try_the_network.md``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _write(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from build_tools.try_page import write

    write(Path(app.outdir) / "_static")


def setup(app: Any) -> dict:
    """Register the extension with Sphinx."""
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
