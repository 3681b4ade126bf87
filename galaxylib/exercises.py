"""Make the students' exercise notebooks from the solution notebooks.

``solutions/NN_topic.py`` (jupytext ``py:percent``) is the one source of every exercise.
Its solution code sits between nbgrader's markers::

    ### BEGIN SOLUTION
    answer = ...
    ### END SOLUTION

and whole cells may be tagged ``solution``. :func:`make_exercise` replaces each marked
block by ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` (at the block's
indentation), replaces each ``solution`` cell by the same stub, and drops the markdown
cells that open and close the book's folded solutions (sphinx-exercise's
``solution-start`` and ``solution-end``), which mean nothing in Jupyter.

Run ``python -m galaxylib.exercises`` (``make exercises``) to regenerate ``exercises/``
and the ``.ipynb`` twins of both folders.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import jupytext
import yaml
from nbformat import NotebookNode

__all__ = [
    "BEGIN",
    "CHECKED",
    "END",
    "STUB",
    "make_exercise",
    "record_checked_outputs",
    "write_exercises",
    "write_student_book",
]

CHECKED = "# NBVAL_CHECK_OUTPUT"
"""First line of a cell whose output nbval compares with the stored one."""
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
_GATE = re.compile(r"^\s*[`:]{3,}\s*\{solution-(start|end)\}", re.MULTILINE)


def _strip_blocks(source: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION block of a cell's source by the stub."""
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number} of a cell: a second {BEGIN} before {END}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + STUB[0], indent + STUB[1]]
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}, line {number} of a cell: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: a cell opens {BEGIN} and never closes it")
    return "\n".join(out)


def make_exercise(solution: NotebookNode, where: str = "notebook") -> NotebookNode:
    """Return the student version of a solution notebook.

    Parameters
    ----------
    solution : NotebookNode
        A notebook as ``jupytext.read`` returns it.
    where : str
        Its name, for error messages about unbalanced markers.

    Returns
    -------
    NotebookNode
        A new notebook without any solution code or marker.
    """
    exercise = jupytext.reads(jupytext.writes(solution, fmt="ipynb"), fmt="ipynb")
    cells = []
    for cell in exercise.cells:
        if cell.cell_type == "markdown" and _GATE.search(cell.source):
            continue
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if "solution" in tags:
                cell.source = "\n".join(STUB)
                cell.metadata["tags"] = [t for t in tags if t != "solution"]
                if not cell.metadata["tags"]:
                    del cell.metadata["tags"]
            else:
                cell.source = _strip_blocks(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    exercise.cells = cells
    return exercise


def record_checked_outputs(notebook: NotebookNode, folder: Path) -> NotebookNode:
    """Run a notebook and keep the outputs of its ``# NBVAL_CHECK_OUTPUT`` cells only.

    nbval compares a marked cell's output with the one stored in the ``.ipynb``; storing
    just those keeps the committed notebooks free of figures, paths and timings. Mark only
    cells whose output is deterministic, and not in notebooks that use TensorFlow: its
    C++ start-up logs reach stderr in whichever cell happens to be running.

    Parameters
    ----------
    notebook : NotebookNode
        Left unchanged.
    folder : Path
        Where the notebook runs (its own folder).

    Returns
    -------
    NotebookNode
        A copy, with outputs on the marked cells.
    """
    from nbclient import NotebookClient

    executed = jupytext.reads(jupytext.writes(notebook, fmt="ipynb"), fmt="ipynb")
    client = NotebookClient(
        executed, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    for cell in executed.cells:  # nbval wants a marked cell's execution count too
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(CHECKED):
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        else:
            cell.outputs = []
            cell.execution_count = None
    return executed


def write_exercises(solutions: Path, exercises: Path, *, execute: bool = False) -> list[Path]:
    """Regenerate ``exercises/`` from ``solutions/``, with ``.ipynb`` twins for both.

    Parameters
    ----------
    solutions, exercises : Path
    execute : bool, default False
        Run each solution notebook and store the outputs of its checked cells in its
        ``.ipynb`` (:func:`record_checked_outputs`), for nbval to compare.

    Returns
    -------
    list of Path
        The files written.
    """
    exercises.mkdir(exist_ok=True)
    written = []
    for source in sorted(solutions.glob("*.py")):
        solution = jupytext.read(source)
        exercise = make_exercise(solution, where=str(source))
        if execute:
            solution = record_checked_outputs(solution, solutions)
        target = exercises / source.name
        for notebook, path in ((solution, source), (exercise, target)):
            if path != source:
                jupytext.write(notebook, path, fmt="py:percent")
            jupytext.write(notebook, path.with_suffix(".ipynb"), fmt="ipynb")
            written += [path, path.with_suffix(".ipynb")]
    return written


def write_student_book(root: Path, out: Path) -> tuple[Path, Path]:
    """Write the configuration and table of contents of the students' edition.

    The students' site is the book with every exercise page taken from ``exercises/``
    instead of ``solutions/``: the statements and the stubs, shown unexecuted, and no
    solution anywhere (sphinx-exercise's ``hide_solutions`` cannot hide the gated
    solutions that hold code). The instructors' page is left out. Chapters reuse the
    main build's cache of executed notebooks.

    Parameters
    ----------
    root : Path
        The book's root (holding ``_config.yml`` and ``_toc.yml``).
    out : Path
        Folder for the two files; ``jupyter-book build --path-output`` should name it too.

    Returns
    -------
    (config, toc) : tuple of Path
    """
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["title"] += " (student edition)"
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p != "exercises"] + [
        "solutions",
        "exercises/*.ipynb",
    ]
    config["execute"]["exclude_patterns"] = ["exercises/*"]
    config["execute"]["cache"] = str((root / "_build" / ".jupyter_cache").resolve())
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    for part in toc["parts"]:
        part["chapters"] = [
            {"file": entry["file"].replace("solutions/", "exercises/")}
            for entry in part["chapters"]
            if (root / entry["file"]).with_suffix(".py").exists()
            or not entry["file"].startswith("solutions/")
        ]
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "_config.yml", out / "_toc.yml"
    for path, content in zip(paths, (config, toc), strict=True):
        path.write_text(yaml.safe_dump(content, sort_keys=False))
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m galaxylib.exercises [SOLUTIONS] [EXERCISES] [--student-book OUT]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("solutions", type=Path, nargs="?", default=Path("solutions"))
    parser.add_argument("exercises", type=Path, nargs="?", default=Path("exercises"))
    parser.add_argument(
        "--execute", action="store_true", help="store the checked cells' outputs for nbval"
    )
    parser.add_argument(
        "--student-book",
        type=Path,
        metavar="OUT",
        help="write the students' edition's _config.yml and _toc.yml to OUT instead",
    )
    args = parser.parse_args(argv)
    if args.student_book:
        for path in write_student_book(Path("."), args.student_book):
            print(f"wrote {path}")
        return
    for path in write_exercises(args.solutions, args.exercises, execute=args.execute):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
