"""One numbering of the exercises: their labels, on the site, in the notebooks, in checks."""

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from build_tools.exercises import exercise_number, notebook_form
from galaxylib.course import checks

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))
LABEL = re.compile(r"^:label: (ex-\S+)$", re.MULTILINE)


def labels(path):
    return [m for c in jupytext.read(path).cells for m in LABEL.findall(c.source)]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_each_set_numbers_its_exercises_by_its_chapter_in_order(solution):
    chapter = int(solution.name[:2])
    found = labels(solution)
    assert found == [f"ex-{chapter}-{n}" for n in range(1, len(found) + 1)]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_each_check_carries_the_number_of_the_exercise_it_closes(solution):
    current = None
    for cell in jupytext.read(solution).cells:
        current = ([exercise_number(x) for x in LABEL.findall(cell.source)] or [current])[-1]
        for name in re.findall(r"checks\.(check_\w+)\(", cell.source):
            assert getattr(checks, name).exercise == current, f"{name} in {solution.name}"


def test_notebooks_show_the_number_as_a_markdown_heading():
    notebook = notebook_form(jupytext.read(ROOT / "solutions" / "02_benchmarks.py"))
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## Exercise 2.3 — A split you can reproduce" in text
    assert "{exercise}" not in text and ":label:" not in text and "{doc}" not in text


def test_the_site_numbers_exercises_by_their_labels(tmp_path):
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_exercise', 'exercise_numbers']\n"
    )
    (tmp_path / "index.md").write_text("# Book\n\n```{toctree}\nfirst\nsecond\n```\n")
    exercise = "```{{exercise}} {title}\n:label: {label}\n\nDo it.\n```\n\n"
    (tmp_path / "first.md").write_text(
        "# First\n\n"
        + exercise.format(title="Alpha", label="ex-2-1")
        + exercise.format(title="Beta", label="ex-2-2")
    )
    (tmp_path / "second.md").write_text(
        "# Second\n\n" + exercise.format(title="Gamma", label="ex-3-1") + "See {ref}`ex-2-2`.\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-W",
            "-b",
            "html",
            str(tmp_path),
            str(tmp_path / "_out"),
        ],
        check=True,
    )
    first = (tmp_path / "_out" / "first.html").read_text()
    second = (tmp_path / "_out" / "second.html").read_text()
    assert "Exercise 2.1" in first and "Exercise 2.2" in first
    assert "Exercise 3.1" in second
    assert "Exercise 1" not in first + second


def points_by_exercise():
    found = {}
    for solution in SOLUTIONS:
        current = None
        for cell in jupytext.read(solution).cells:
            current = ([exercise_number(x) for x in LABEL.findall(cell.source)] or [current])[-1]
            if "checks.check_" in cell.source or "written" in cell.metadata.get("tags", []):
                found[current] = found.get(current, 0) + cell.metadata["points"]
    return found


def test_the_instructors_page_lists_every_exercise_with_its_points():
    text = (ROOT / "solutions" / "instructors.md").read_text()
    rows = re.findall(r"^\| (\d+\.\d+) \| [^|]+ \| (\d+) \| (\d+) \|", text, re.MULTILINE)
    points = points_by_exercise()
    assert {number: int(p) for number, _, p in rows} == points
    sets = re.findall(r"^\| (\d) \| (\d+) \| (\d+) \| \d+ s \|", text, re.MULTILINE)
    assert len(sets) == len(SOLUTIONS)
    for chapter, minutes, total in sets:
        mine = [row for row in rows if row[0].split(".")[0] == chapter]
        assert int(minutes) == sum(int(m) for _, m, _ in mine), f"set {chapter}'s minutes"
        assert int(total) == sum(int(p) for *_, p in mine), f"set {chapter}'s points"
