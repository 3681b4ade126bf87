"""Every notebook's first cell is the one _config.yml implies; a fork changes one line."""

from pathlib import Path

import jupytext
import pytest

from build_tools.install_cell import main, makes, repository_url, with_install_cell

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "chapters").glob("*.py")) + sorted((ROOT / "solutions").glob("*.py"))
NOTEBOOKS = SOURCES + sorted((ROOT / "exercises").glob("*.py"))


def first_code_cell(path):
    return next(c for c in jupytext.read(path).cells if c.cell_type == "code")


def test_every_source_opens_with_the_cell_the_config_implies():
    url = repository_url(ROOT / "_config.yml")
    stale = [p.name for p in SOURCES if with_install_cell(url, p.read_text()) != p.read_text()]
    assert SOURCES and stale == [], f"stale first cells in {stale}: run `make exercises`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_colab_twin_installs_from_the_configured_repository_and_folds_the_cell(path):
    url = repository_url(ROOT / "_config.yml")
    cell = first_code_cell(path.with_suffix(".ipynb"))
    assert f'REPOSITORY = "{url}"' in cell.source
    assert 'os.environ.get("GALAXYLIB_REPOSITORY", REPOSITORY)' in cell.source
    assert cell.metadata.get("tags") == ["hide-input"]


def test_a_fork_changes_one_line_and_every_first_cell_follows(tmp_path):
    config = tmp_path / "_config.yml"
    text = (ROOT / "_config.yml").read_text()
    fork = "https://github.com/a-fork/galaxies"
    config.write_text(text.replace(repository_url(ROOT / "_config.yml"), fork))
    copies = []
    for source in SOURCES:
        copy = tmp_path / f"{source.parent.name}-{source.name}"
        copy.write_text(source.read_text())
        copies.append(copy)
    args = ["--config", str(config), *map(str, copies)]
    assert main(["--check", *args]) == 1
    assert main(args) == 0
    assert main(["--check", *args]) == 0
    for source, copy in zip(SOURCES, copies, strict=True):
        old, new = jupytext.read(source).cells, jupytext.read(copy).cells
        first = next(i for i, c in enumerate(new) if c.cell_type == "code")
        assert f'REPOSITORY = "{fork}"' in new[first].source
        assert [c.source for c in new[first + 1 :]] == [c.source for c in old[first + 1 :]]


def test_the_cell_lists_what_the_chapter_makes_from_its_own_calls():
    source = (
        "# %%\nfrom galaxylib.course import setup_notebook\n\n"
        '# %%\nDATA = course_data()\npath = course_model("improved")\n'
    )
    assert makes(source) == ("sky", "crops", "improved")
    assert makes("# %%\nx = 1\n\n# %% [markdown]\n# course_data() in prose\n") == ()


def test_a_config_without_a_repository_url_is_refused(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("title: x\n")
    with pytest.raises(SystemExit, match="repository.url"):
        repository_url(config)
