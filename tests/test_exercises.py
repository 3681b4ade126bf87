"""The exercises: generated from the solutions, free of solution code, and each one
stops at the student's part."""

import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from build_tools.exercises import BEGIN, END, STUB, write_exercises, write_twin
from build_tools.kernel import FileKernelManager

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))
EXERCISES = sorted((ROOT / "exercises").glob("*.py"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.py"))


def cells(path):
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def test_there_are_exercises_for_chapters_1_to_6():
    chapters = {p.name[:2] for p in SOLUTIONS}
    assert {"01", "02", "03", "04", "05", "06"} <= chapters
    assert [p.name for p in EXERCISES] == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("release", [None, "99.0.0"], ids=["installed", "newer-jupytext"])
def test_regenerating_the_exercises_changes_no_byte(release, tmp_path, monkeypatch):
    if release:  # a jupytext release that writes its own version into the headers it writes
        monkeypatch.setattr(jupytext.header, "__version__", release)
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    for source in SOLUTIONS:  # with their .ipynb, whose stored outputs are kept
        shutil.copy(source, solutions)
        shutil.copy(source.with_suffix(".ipynb"), solutions)
    write_exercises(solutions, exercises)
    for fresh in sorted(exercises.iterdir()) + sorted(solutions.glob("*.ipynb")):
        committed = ROOT / fresh.parent.name / fresh.name
        assert committed.exists(), f"{committed.name} is missing: run `make exercises`"
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{committed} is stale: run `make exercises`"
        )


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.name)
def test_chapter_twins_are_written_byte_for_byte(source, tmp_path):
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    assert write_twin(copy).read_bytes() == source.with_suffix(".ipynb").read_bytes(), (
        f"{source.with_suffix('.ipynb').name} is stale: run `make exercises`"
    )


def solution_lines(path):
    """Every non-trivial line between the solution markers of a solution notebook."""
    lines, inside = set(), False
    for cell in jupytext.read(path).cells:
        tagged = "solution" in cell.metadata.get("tags", [])
        for line in cell.source.splitlines():
            if line.strip() == BEGIN:
                inside = True
            elif line.strip() == END:
                inside = False
            elif (inside or tagged) and len(line.strip()) > 12:
                lines.add(line.strip())
    return lines


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.name)
def test_no_exercise_contains_solution_code_or_markers(exercise):
    text = exercise.read_text() + (exercise.with_suffix(".ipynb")).read_text()
    for marker in (BEGIN, END, "solution-start", "solution-end"):
        assert marker not in text
    outside = set()
    for cell in jupytext.read(exercise).cells:
        outside |= {line.strip() for line in cell.source.splitlines()}
    leaked = solution_lines(ROOT / "solutions" / exercise.name) & outside
    assert not leaked, f"solution code in {exercise.name}: {sorted(leaked)[:3]}"


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.name)
def test_each_exercise_stops_at_the_students_part(exercise):
    notebook = nbformat.read(exercise.with_suffix(".ipynb"), as_version=4)
    first_stub = next(
        i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and STUB[1] in c.source
    )
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        kernel_manager_class=FileKernelManager,
        resources={"metadata": {"path": str(exercise.parent)}},
    )
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    error = stopped.value  # in the student's cell, or in a check that called the stub
    assert error.ename == "NotImplementedError" or (
        error.ename == "CheckFailed" and "raised NotImplementedError" in error.evalue
    ), str(error)[-500:]
    failed = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.outputs)
    )
    assert failed >= first_stub, "a cell before the first exercise failed"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_no_twin_stores_an_output(solution):
    notebook = nbformat.read(solution.with_suffix(".ipynb"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.source


WRONG_ANSWERS = {
    "the mean squared error": (
        "checks.check_rmse(lambda pred, truth: float(np.mean((pred - truth) ** 2)))",
        "Exercise 2.1: You return the mean squared error: take its square root.",
    ),
    "an exception in the student's function": (
        "def make_split(galaxy_ids, seed):\n    return galaxy_ids[10**6]\n\n"
        "checks.check_split(make_split)",
        "Exercise 2.3: Your make_split(an array of shape (1003,), 7) raised IndexError: "
        "index 1000000 is out of bounds for axis 0 with size 1003.",
    ),
    "galaxylib's own solution": (
        "from galaxylib.metrics import rmse\n\ndef my_rmse(pred, truth):\n"
        "    return rmse(pred, truth)\n\nchecks.check_rmse(my_rmse)",
        "Exercise 2.1: Your my_rmse calls galaxylib.metrics.rmse: the point of this exercise "
        "is to write it yourself, with NumPy and pandas.",
    ),
}


@pytest.mark.slow
def test_a_wrong_answer_shows_one_line_in_a_notebook():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import numpy as np\n\nfrom galaxylib.course import checks")
        ]
        + [nbformat.v4.new_code_cell(code) for code, _ in WRONG_ANSWERS.values()]
    )
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        kernel_manager_class=FileKernelManager,
        allow_errors=True,
    ).execute()
    for cell, (what, (_, sentence)) in zip(notebook.cells[1:], WRONG_ANSWERS.items(), strict=True):
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert error.ename == "CheckFailed", what
        assert error.traceback == [sentence], what
