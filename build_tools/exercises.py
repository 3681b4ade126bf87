"""Make the students' exercise notebooks from the solution notebooks.

``solutions/NN_topic.py`` (jupytext ``py:percent``) is the one source of every exercise.
Its solution code sits between nbgrader's markers::

    ### BEGIN SOLUTION
    answer = ...
    ### END SOLUTION

and whole cells may be tagged ``solution``. A *written answer*, where the student defends
a decision in words, is a Markdown cell tagged ``written`` with its points in its header
(``# %% [markdown] tags=["written"] points=1``); nbgrader grades it by hand.
:func:`make_exercise` replaces each marked block by ``# YOUR CODE HERE`` and
``raise NotImplementedError()`` (at the block's indentation), each ``solution`` cell by
the same stub, each written answer by ``YOUR ANSWER HERE``, and drops the markdown
cells that open and close the book's folded solutions (sphinx-exercise's
``solution-start`` and ``solution-end``).

Each source has two forms. The ``.py`` files keep the book's MyST (the pages of the
site, with sphinx-exercise's ``{exercise}`` directives); the ``.ipynb`` files, which
Jupyter and Colab open, are in *notebook form* (:func:`notebook_form`): every exercise
becomes a Markdown heading ``## Exercise 2.3 — title`` numbered from its label
``ex-2-3``, exactly as the book's ``_ext/exercise_numbers.py`` numbers it on the site.

The ``.ipynb`` files are deterministic (:func:`write_notebook`): cell ids derive from
the cells' content, and no output, timing or Python version is stored. Running
``make exercises`` twice gives the same bytes.

Run ``python -m build_tools.exercises`` (``make exercises``) to regenerate
``exercises/`` and the ``.ipynb`` twins of both folders, and
``python -m build_tools.exercises --twins chapters/*.py`` for the chapters' twins.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbformat import NotebookNode

__all__ = [
    "BEGIN",
    "END",
    "STUB",
    "TEXT_STUB",
    "WRITTEN",
    "exercise_number",
    "make_exercise",
    "notebook_form",
    "write_exercises",
    "write_notebook",
    "write_student_book",
    "write_twin",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
WRITTEN = "written"
"""The tag of a Markdown cell that holds a written answer, graded by hand."""
TEXT_STUB = "YOUR ANSWER HERE"
_GATE = re.compile(r"^\s*[`:]{3,}\s*\{solution-(start|end)\}", re.MULTILINE)
_EXERCISE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n"
    r"(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_LABEL = re.compile(r"^ex-(\d+)-(\d+)$")
# The lines jupytext adds to a header it writes, naming its own release: the solutions'
# headers leave them out, and so do the exercises', so that a new jupytext regenerates
# the same bytes.
_WRITER_VERSION = re.compile(r"^#\s+(format_version|jupytext_version): .*\n", re.MULTILINE)
_DOC = re.compile(r"\{doc\}`(?P<text>[^`<]*?)\s*<(?P<target>[^>`]+)>`")


def exercise_number(label: str) -> str:
    """``"2.3"`` for the label ``ex-2-3``: the one numbering of site, notebooks and nbgrader.

    Raises
    ------
    ValueError
        If the label is not ``ex-<chapter>-<n>``.
    """
    match = _LABEL.match(label)
    if not match:
        raise ValueError(f"the exercise label {label!r} is not of the form ex-<chapter>-<n>")
    return f"{int(match[1])}.{int(match[2])}"


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
    """Return the student version of a solution notebook (still in the book's form).

    Parameters
    ----------
    solution : NotebookNode
        A notebook as ``jupytext.read`` returns it.
    where : str
        Its name, for error messages about unbalanced markers.

    Returns
    -------
    NotebookNode
        A new notebook without any solution code, marker or solution gate.
    """
    exercise = jupytext.reads(jupytext.writes(solution, fmt="ipynb"), fmt="ipynb")
    cells = []
    for cell in exercise.cells:
        if cell.cell_type == "markdown" and _GATE.search(cell.source):
            continue
        if cell.cell_type == "markdown" and WRITTEN in cell.metadata.get("tags", []):
            cell.source = TEXT_STUB
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


def _markdown_exercise(match: re.Match, where: str) -> str:
    options = dict(
        line.strip()[1:].split(":", 1) for line in match["options"].splitlines() if line.strip()
    )
    label = options.get("label", "").strip()
    if not label:
        raise ValueError(f"{where}: an exercise has no :label: ex-<chapter>-<n>")
    title = match["title"].strip()
    heading = f"## Exercise {exercise_number(label)}" + (f" — {title}" if title else "")
    return f"{heading}\n\n{match['body'].strip()}"


def notebook_form(notebook: NotebookNode, where: str = "notebook") -> NotebookNode:
    """The notebook as Jupyter and Colab should show it, with no MyST left in it.

    Each ``{exercise}`` directive becomes a heading ``## Exercise 2.3 — title`` and its
    body, plain Markdown; the solution gates are dropped; a ``{doc}`` link to another
    page becomes a Markdown link to that page's ``.ipynb``. Code cells are untouched.

    Parameters
    ----------
    notebook : NotebookNode
        A solution or an exercise notebook in the book's form; left unchanged.
    where : str
        Its name, for error messages.

    Returns
    -------
    NotebookNode
    """
    converted = jupytext.reads(jupytext.writes(notebook, fmt="ipynb"), fmt="ipynb")
    cells = []
    for cell in converted.cells:
        if cell.cell_type == "markdown":
            if _GATE.search(cell.source):
                continue
            source = _EXERCISE.sub(lambda m: _markdown_exercise(m, where), cell.source)
            cell.source = _DOC.sub(lambda m: f"[{m['text']}]({m['target']}.ipynb)", source)
        cells.append(cell)
    converted.cells = cells
    return converted


def write_notebook(notebook: NotebookNode, path: Path) -> Path:
    """Write a notebook's ``.ipynb`` so that the same content always gives the same bytes.

    Cell ids are derived from each cell's type and source (a repeated cell gets a
    suffix); the notebook keeps only its kernelspec as metadata, and cells lose what a
    run leaves behind (``execution`` timings).

    Parameters
    ----------
    notebook : NotebookNode
        Left unchanged.
    path : Path

    Returns
    -------
    Path
    """
    kernelspec = notebook.metadata.get("kernelspec")
    out = nbformat.from_dict(
        {
            "cells": [],
            "metadata": {"kernelspec": dict(kernelspec)} if kernelspec else {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        digest = hashlib.sha256(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        copy = nbformat.from_dict(dict(cell))
        copy.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
        copy.metadata = {k: v for k, v in cell.metadata.items() if k != "execution"}
        out.cells.append(copy)
    nbformat.validate(out)
    path.write_text(nbformat.writes(out) + "\n", encoding="utf-8")
    return path


def write_twin(source: Path) -> Path:
    """Write the ``.ipynb`` twin of a jupytext source as it is (a chapter's), deterministically."""
    return write_notebook(jupytext.read(source), source.with_suffix(".ipynb"))


def write_exercises(solutions: Path, exercises: Path) -> list[Path]:
    """Regenerate ``exercises/`` from ``solutions/``, with ``.ipynb`` twins for both.

    Parameters
    ----------
    solutions, exercises : Path

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
        target = exercises / source.name
        text = jupytext.writes(exercise, fmt="py:percent")
        target.write_text(_WRITER_VERSION.sub("", text), encoding="utf-8")
        solved = notebook_form(solution, where=str(source))
        write_notebook(notebook_form(exercise, where=str(target)), target.with_suffix(".ipynb"))
        write_notebook(solved, source.with_suffix(".ipynb"))
        written += [source.with_suffix(".ipynb"), target, target.with_suffix(".ipynb")]
    return written


def write_student_book(root: Path, out: Path) -> tuple[Path, Path]:
    """Write the configuration and table of contents of the students' edition.

    The students' site is the book with every exercise page taken from ``exercises/``
    instead of ``solutions/``: the statements and the stubs, shown unexecuted, and no
    solution anywhere (sphinx-exercise's ``hide_solutions`` cannot hide the gated
    solutions that hold code), and the chapters' links to a set lead to its exercise
    page. The instructors' page is left out. Chapters reuse the main build's cache of
    executed notebooks.

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
    # The chapters' links to their exercise sets point to exercises/ (_ext/editions.py).
    config["sphinx"]["config"]["student_edition"] = True
    # Jupyter Book finds local extensions relative to the configuration file, now in ``out``.
    extensions = config["sphinx"].get("local_extensions", {})
    for name, folder in extensions.items():
        extensions[name] = str((root / folder).resolve())
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
    """``python -m build_tools.exercises [SOLUTIONS] [EXERCISES]``, and more."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("solutions", type=Path, nargs="?", default=Path("solutions"))
    parser.add_argument("exercises", type=Path, nargs="?", default=Path("exercises"))
    parser.add_argument(
        "--student-book",
        type=Path,
        metavar="OUT",
        help="write the students' edition's _config.yml and _toc.yml to OUT instead",
    )
    parser.add_argument(
        "--twins",
        type=Path,
        nargs="+",
        metavar="SOURCE",
        help="write the .ipynb twins of these jupytext sources (the chapters) instead",
    )
    args = parser.parse_args(argv)
    if args.student_book:
        written = list(write_student_book(Path("."), args.student_book))
    elif args.twins:
        written = [write_twin(source) for source in args.twins]
    else:
        written = write_exercises(args.solutions, args.exercises)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
