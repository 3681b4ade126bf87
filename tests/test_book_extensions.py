"""The book's own Sphinx extensions in _ext/: both editions load them,
unique_scripts.py keeps every inline script to one copy per page, reading_time.py states
a page's reading time, and editions.py has the students' edition link its own pages."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_tools.exercises import write_student_book

ROOT = Path(__file__).resolve().parents[1]


def scripts_of_a_page(tmp_path, extensions):
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        f"extensions = {extensions!r}\n"
        "html_theme = 'sphinx_book_theme'\n"
    )
    (tmp_path / "index.md").write_text("# Book\n\nA page.\n")
    out = tmp_path / "_out"
    command = [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(tmp_path), str(out)]
    subprocess.run(command, check=True)
    return re.findall(r"<script[^>]*>.*?</script>", (out / "index.html").read_text(), re.DOTALL)


def extension_files(config_path):
    """The files of the local extensions a configuration loads, found as Jupyter Book does:
    each folder relative to the configuration file."""
    extensions = yaml.safe_load(config_path.read_text())["sphinx"]["local_extensions"]
    return {name: config_path.parent / folder / f"{name}.py" for name, folder in extensions.items()}


def test_the_book_loads_every_extension_in_ext():
    found = extension_files(ROOT / "_config.yml")
    assert set(found) == {p.stem for p in (ROOT / "_ext").glob("*.py")}
    assert all(path.is_file() for path in found.values())


def test_the_student_edition_finds_the_extensions_from_its_own_folder(tmp_path):
    config_path, _ = write_student_book(ROOT, tmp_path / "_build" / "student")
    found = extension_files(config_path)
    assert set(found) == set(extension_files(ROOT / "_config.yml"))
    assert all(path.is_file() for path in found.values())


@pytest.mark.parametrize("loaded", [False, True], ids=["without", "with"])
def test_each_inline_script_is_on_a_page_once(tmp_path, loaded):
    # sphinx-togglebutton adds its selector after the builder starts: Sphinx 7.4 puts it
    # on every page twice, which the extension undoes.
    extensions = ["myst_parser", "sphinx_togglebutton"] + ["unique_scripts"] * loaded
    scripts = scripts_of_a_page(tmp_path, extensions)
    selectors = [s for s in scripts if "togglebuttonSelector" in s]
    if loaded:
        assert len(selectors) == 1
        assert len(scripts) == len(set(scripts))
    else:
        assert len(selectors) == 2, "Sphinx no longer doubles scripts: the extension can go"


def page_with_reading_time(tmp_path, text):
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'reading_time']\n"
    )
    (tmp_path / "index.md").write_text(text)
    out = tmp_path / "_out"
    command = [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(tmp_path), str(out)]
    subprocess.run(command, check=True)
    return (out / "index.html").read_text()


@pytest.mark.parametrize("words, minutes", [(300, 5), (2_100, 15)])
def test_a_marked_page_states_its_reading_time_by_the_rule(tmp_path, words, minutes):
    prose = " ".join(["galaxy"] * (words - 3))  # the title's three words count too
    code = "```python\nprint('not counted')\n```\n"
    page = page_with_reading_time(
        tmp_path, f"# A chapter page\n\n<!-- reading-time -->\n\n{prose}\n\n{code}"
    )
    assert (
        f"Reading time: about {minutes} minutes ({words:,} words at 200 a minute, 0 figures "
        "and 0 code cells at half a minute each)" in page
    )
    assert "<!-- reading-time -->" not in page


def test_an_unmarked_page_is_left_alone(tmp_path):
    page = page_with_reading_time(tmp_path, "# A page\n\nNo mark here.\n")
    assert "Reading time" not in page


def link_of_a_chapter(tmp_path, student_edition):
    """Build a chapter that links ../solutions/01_eda; return where its link leads."""
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'editions']\n"
        f"student_edition = {student_edition}\n"
    )
    (tmp_path / "index.md").write_text(
        "# Book\n\n```{toctree}\nchapters/one\nsolutions/01_eda\nexercises/01_eda\n```\n"
    )
    for folder in ("chapters", "solutions", "exercises"):
        (tmp_path / folder).mkdir()
    (tmp_path / "chapters" / "one.md").write_text(
        "# One\n\nPractise with {doc}`the set <../solutions/01_eda>`.\n"
    )
    (tmp_path / "solutions" / "01_eda.md").write_text("# Set 1, solved\n")
    (tmp_path / "exercises" / "01_eda.md").write_text("# Set 1\n")
    out = tmp_path / "_out"
    command = [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(tmp_path), str(out)]
    subprocess.run(command, check=True)
    page = (out / "chapters" / "one.html").read_text()
    return re.search(r'Practise with <a [^>]*href="([^"]+)"', page)[1]


@pytest.mark.parametrize("student_edition, page", [(False, "solutions"), (True, "exercises")])
def test_a_chapter_links_its_set_in_the_edition_it_is_built_in(tmp_path, student_edition, page):
    assert link_of_a_chapter(tmp_path, student_edition) == f"../{page}/01_eda.html"


def test_every_set_a_chapter_links_is_in_the_student_edition():
    # the students' edition has exercises/NN_name for each solutions/NN_name, and no
    # instructors' page: a chapter linking that one would break its build
    linked = {
        name
        for chapter in (ROOT / "chapters").glob("*.py")
        for name in re.findall(r"\.\./solutions/(\w+)", chapter.read_text())
    }
    assert linked, "no chapter links an exercise set"
    assert {name for name in linked if not (ROOT / "exercises" / f"{name}.py").exists()} == set()


def test_the_student_edition_sets_the_flag_and_the_book_does_not(tmp_path):
    config_path, _ = write_student_book(ROOT, tmp_path / "_build" / "student")
    assert yaml.safe_load(config_path.read_text())["sphinx"]["config"]["student_edition"] is True
    book = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert "student_edition" not in book
