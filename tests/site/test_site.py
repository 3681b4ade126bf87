"""The built site in a real browser: headless Chromium, driven by Selenium.

Run by ``make book`` after the build (not by ``make test``, which runs before there is a
site). In both editions every page loads without console errors and with every image; in
the edition with solutions (under ``solutions/``) a folded solution opens on click,
search finds a chapter, and every Colab link names a notebook that exists in the
repository; no page shows a path of the machine that built it. The student edition, at
the site's root, shows no solution, and a chapter leads its reader to the set without
solutions.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "site" / "solutions"  # the edition with solutions
STUDENT_SITE = SITE.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = ["intro"] + [c["file"] for part in TOC["parts"] for c in part["chapters"]]
STUDENT_PAGES = [
    page.replace("solutions/", "exercises/") for page in PAGES if page != "solutions/instructors"
]
SETS = [page for page in STUDENT_PAGES if page.startswith("exercises/")]


@pytest.fixture(scope="module")
def book(server):
    """The address of the edition with solutions."""
    return f"{server}/solutions"


@pytest.mark.parametrize("page", [f"solutions/{p}" for p in PAGES] + STUDENT_PAGES)
def test_page_loads_without_errors_and_with_every_image(server, browser, console_errors, page):
    browser.get(f"{server}/{page}.html")
    heading = browser.find_element(By.CSS_SELECTOR, "article h1").get_attribute("textContent")
    assert heading.strip().rstrip("#").strip() in browser.title
    # Some pages add images after loading (the examples of "Try the network"): wait for them.
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script(
            "return [...document.querySelectorAll('main img')].every(i => i.complete)"
        )
    )
    images = browser.find_elements(By.CSS_SELECTOR, "main img")
    assert console_errors(browser) == []
    broken = [
        img.get_attribute("src")
        for img in images
        if not browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", img
        )
    ]
    assert broken == []


def test_chapters_show_their_figures(book, browser):
    browser.get(f"{book}/chapters/01_eda.html")
    figures = browser.find_elements(By.CSS_SELECTOR, "main .cell_output img")
    assert len(figures) >= 6  # gallery, two bar charts, three heatmaps


def test_a_folded_solution_opens_on_click(book, browser):
    page = next(p for p in PAGES if p.startswith("solutions/0"))
    browser.get(f"{book}/{page}.html")
    solution = browser.find_element(By.CSS_SELECTOR, "div.solution")
    body = solution.find_element(By.CSS_SELECTOR, ".section, section, .cell")
    assert not body.is_displayed()
    solution.find_element(By.CSS_SELECTOR, "button.toggle-button").click()
    WebDriverWait(browser, 10).until(lambda _: body.is_displayed())


def test_search_finds_a_chapter(book, browser):
    browser.get(f"{book}/search.html?q=benchmarks")
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "ul.search li a"))
    links = [
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "ul.search li a")
    ]
    assert any("chapters/02_benchmarks" in link for link in links)


def test_every_colab_link_names_a_notebook_in_the_repository(book, browser):
    repository = urlparse(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    pattern = re.compile(
        rf"^https://colab\.research\.google\.com/github/{repository}/blob/{branch}/(.+\.ipynb)$"
    )
    seen = 0
    for page in PAGES:
        browser.get(f"{book}/{page}.html")
        for link in browser.find_elements(By.CSS_SELECTOR, "a[href*='colab.research.google.com']"):
            href = link.get_attribute("href")
            match = pattern.match(href)
            assert match, f"{page}: unexpected Colab link {href}"
            assert (ROOT / match.group(1)).exists(), f"{page}: {match.group(1)} does not exist"
            seen += 1
    assert seen >= len(PAGES) - 1  # every notebook page has one; the intro is Markdown


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_path_of_the_machine_that_built_it(page):
    # A reader's paths are not the builder's: outputs name data relative to the notebook.
    text = re.sub(r"<[^>]+>", "", (SITE / f"{page}.html").read_text(encoding="utf-8"))
    for path in {str(ROOT), str(Path.home()) + "/", "/tmp/"}:
        assert path not in text, f"{page} shows {path}"


@pytest.mark.parametrize("page", PAGES)
def test_at_1280_pixels_no_code_line_is_cut_off(book, browser, page):
    # _static/wide.css gives the content the width: a 100-character line of code (ruff's
    # limit for the sources) fits without scrolling, in the input and output cells.
    browser.get(f"{book}/{page}.html")
    assert browser.execute_script("return window.innerWidth") == 1280
    clipped = browser.execute_script(
        "return [...document.querySelectorAll('div.cell_input pre, div.cell_output pre')]"
        ".filter(p => p.scrollWidth > p.clientWidth + 1)"
        ".map(p => p.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a))"
    )
    assert clipped == [], f"{page}: {len(clipped)} code blocks scroll, e.g. {clipped[0]!r}"
    article = browser.execute_script(
        "return document.querySelector('article.bd-article').clientWidth"
    )
    assert article >= 840, f"{page}: the content is {article} px wide"


CHAPTERS = [page for page in PAGES if re.match(r"chapters/\d\d_", page)]


@pytest.mark.parametrize("page", CHAPTERS)
def test_a_chapter_states_its_reading_time_and_ends_with_a_quiz(page):
    html = (SITE / f"{page}.html").read_text(encoding="utf-8")
    assert re.search(r"Reading time: about \d+ minutes \([\d,]+ words at 200 a minute", html)
    assert html.count('<details class="quiz">') >= 5


def test_a_quiz_answer_opens_on_click_and_explains_itself(book, browser):
    browser.get(f"{book}/chapters/02_benchmarks.html")
    answers = browser.find_elements(By.CSS_SELECTOR, "details.quiz")
    first = answers[0]
    assert first.get_attribute("open") is None  # folded: only its summary line shows
    closed = first.size["height"]
    first.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(browser, 5).until(lambda _: first.get_attribute("open") is not None)
    text = first.text.split("\n", 1)
    assert text[0] == "Answer"
    assert re.match(r"\([a-d]\) \S", text[1]) and len(text[1]) > 80  # the letter, then why
    assert first.size["height"] > 2 * closed


@pytest.mark.parametrize("page", SETS)
def test_the_student_edition_shows_no_solution(page):
    html = (STUDENT_SITE / f"{page}.html").read_text(encoding="utf-8")
    assert 'class="exercise' in html  # the statements are there
    assert 'class="solution' not in html and "solutions/" not in html


def test_a_chapter_leads_a_student_to_the_set_without_solutions(server, browser):
    browser.get(f"{server}/chapters/02_benchmarks.html")
    browser.find_element(By.CSS_SELECTOR, "main a[href$='exercises/02_benchmarks.html']").click()
    WebDriverWait(browser, 10).until(
        lambda b: b.current_url.endswith("exercises/02_benchmarks.html")
    )
    assert browser.find_elements(By.CSS_SELECTOR, "main .exercise")
    assert browser.find_elements(By.CSS_SELECTOR, "main .solution") == []


def test_a_wide_figure_shows_at_least_as_wide_as_the_plots_assume(book, browser):
    # galaxylib.course.plots sizes the text inside a figure for this width (plots.small_text)
    from galaxylib.course.plots import CONTENT_WIDTH

    browser.get(f"{book}/chapters/01_eda.html")
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script(
            "return [...document.querySelectorAll('main img')].every(i => i.complete)"
        )
    )
    shown = browser.execute_script(
        "return [...document.querySelectorAll('main .cell_output img')]"
        f".filter(i => i.naturalWidth > {CONTENT_WIDTH}).map(i => i.clientWidth)"
    )
    assert shown and min(shown) >= CONTENT_WIDTH, shown
