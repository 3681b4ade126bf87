"""The Colab-like machine's Python: a virtual environment with what Colab preinstalls.

``.venv/bin/python tests/colab/machine.py`` (``make colab-venv``) makes it in
``_build/colab-venv`` with ``.venv``'s uv (as the Makefile installs ``.venv``) -- CI makes
it while ``make test`` runs. :func:`make_venv` keeps a list of its packages in it
and makes it again only when that list changes; the Colab test
(``tests/colab/test_colab.py``) calls it and takes it as it finds it otherwise. Nothing
else is ever installed in it but what the chapters' own first cells install, and the test
uninstalls ``galaxylib`` before each chapter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "_build" / "colab-venv"
# What Colab preinstalls that the course touches, besides TensorFlow.
PREINSTALLED = [
    "numpy",
    "pandas",
    "opencv-python-headless",
    "matplotlib",
    "seaborn",
    "scikit-learn",
    "tqdm",
    "ipykernel",
    "nbclient",
]
STAMP = "colab-packages.txt"


def lowest_tensorflow() -> str:
    """``tensorflow==X.Y.*`` for the lowest X.Y that pyproject.toml's ``tf`` extra allows."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for line in extra["tf"]:
        found = re.fullmatch(r"tensorflow\s*(.*)", line.strip())
        low = found and re.search(r">=\s*([0-9][0-9.]*)", found.group(1))
        if low:
            return f"tensorflow=={low.group(1)}.*"
    raise AssertionError("pyproject.toml's tf extra names no tensorflow with a lower bound")


def packages() -> list[str]:
    """What the environment holds: the lowest TensorFlow allowed, then Colab's others."""
    return [lowest_tensorflow(), *PREINSTALLED]


def make_venv(venv: Path = VENV, env: dict[str, str] | None = None) -> Path:
    """The environment in ``venv``, made unless it holds :func:`packages` already.

    Returns its Python.
    """
    python = venv / "bin" / "python"
    wanted = "\n".join(packages()) + "\n"
    stamp = venv / STAMP
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    start = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)  # not another venv's Python
    subprocess.run([base, "-m", "venv", venv], check=True, env=env)
    # It keeps the pip that venv put in it: the chapters' first cells install with pip
    uv = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--compile-bytecode"]
    uv += ["--python", str(python)]
    subprocess.run([*uv, *packages()], check=True, env=env)
    stamp.write_text(wanted)  # last: an interrupted install is made again next time
    print(f"colab venv: made in {time.monotonic() - start:.0f} s", flush=True)
    return python


if __name__ == "__main__":
    print(make_venv(Path(sys.argv[1]) if len(sys.argv) > 1 else VENV, dict(os.environ)))
