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
