"""The exercises: generated from the solutions, free of solution code, and each one
stops at the student's part."""

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from build_tools.exercises import BEGIN, CHECKED, END, STUB, write_exercises

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))
EXERCISES = sorted((ROOT / "exercises").glob("*.py"))


def cells(path):
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def test_there_are_exercises_for_chapters_1_to_6():
    chapters = {p.name[:2] for p in SOLUTIONS}
    assert {"01", "02", "03", "04", "05", "06"} <= chapters
    assert [p.name for p in EXERCISES] == [p.name for p in SOLUTIONS]


def test_regenerating_the_exercises_changes_nothing(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    for source in SOLUTIONS:
        (solutions / source.name).write_text(source.read_text())
    write_exercises(solutions, exercises)
    for fresh in sorted(exercises.iterdir()) + sorted(solutions.glob("*.ipynb")):
        committed = ROOT / fresh.parent.name / fresh.name
        assert committed.exists(), f"{committed.name} is missing: run `make exercises`"
        assert cells(committed) == cells(fresh), f"{committed} is stale: run `make exercises`"


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
        resources={"metadata": {"path": str(exercise.parent)}},
    )
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    assert stopped.value.ename == "NotImplementedError", str(stopped.value)[-500:]
    failed = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.outputs)
    )
    assert failed >= first_stub, "a cell before the first exercise failed"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_checked_cells_carry_the_output_nbval_compares(solution):
    notebook = nbformat.read(solution.with_suffix(".ipynb"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(CHECKED):
            assert cell.outputs and cell.execution_count, f"run `make exercises`: {cell.source}"
        else:
            assert not cell.outputs, "only the checked cells keep their outputs"
