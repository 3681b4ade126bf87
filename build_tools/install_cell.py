"""Write every notebook's first cell -- the Colab install and set-up -- from ``_config.yml``.

The repository a notebook installs ``galaxylib`` from is ``repository.url`` in
``_config.yml``: a fork changes that one line and runs ``make exercises``. The cell also
tells :func:`galaxylib.course.setup_notebook` what the chapter makes on first use (the
sky, the crops, the two networks), read from the chapter's own calls, so that the cell
can say how long a session that starts from nothing will take.

Usage::

    python -m build_tools.install_cell chapters/*.py solutions/*.py           # rewrite
    python -m build_tools.install_cell --check chapters/*.py solutions/*.py   # exit 1 on drift
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CELL_MARK = "# %%"

TEMPLATE = """\
# %% tags=["hide-input"]
# Set-up. On Colab, install the course's package, galaxylib, from its repository
# (written from _config.yml by `make exercises`; GALAXYLIB_REPOSITORY overrides it).
import importlib.util
import os
import subprocess
import sys

REPOSITORY = "{url}"
if "google.colab" in sys.modules and importlib.util.find_spec("galaxylib") is None:
    source = "git+" + os.environ.get("GALAXYLIB_REPOSITORY", REPOSITORY)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)

from galaxylib.course import setup_notebook

PROFILE = setup_notebook(makes={makes})
"""

# What a chapter makes on first use, and the call in its source that shows it; then each
# network it trains or is handed (`course_model("NAME")`, `train(..., model="NAME")`), in
# the order the source names them; `course_model(name)` with a variable is every network.
MAKES = {
    "sky": re.compile(r"\bcourse_data\("),
    "crops": re.compile(r"\bpreprocess_catalog\(|\bcourse_model\("),
}
NETWORK = re.compile(r"""\bcourse_model\(\s*["'](\w+)["']|\btrain\([^)]*\bmodel=["'](\w+)["']""")
EVERY_NETWORK = re.compile(r"\bcourse_model\(\s*[A-Za-z_]\w*\s*[,)]")


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The ``repository.url`` of a Jupyter Book configuration."""
    try:
        url = yaml.safe_load(config.read_text())["repository"]["url"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise SystemExit(f"{config}: cannot read repository.url ({error}); set it there.") from None
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "file://")):
        raise SystemExit(f"{config}: repository.url is {url!r}; give the repository's web URL.")
    return url.rstrip("/")


def _cells(text: str) -> list[str]:
    """Split a py:percent source into its header and cells, each with its marker line."""
    return re.split(r"(?m)^(?=# %%)", text)


def _is_code(cell: str) -> bool:
    marker = cell.splitlines()[0] if cell else ""
    return marker.startswith(CELL_MARK) and "[markdown]" not in marker


def makes(text: str) -> tuple[str, ...]:
    """What the notebook source ``text`` makes on first use: :data:`MAKES`, then networks."""
    code = [cell for cell in _cells(text)[1:] if _is_code(cell)]
    body = "".join(code[1:])  # the set-up cell itself makes nothing
    steps = [name for name, call in MAKES.items() if call.search(body)]
    named = [found.group(1) or found.group(2) for found in NETWORK.finditer(body)]
    if EVERY_NETWORK.search(body):
        from galaxylib.course.networks import NAMES

        named += NAMES
    for network in named:
        if network not in steps:
            steps.append(network)
    return tuple(steps)


def install_cell(url: str, text: str) -> str:
    """The first code cell of the notebook source ``text``, for the repository ``url``."""
    return TEMPLATE.format(url=url, makes=json.dumps(list(makes(text)))) + "\n"


def with_install_cell(url: str, text: str) -> str:
    """``text`` with its first code cell replaced by :func:`install_cell`."""
    cells = _cells(text)
    first = next((i for i, cell in enumerate(cells) if i and _is_code(cell)), None)
    if first is None:
        raise SystemExit("a notebook source without a code cell has no set-up cell to write")
    cells[first] = install_cell(url, text)
    return "".join(cells)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path, help="py:percent notebook sources")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on drift")
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    args = parser.parse_args(argv)
    url = repository_url(args.config)
    stale = []
    for source in args.sources:
        text = source.read_text()
        wanted = with_install_cell(url, text)
        if wanted != text:
            stale.append(source)
            if not args.check:
                source.write_text(wanted)
    if args.check and stale:
        names = ", ".join(str(s) for s in stale)
        print(
            f"The first cell of {names} differs from what {args.config} implies; "
            "run `make exercises`."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
