"""The book's sources: every chapter has an up-to-date .ipynb twin and is in the TOC."""

from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "chapters").glob("*.py"))


def cells(notebook):
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_ipynb_twin_matches_its_source(source):
    twin = source.with_suffix(".ipynb")
    assert twin.exists(), f"{twin.name} is missing: run `jupytext --sync {source}`"
    assert cells(jupytext.read(twin)) == cells(jupytext.read(source)), (
        f"{twin.name} has drifted from {source.name}: run `jupytext --sync {source}`"
    )


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    assert SOURCES, "no chapters found"
    assert {f"chapters/{p.stem}" for p in SOURCES} <= listed


def test_the_training_code_quoted_in_chapter_5_is_the_librarys():
    # Chapter 5 shows the heart of galaxylib.training.train as a code block: every line of
    # it must still be in training.py, so that the page never shows code that no longer runs.
    chapter = (ROOT / "chapters" / "05_training.py").read_text()
    after = chapter.split("copied\n# from `galaxylib/training.py`")[1]
    block = after.split("# ```python\n")[1].split("# ```")[0]
    quoted = [
        line.removeprefix("# ").strip()
        for line in block.splitlines()
        if line.strip("# ") and line.strip("# ") != "..."
    ]
    library = {
        line.strip() for line in (ROOT / "galaxylib" / "training.py").read_text().splitlines()
    }
    assert len(quoted) > 10
    assert [line for line in quoted if line not in library] == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_cell_marker_starts_a_cell(source):
    # An unclosed ``` fence in a markdown cell swallows every cell after it, silently.
    markers = sum(line.startswith("# %%") for line in source.read_text().splitlines())
    assert len(jupytext.read(source).cells) == markers, f"{source.name}: a cell was swallowed"
