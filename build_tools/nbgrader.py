"""Export the exercises as an nbgrader course directory (``make nbgrader``).

``python -m build_tools.nbgrader _build/nbgrader`` writes ``nbgrader_config.py`` and
``source/<set>/<set>.ipynb`` for each ``solutions/<set>.py``: the solution notebook in
notebook form (:func:`build_tools.exercises.notebook_form`) with nbgrader's cell
metadata, so that ``nbgrader generate_assignment <set>`` and ``nbgrader autograde <set>``
work in that folder as they are:

- a code cell holding ``### BEGIN SOLUTION`` (or tagged ``solution``) is an
  *autograded answer*, ``ex-2-1-answer``;
- a code cell calling ``checks.check_...`` is an *autograder test*, ``ex-2-1-check``,
  worth the points its jupytext header gives (``# %% points=2``);
- a Markdown cell tagged ``written`` is a *manually graded answer*, ``ex-3-5-written``,
  worth the points its header gives: the student defends a decision in words;
- every other cell, the setup, the prompts and the worked examples, is *read-only*.

Each check cell also gets its exercise's *hidden tests*, from ``solutions/hidden/<set>.py``
(a block per exercise, opened by ``# %% ex-2-1``), between nbgrader's
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. They compute their expected
values themselves, with NumPy and pandas: the visible check calls ``galaxylib``, which
is on the student's machine and can be changed there; the hidden tests are not, since
``nbgrader generate_assignment`` removes them from the students' notebooks and
``nbgrader autograde`` puts them back, from its own copy, before it grades. They appear
nowhere else: not on the site, not in ``exercises/``.

Only ``nbgrader_config.py`` and ``source/`` are written; an instructor's gradebook,
releases and submissions in the same folder are left alone.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import jupytext
from nbformat import NotebookNode

from build_tools.exercises import BEGIN, WRITTEN, notebook_form, write_notebook

__all__ = ["CONFIG", "hidden_tests", "nbgrader_source", "write_course"]

CONFIG = '''\
"""nbgrader's configuration for the course "Galaxy morphology with CNNs" (generated)."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "galaxy-cnn-course"
# The stub students see, as the course's own `make exercises` writes it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
# Sets 4 and 5 import TensorFlow and train a tiny network: give a cell time.
c.Execute.timeout = 900
'''
"""The course's ``nbgrader_config.py``."""

_HEADING = re.compile(r"^## Exercise (\d+)\.(\d+)\b", re.MULTILINE)
_BLOCK = re.compile(r"^# %% (ex-\d+-\d+)[ \t]*$", re.MULTILINE)


def hidden_tests(path: Path) -> dict[str, str]:
    """The hidden tests of a set, by exercise label (``ex-2-1``), from ``solutions/hidden/``.

    Parameters
    ----------
    path : Path
        A file of blocks, each opened by a line ``# %% ex-<chapter>-<n>``; what comes
        before the first block (a docstring) is not a test.

    Returns
    -------
    dict of str to str
        Empty when the file does not exist.

    Raises
    ------
    ValueError
        If an exercise has two blocks or an empty one.
    """
    if not path.exists():
        return {}
    parts = _BLOCK.split(path.read_text(encoding="utf-8"))
    tests: dict[str, str] = {}
    for label, code in zip(parts[1::2], parts[2::2], strict=True):
        if label in tests or not code.strip():
            raise ValueError(f"{path}: {label} has two blocks of hidden tests, or an empty one")
        tests[label] = code.strip()
    return tests


def nbgrader_source(
    solution: NotebookNode, where: str = "notebook", hidden: dict[str, str] | None = None
) -> NotebookNode:
    """The solution notebook as an nbgrader source notebook.

    Parameters
    ----------
    solution : NotebookNode
        A solution notebook as ``jupytext.read`` returns it; left unchanged.
    where : str
        Its name, for error messages.
    hidden : dict of str to str, optional
        Hidden tests by exercise label (:func:`hidden_tests`), added to the check cells.

    Returns
    -------
    NotebookNode

    Raises
    ------
    ValueError
        If an answer or a check comes before the first exercise, a check cell has no
        ``points``, or hidden tests name an exercise without a check cell.
    """
    notebook = notebook_form(solution, where)
    hidden = dict(hidden or {})
    exercise, answers = None, 0
    for index, cell in enumerate(notebook.cells):
        points = cell.metadata.pop("points", None)
        meta = {
            "schema_version": 3,
            "grade": False,
            "solution": False,
            "locked": True,
            "task": False,
            "grade_id": f"cell-{index:02d}",
        }
        if cell.cell_type == "markdown" and (heading := _HEADING.search(cell.source)):
            exercise, answers = f"ex-{heading[1]}-{heading[2]}", 0
        if cell.cell_type == "markdown" and WRITTEN in cell.metadata.get("tags", []):
            if exercise is None or not isinstance(points, int | float) or points <= 0:
                raise ValueError(
                    f"{where}: the written answer in cell {index} needs an exercise before "
                    "it and its points in its header, such as `points=1`"
                )
            meta.update(
                solution=True,
                grade=True,
                locked=False,
                points=points,
                grade_id=f"{exercise}-written",
            )
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            answer = BEGIN in cell.source or "solution" in cell.metadata.get("tags", [])
            check = "checks.check_" in cell.source
            if (answer or check) and exercise is None:
                raise ValueError(f"{where}: cell {index} answers or checks before any exercise")
            if answer:
                answers += 1
                suffix = "" if answers == 1 else f"-{answers}"
                meta.update(solution=True, locked=False, grade_id=f"{exercise}-answer{suffix}")
            elif check:
                if not isinstance(points, int | float) or points <= 0:
                    raise ValueError(
                        f"{where}: the check cell of {exercise} needs its points in its header, "
                        "such as `# %% points=2`"
                    )
                meta.update(grade=True, points=points, grade_id=f"{exercise}-check")
                if exercise in hidden:
                    tests = hidden.pop(exercise)
                    cell.source += f"\n### BEGIN HIDDEN TESTS\n{tests}\n### END HIDDEN TESTS"
        cell.metadata["nbgrader"] = meta
    if hidden:
        raise ValueError(f"{where}: hidden tests for {', '.join(hidden)}, which has no check cell")
    return notebook


def write_course(solutions: Path, out: Path) -> list[Path]:
    """Write an nbgrader course directory with one assignment per solution notebook.

    Parameters
    ----------
    solutions : Path
        The folder of ``NN_topic.py`` solution sources.
    out : Path
        The course directory; created if needed.

    Returns
    -------
    list of Path
        The files written.
    """
    sources = sorted(solutions.glob("*.py"))
    if not sources:
        raise ValueError(f"{solutions} holds no solution notebook (*.py)")
    out.mkdir(parents=True, exist_ok=True)
    config = out / "nbgrader_config.py"
    config.write_text(CONFIG)
    written = [config]
    for source in sources:
        folder = out / "source" / source.stem
        folder.mkdir(parents=True, exist_ok=True)
        hidden = hidden_tests(solutions / "hidden" / source.name)
        notebook = nbgrader_source(jupytext.read(source), where=str(source), hidden=hidden)
        written.append(write_notebook(notebook, folder / f"{source.stem}.ipynb"))
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m build_tools.nbgrader [--solutions DIR] OUT``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("_build/nbgrader"))
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    args = parser.parse_args(argv)
    for path in write_course(args.solutions, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
