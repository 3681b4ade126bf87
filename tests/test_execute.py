"""build_tools.execute: the book's pages, run several at a time into Jupyter Book's cache."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_tools.execute import ROOT, main, notebook_pages, read_page

HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

"""


def write_book(folder: Path, pages: dict[str, str]) -> Path:
    """A small book with the course's execution settings and reader, and these pages."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    folder.mkdir()
    (folder / "_config.yml").write_text(
        yaml.safe_dump(
            {
                "title": "Pages",
                "execute": config["execute"],
                "sphinx": {
                    "config": {"nb_custom_formats": config["sphinx"]["config"]["nb_custom_formats"]}
                },
            }
        )
    )
    toc = {"format": "jb-book", "root": "intro", "chapters": [{"file": n} for n in pages]}
    (folder / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    (folder / "intro.md").write_text("# Pages\n")
    for name, code in pages.items():
        (folder / f"{name}.py").write_text(f"{HEADER}# %% [markdown]\n# # {name}\n\n# %%\n{code}\n")
    return folder


def test_the_book_pages_are_the_chapters_and_the_solutions_in_order():
    pages = [p.relative_to(ROOT).as_posix() for p in notebook_pages()]
    assert pages[0] == "chapters/00_setup.py" and pages[-1] == "solutions/06_evaluation.py"
    assert len(pages) == len(list(ROOT.glob("chapters/*.py")) + list(ROOT.glob("solutions/*.py")))
    assert read_page(ROOT / "chapters" / "00_setup.py").metadata.kernelspec.name == "python3"


@pytest.mark.slow
def test_pages_executed_ahead_are_only_rendered_by_the_build(tmp_path, capsys):
    pages = {"first": "print(6 * 7)", "second": "import os\n\nprint(os.getcwd())"}
    book = write_book(tmp_path / "book", pages)
    assert main(["--root", str(book), "--jobs", "2"]) == 0
    said = capsys.readouterr().out
    assert "pages to execute: 2, 2 at a time" in said and "second.py executed in" in said
    assert main(["--root", str(book), "--jobs", "2"]) == 0  # nothing left to do
    assert "pages to execute: 0," in capsys.readouterr().out

    build = subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "build", book, "--builder", "html"],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    log = build.stdout + build.stderr
    assert log.count("Using cached notebook") == 2 and "Executing notebook" not in log
    html = (book / "_build" / "html" / "second.html").read_text()
    assert str(book) in html  # it ran in its own folder, as Jupyter Book runs a page


@pytest.mark.slow
def test_a_failing_page_is_named_with_its_cell_and_the_others_still_run(tmp_path, capsys):
    pages = {"broken": "raise ValueError('no galaxy here')", "fine": "print('fine')"}
    book = write_book(tmp_path / "book", pages)
    assert main(["--root", str(book), "--jobs", "1"]) == 1
    out, err = capsys.readouterr()
    assert "broken.py failed after" in out and "ValueError: no galaxy here" in out
    assert "fine.py executed in" in out
    assert err == "Failing pages: broken.py.\n"


@pytest.mark.slow
def test_a_page_showing_a_figure_with_text_too_small_to_read_fails(tmp_path, capsys, monkeypatch):
    figure = (
        "from matplotlib.figure import Figure\n"
        "from galaxylib.course import setup_notebook\n"
        "from galaxylib.course.plots import annotation_size\n\n"
        "setup_notebook()\n"
        "fig = Figure(figsize=(16, 3))\n"
        "ax = fig.subplots()\n"
        "ax.set_title('{title}')\n"
        "ax.text(0.5, 0.5, '0.42', fontsize={size})\n"
        "fig\n"
    )
    pages = {
        "tiny": figure.format(title="tiny", size="10"),
        "readable": figure.format(title="readable", size="annotation_size(fig)"),
    }
    book = write_book(tmp_path / "book", pages)
    monkeypatch.setenv("GALAXYLIB_CHECK_FIGURES", "1")
    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path / "data"))
    assert main(["--root", str(book), "--jobs", "1"]) == 1
    out, err = capsys.readouterr()
    assert "tiny.py failed after" in out and "readable.py executed in" in out
    assert "SmallTextWarning: The figure 'tiny' holds text the book would show too small" in out
    assert "'0.42' (5.3 px)" in out  # 10 points in a figure shown at 800 of its 1,600 px
    assert err == "Failing pages: tiny.py.\n"
