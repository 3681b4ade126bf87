"""nbgrader, for real: the exported course releases every set and grades it.

Each set's solution notebook, submitted as it is, gets every check's points (a written
answer waits for the instructor); a released notebook submitted untouched gets none, each
check saying why in one line; a notebook that silences a visible check loses its points
to the hidden tests.
"""

import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbgrader.api import Gradebook

from build_tools.nbgrader import hidden_tests, nbgrader_source, write_course

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


@pytest.mark.parametrize("name", SETS)
def test_every_check_has_hidden_tests_that_only_nbgrader_sees(name):
    source = ROOT / "solutions" / f"{name}.py"
    notebook = nbgrader_source(
        jupytext.read(source), hidden=hidden_tests(ROOT / "solutions" / "hidden" / source.name)
    )
    checks = [
        c for c in notebook.cells if c.metadata["nbgrader"]["grade"] and c.cell_type == "code"
    ]
    assert checks and all(
        "### BEGIN HIDDEN TESTS\n" in c.source and c.source.endswith("### END HIDDEN TESTS")
        for c in checks
    )
    for shown in (source, source.with_suffix(".ipynb"), ROOT / "exercises" / source.name):
        assert "HIDDEN TESTS" not in shown.read_text() and "hidden test" not in shown.read_text()


def test_hidden_tests_for_an_exercise_without_a_check_are_refused(tmp_path):
    hidden = tmp_path / "02_benchmarks.py"
    hidden.write_text("# %% ex-2-9\nassert True\n")
    solution = jupytext.read(ROOT / "solutions" / "02_benchmarks.py")
    with pytest.raises(ValueError, match="hidden tests for ex-2-9, which has no check cell"):
        nbgrader_source(solution, hidden=hidden_tests(hidden))


TAMPERED = """def rmse(pred, truth):
    return float(np.mean((np.asarray(pred, dtype=float) - truth) ** 2))  # the MSE


checks.check_rmse = lambda function: print("Correct!")  # the visible check, silenced
"""


# A release handed back untouched scores nothing, each check saying why in one line: what
# the exercise wrapper does for every check, shown on the two sets that need no TensorFlow
# (an untouched release still runs every cell it can, which costs as much as a solution).
UNTOUCHED = ("01_eda", "02_benchmarks")
TAMPERED_SET = "02_benchmarks"


def tampered(source: Path) -> nbformat.NotebookNode:
    """The solution of set 2, with 2.1 answered by the MSE and its visible check silenced."""
    notebook = nbformat.read(source, as_version=4)
    (answer,) = [c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "ex-2-1-answer"]
    answer.source = TAMPERED
    return notebook


@pytest.fixture(scope="module")
def graded(course):
    """The course with every set released and autograded, in one run of each command (an
    instructor's ``nbgrader generate_assignment "*"`` and ``nbgrader autograde "*"``): the
    solution of every set, and the two kinds of wrong submission where they are shown."""
    nbgrader(course, "generate_assignment", "*", "--force")
    for name in SETS:
        source = course / "source" / name / f"{name}.ipynb"
        students = {"solved": nbformat.read(source, as_version=4)}
        if name in UNTOUCHED:
            students["untouched"] = nbformat.read(
                course / "release" / name / f"{name}.ipynb", as_version=4
            )
        if name == TAMPERED_SET:
            students["tamperer"] = tampered(source)
        for student, notebook in students.items():
            (course / "submitted" / student / name).mkdir(parents=True)
            nbformat.write(notebook, course / "submitted" / student / name / f"{name}.ipynb")
    nbgrader(course, "autograde", "*")
    return course


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_autograde_gives_the_solution_full_marks_and_the_release_none(graded, name):
    course = graded
    text = (course / "release" / name / f"{name}.ipynb").read_text()
    for leaked in (
        "BEGIN SOLUTION",
        "{solution-start}",
        "{exercise}",
        "HIDDEN TESTS",
        "hidden test",
    ):
        assert leaked not in text
    source = course / "source" / name / f"{name}.ipynb"
    cells = nbformat.read(source, as_version=4).cells
    points = sum(c.metadata["nbgrader"].get("points", 0) for c in cells)
    by_hand = sum(c.metadata["nbgrader"].get("points", 0) for c in cells if c.cell_type != "code")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solved = gradebook.find_submission(name, "solved")
        # a written answer waits for the instructor's grade; every check gives its points
        assert (solved.score, solved.max_score) == (points - by_hand, points)
        assert solved.needs_manual_grade == (by_hand > 0)
        if name in UNTOUCHED:
            untouched = gradebook.find_submission(name, "untouched")
            assert (untouched.score, untouched.max_score) == (0, points)
        if name == TAMPERED_SET:  # passes the visible check of 2.1, fails its hidden tests
            tamperer = gradebook.find_submission(name, "tamperer")
            grades = {g.name: g.score for g in tamperer.notebooks[0].grades}
            assert grades["ex-2-1-check"] == 0  # the 2 points of exercise 2.1
            # (2.5, which scores with the same wrong rmse, loses its points to its check)
            assert grades["ex-2-2-check"] == 3 and tamperer.score <= solved.score - 2
    if name == TAMPERED_SET:
        graded = course / "autograded" / "tamperer" / name / f"{name}.ipynb"
        (check,) = [
            c
            for c in nbformat.read(graded, as_version=4).cells
            if c.metadata["nbgrader"]["grade_id"] == "ex-2-1-check"
        ]
        assert "Correct!" in "".join(o.get("text", "") for o in check.outputs)  # the visible one
        (error,) = [o for o in check.outputs if o.output_type == "error"]
        assert error.ename == "AssertionError" and "hidden test of exercise 2.1" in error.evalue
    if name not in UNTOUCHED:
        return

    graded = course / "autograded" / "untouched" / name / f"{name}.ipynb"
    for cell in nbformat.read(graded, as_version=4).cells:
        if not cell.metadata["nbgrader"]["grade"] or cell.cell_type != "code":
            continue
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert not any("galaxylib/checks" in line for line in error.traceback)
        # one sentence: the check called the student's stub, or read an answer still None
        assert error.ename == "CheckFailed", error.ename
        assert error.traceback == [error.evalue]
        assert error.evalue.startswith("Exercise ") and "NotImplementedError" in error.evalue
