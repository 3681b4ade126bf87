"""nbgrader, for real: the exported course releases every set and grades it.

Each set's solution notebook, submitted as it is, gets full marks; the released
notebook, submitted untouched, gets none, and each of its checks says why in one line.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from build_tools.nbgrader import write_course

ROOT = Path(__file__).resolve().parents[1]
SETS = [p.stem for p in sorted((ROOT / "solutions").glob("*.py"))]
BIN = Path(sys.executable).parent  # nbgrader runs alembic from the PATH


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    write_course(ROOT / "solutions", folder)
    return folder


def nbgrader(course, *args):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "[ERROR]" not in done.stderr, done.stderr[-3000:]


def test_there_is_a_set_for_each_chapter():
    assert [name[:2] for name in SETS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_autograde_gives_the_solution_full_marks_and_the_release_none(course, name):
    nbgrader(course, "generate_assignment", name, "--force")
    source = course / "source" / name / f"{name}.ipynb"
    release = course / "release" / name / f"{name}.ipynb"
    text = release.read_text()
    for leaked in ("BEGIN SOLUTION", "END SOLUTION", "{solution-start}", "{exercise}"):
        assert leaked not in text
    for student, notebook in (("solved", source), ("untouched", release)):
        (course / "submitted" / student / name).mkdir(parents=True)
        shutil.copy(notebook, course / "submitted" / student / name)
    nbgrader(course, "autograde", name)

    points = sum(
        c.metadata["nbgrader"].get("points", 0) for c in nbformat.read(source, as_version=4).cells
    )
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solved = gradebook.find_submission(name, "solved")
        untouched = gradebook.find_submission(name, "untouched")
        assert (solved.score, solved.max_score) == (points, points)
        assert (untouched.score, untouched.max_score) == (0, points)

    graded = course / "autograded" / "untouched" / name / f"{name}.ipynb"
    for cell in nbformat.read(graded, as_version=4).cells:
        if not cell.metadata["nbgrader"]["grade"]:
            continue
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert not any("galaxylib/checks" in line for line in error.traceback)
        if error.ename == "CheckFailed":  # the check called the student's stub
            assert error.traceback == [error.evalue]
            assert error.evalue.startswith("Exercise ") and "NotImplementedError" in error.evalue
        else:  # a reading exercise whose answer was never set
            assert error.ename == "NameError", error.ename
