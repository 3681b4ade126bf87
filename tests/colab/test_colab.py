"""Chapters run as Colab runs them: a fresh machine, the notebook's own install, Drive.

A virtual environment of its own (``tests/colab/machine.py``, made once in
``_build/colab-venv``) holds only what Colab preinstalls that the course touches --
TensorFlow (the lowest that pyproject.toml allows) with Keras 3, NumPy, pandas, OpenCV,
Matplotlib, seaborn, scikit-learn, tqdm, IPython -- and a stand-in ``google.colab``
module that every kernel imports at start, as Colab's do; ``galaxylib`` is uninstalled
from it before each chapter. Each chapter's committed
``.ipynb`` then runs top to bottom with nbclient in its own folder outside the
repository: its first cell installs ``galaxylib`` from ``git+file://`` this clone
(``GALAXYLIB_REPOSITORY``), and a cell after it calls ``use_drive()``, which restores the
repository's data root -- saved as the archives Drive keeps -- so that no network is
written out or trained again and no crop is made again. Afterwards every distribution
the kernel imported must be one that ``galaxylib`` (with its ``tf`` extra) or the kernel
itself depends on.

Run by ``make colab-test``, which may run beside ``make book``: what the chapters need
from the data root (the sky, the stored networks, their crops) is made first, or waited
for while another process makes it. It prints the time of each chapter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from galaxylib.config import data_root
from galaxylib.course import course_model, networks
from galaxylib.course.store import save_data
from tests.colab.machine import VENV, make_venv

ROOT = Path(__file__).resolve().parents[2]
# Chapter 7 is short; the cell appended to it (NETWORKS) loads the stored networks there
# and asks each for answers, which chapters 4 to 6 and 8 do at length.
CHAPTERS = ["00_setup", "02_benchmarks", "07_further"]
CHAPTER_TIMEOUT_S = 600

STANDIN = '''"""A stand-in for Colab's own google.colab, which only Colab has."""
'''
DRIVE = '''"""google.colab.drive: the Drive here is a folder that already exists."""
from pathlib import Path


def mount(mountpoint):
    if not Path(mountpoint).is_dir():
        raise ValueError(f"Mountpoint {mountpoint} has no Drive behind it")
    print(f"Mounted at {mountpoint}")
'''
RUNNER = f"""import sys, nbformat
from nbclient import NotebookClient
sys.path.insert(0, {str(ROOT)!r})  # the harness, not the chapter, uses the repository
from build_tools.kernel import FileKernelManager
notebook = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(notebook, timeout=int(sys.argv[3]), kernel_name="python3",
                        kernel_manager_class=FileKernelManager,
                        resources={{"metadata": {{"path": sys.argv[2]}}}})
try:
    client.execute()
finally:
    nbformat.write(notebook, sys.argv[1])
"""
IMPORTED = """import importlib.metadata as _md, json as _json, sys as _sys
_tops = _md.packages_distributions()
_used = {d for m in list(_sys.modules) for d in _tops.get(m.partition(".")[0], [])}
print(_json.dumps(sorted(_used)))
"""
WHENCE = """from importlib.metadata import distribution
print(distribution("galaxylib").read_text("direct_url.json"))
"""
NEW_CROPS = """from galaxylib.course import course_data
from galaxylib.preprocess import preprocess_catalog

preprocess_catalog(course_data(), size=16, progress=False)
"""
NETWORKS = """import numpy as np
from galaxylib.course import course_model
from galaxylib.evaluation import load_model

for name in ("report", "improved"):
    model = load_model(course_model(name))
    crops = np.zeros((2, *model.preprocessing.input_shape), dtype="uint8")
    print(name, model.net.predict(crops, verbose=0).shape)
"""
CLOSURE = """import json, sys
from importlib.metadata import PackageNotFoundError, requires, version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
todo, seen = [(r.name, tuple(r.extras) or ("",)) for r in map(Requirement, sys.argv[1:])], set()
while todo:
    name, extras = todo.pop()
    key = canonicalize_name(name)
    if key in seen:
        continue
    try:
        version(name)
    except PackageNotFoundError:
        continue
    seen.add(key)
    for line in requires(name) or []:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras):
            todo.append((req.name, tuple(req.extras) or ("",)))
print(json.dumps(sorted(seen)))
"""


@pytest.fixture(scope="session")
def colab(tmp_path_factory):
    """The Colab-like machine: a venv, the stand-in module, and a Drive holding the data."""
    base = tmp_path_factory.mktemp("colab")
    assert not base.resolve().is_relative_to(ROOT)
    data = data_root().resolve()
    if not networks.applies():
        pytest.fail(
            "The Colab test runs the book's stored networks, which apply to the small "
            "profile's sky only: unset GALAXYLIB_PROFILE and GALAXYLIB_DATASET."
        )
    # What the chapters find on Drive, as `make book` leaves it: the sky, the stored
    # networks and their crops -- made here if missing, or waited for while another
    # process (`make book`, say, beside this test) makes them.
    for name in networks.NAMES:
        course_model(name)
    drive = base / "drive"
    save_data(data, drive / "MyDrive" / "galaxy-cnn-course")

    venv = VENV
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    env.update(
        PATH=f"{venv / 'bin'}:/usr/bin:/bin",
        PYTHONPATH=str(base / "standin"),
        IPYTHONDIR=str(base / "ipython"),
        GALAXYLIB_REPOSITORY=f"file://{ROOT}",
        GALAXYLIB_PROFILE="small",  # what Colab picks without a GPU, named in case of one
        TF_CPP_MIN_LOG_LEVEL="2",
        TQDM_DISABLE="1",
        # pip clones this repository with git, which may belong to another user (a CI
        # container's checkout): trust it, as Colab trusts its own disk.
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="safe.directory",
        GIT_CONFIG_VALUE_0="*",
    )
    python = make_venv(venv, env)  # made once; `make colab-venv` makes it ahead
    # galaxylib goes into each chapter's own environment, never into this one
    uninstall = [python, "-m", "pip", "uninstall", "--quiet", "--yes", "galaxylib"]
    subprocess.run(uninstall, check=True, env=env, capture_output=True)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()

    standin = base / "standin" / "google" / "colab"  # google/ stays a namespace package
    standin.mkdir(parents=True)
    (standin / "__init__.py").write_text(STANDIN)
    (standin / "drive.py").write_text(DRIVE)
    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # as Colab's kernels do\n")
    (base / "run.py").write_text(RUNNER)

    return {"base": base, "python": python, "site": site, "env": env, "drive": drive}


def chapter_machine(colab: dict, name: str) -> dict:
    """A fresh 'machine' for one chapter: an empty folder and a Python without galaxylib.

    Its Python is a virtual environment of its own that sees the Colab-like one's
    packages (a ``.pth`` file), so that what the chapter installs stays in it and the
    chapters can run at the same time.
    """
    work = colab["base"] / f"content-{name}"
    work.mkdir()
    venv = colab["base"] / f"python-{name}"
    subprocess.run(
        [colab["python"], "-m", "venv", "--without-pip", venv], check=True, env=colab["env"]
    )
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "colab-preinstalled.pth").write_text(f"{colab['site']}\n")
    env = {**colab["env"], "PATH": f"{venv / 'bin'}:{colab['env']['PATH']}"}
    return {"work": work, "python": venv / "bin" / "python", "env": env}


def start_chapter(colab: dict, name: str) -> dict:
    """Start one chapter on its own machine; :func:`finish_chapter` waits for it."""
    machine = chapter_machine(colab, name)
    notebook = nbformat.read(ROOT / "chapters" / f"{name}.ipynb", as_version=4)
    first = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    assert "GALAXYLIB_REPOSITORY" in notebook.cells[first].source
    mount = f"use_drive(mountpoint={str(colab['drive'])!r})"
    drive = nbformat.v4.new_code_cell(f"from galaxylib.course import use_drive\n\n{mount}")
    notebook.cells.insert(first + 1, drive)
    if name == CHAPTERS[0]:  # a session that makes something keeps it on Drive
        notebook.cells.append(nbformat.v4.new_code_cell(NEW_CROPS))
    if name == CHAPTERS[-1]:
        notebook.cells.append(nbformat.v4.new_code_cell(NETWORKS))
    notebook.cells.append(nbformat.v4.new_code_cell(IMPORTED))
    path = machine["work"] / f"{name}.ipynb"
    nbformat.write(notebook, path)
    runner = [colab["base"] / "run.py", path, machine["work"], str(CHAPTER_TIMEOUT_S)]
    process = subprocess.Popen(
        [machine["python"], *runner],
        cwd=machine["work"],
        env=machine["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    return {**machine, "name": name, "notebook": path, "process": process, "start": started}


def finish_chapter(run: dict) -> nbformat.NotebookNode:
    """Wait for a chapter :func:`start_chapter` started; its executed notebook."""
    _, stderr = run["process"].communicate()
    print(f"colab {run['name']}: {time.monotonic() - run['start']:.0f} s (chapters run at once)")
    assert run["process"].returncode == 0, (
        f"{run['name']} failed on the Colab-like machine:\n{stderr[-3000:]}"
    )
    return nbformat.read(run["notebook"], as_version=4)


@pytest.fixture(scope="session")
def runs(colab):
    """Every chapter, started at once, each on a machine of its own."""
    started = {name: start_chapter(colab, name) for name in CHAPTERS}
    yield started
    for run in started.values():  # a test that failed early leaves no process behind
        if run["process"].poll() is None:
            run["process"].kill()
            run["process"].communicate()


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_chapter_runs_as_on_colab(colab, runs, name):
    run = runs[name]
    notebook = finish_chapter(run)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    setup, drive = text_of(code[0]), text_of(code[1])
    print("  " + setup.replace("\n", "\n  ").rstrip())
    assert "Running on Colab" in setup and "Warning" not in setup, setup
    assert "; data in data " in setup, setup  # the notebook's own folder, as on Colab
    assert "sky-small" in drive and "models/stored" in drive, drive  # restored, not remade
    assert not any("Epoch 1/" in text_of(c) for c in code), f"{name} trained a network anew"
    assert not any("Error in callback" in text_of(c) for c in code), "saving to Drive failed"
    for meta in (data_root() / "sky-small" / "cache").glob("*/meta.json"):  # used, not remade
        mine = run["work"] / "data" / meta.relative_to(data_root())
        remade = mine.exists() and mine.read_text() != meta.read_text()
        assert not remade, f"{name} made the crops {mine.parent.name} again"
    if name == CHAPTERS[-1]:  # the stored networks, restored from Drive, answer
        said = "".join(o.get("text", "") for o in code[-2].outputs if o.get("name") == "stdout")
        assert said == "report (2, 37)\nimproved (2, 37)\n", text_of(code[-2])
    if name == CHAPTERS[0]:
        saved = colab["drive"] / "MyDrive/galaxy-cnn-course/sky-small/cache/improved-16-gray.tar"
        assert saved.exists(), "the crops a cell made were not saved to Drive after it"
    origin = subprocess.run(
        [run["python"], "-c", WHENCE],
        check=True,
        capture_output=True,
        text=True,
        env=run["env"],
        cwd=colab["base"],  # not the repository, whose galaxylib.egg-info python -c would see
    )
    assert json.loads(origin.stdout)["url"] == f"file://{ROOT}", origin.stdout  # the first cell's
    imported = json.loads(text_of(code[-1]))
    closure = subprocess.run(
        [run["python"], "-c", CLOSURE, "galaxylib[tf]", "ipykernel"],
        check=True,
        capture_output=True,
        text=True,
        env=run["env"],
        cwd=colab["base"],
    )
    # What galaxylib[tf] brings, what the kernel runs on, and any environment's own tools
    # (setuptools' start-up hook is imported by every interpreter of the venv).
    allowed = set(json.loads(closure.stdout)) | {"pip", "setuptools"}
    assert {"galaxylib", "tensorflow", "keras", "ipykernel"} <= allowed
    undeclared = sorted(d for d in imported if re.sub(r"[-_.]+", "-", d).lower() not in allowed)
    assert not undeclared, (
        f"{name} imports {', '.join(undeclared)}, which pyproject.toml does not install: "
        "add it to the dependencies."
    )
