"""The book's sources: every chapter has an up-to-date .ipynb twin and is in the TOC."""

import re
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


def _cells_defining(chapter: str, *needles: str) -> str:
    """The code cells of a chapter that contain every one of ``needles``, joined."""
    cells = jupytext.read(ROOT / "chapters" / chapter).cells
    code = ["".join(c.source) for c in cells if c.cell_type == "code"]
    found = [cell for cell in code if all(needle in cell for needle in needles)]
    assert found, f"{chapter} has no code cell with {needles}"
    return "\n".join(found)


def test_the_networks_written_in_chapter_4_are_the_librarys():
    # Chapter 4 writes both networks out layer by layer; galaxylib.models builds the ones
    # galaxylib train and make networks train. Same layers, settings and parameter counts.
    import keras

    from galaxylib import models
    from galaxylib.course import same_network

    page = {"keras": keras, "layers": keras.layers, **vars(models)}
    exec(_cells_defining("04_cnn.py", "def report_network("), page)
    exec(_cells_defining("04_cnn.py", "def improved_network("), page)
    for size in (150, 64):
        assert same_network(page["report_network"](size), models.report_cnn((size, size, 1)))
    for shape in ((64, 64, 3), (32, 32, 3), (64, 64, 1)):
        built = page["improved_network"](shape[0], channels=shape[2])
        assert same_network(built, models.improved_cnn(shape))
    # and the comparison can fail
    assert not same_network(page["report_network"](64), models.improved_cnn((64, 64, 1)))
    assert not same_network(
        page["improved_network"](64, width=16), models.improved_cnn((64, 64, 3))
    )


def test_chapter_5_trains_with_the_recipe_of_galaxylib_train():
    # The page compiles and calls fit itself; galaxylib.tools.train.train (the CLI, make
    # networks) must use the same loss, optimiser, metric and callbacks.
    import keras

    from galaxylib.models import improved_cnn
    from galaxylib.training import compile_model, cosine_schedule, recipe_callbacks

    page = {"keras": keras, "cosine_schedule": cosine_schedule, "LIVE_SIZE": 32}
    page["improved_cnn"] = improved_cnn
    exec(_cells_defining("05_training.py", "model.compile("), page)
    exec(_cells_defining("05_training.py", "callbacks = ["), page)
    ours, theirs = page["model"], compile_model(improved_cnn((32, 32, 3)))
    assert ours.loss == theirs.loss == "mse"
    assert type(ours.optimizer) is type(theirs.optimizer)
    assert ours.optimizer.get_config() | {"name": ""} == theirs.optimizer.get_config() | {
        "name": ""
    }
    assert [type(m).__name__ for m in ours.metrics[-1].metrics] == [
        type(m).__name__ for m in theirs.metrics[-1].metrics
    ]

    def described(callback):
        if isinstance(callback, keras.callbacks.LearningRateScheduler):
            return ("schedule", [round(callback.schedule(e), 9) for e in range(12)])
        return (type(callback).__name__, sorted(vars(callback).items(), key=str))

    epochs = page["EPOCHS"]
    assert [described(c) for c in page["callbacks"]] == [
        described(c) for c in recipe_callbacks(epochs)
    ]
    # and the comparison can fail
    assert [described(c) for c in page["callbacks"]] != [
        described(c) for c in recipe_callbacks(epochs, patience=3)
    ]
    # the page's fit is the library's: the same arguments but the callbacks train adds
    fit_cell = _cells_defining("05_training.py", "model.fit(")
    assert "validation_data=val_data" in fit_cell and "callbacks=callbacks" in fit_cell


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_cell_marker_starts_a_cell(source):
    # An unclosed ``` fence in a markdown cell swallows every cell after it, silently.
    markers = sum(line.startswith("# %%") for line in source.read_text().splitlines())
    assert len(jupytext.read(source).cells) == markers, f"{source.name}: a cell was swallowed"


def test_visible_code_cells_show_computation_not_bookkeeping():
    # Handing numbers to the prose (glue) is bookkeeping: it belongs in removed cells, so
    # that a code cell a student sees holds what they should read.
    visible = [
        cell.source
        for source in SOURCES
        for cell in jupytext.read(source).cells
        if cell.cell_type == "code"
        and not {"remove-cell", "remove-input"} & set(cell.metadata.get("tags", []))
    ]
    with_glue = [cell for cell in visible if re.search(r"\bglue\(", cell)]
    assert len(visible) > 50
    assert len(with_glue) < 0.1 * len(visible), with_glue[:3]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_heading_is_hidden_in_a_code_cell(source):
    # A markdown heading left under a code cell's marker is a comment that no reader sees.
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code":
            headings = [line for line in cell.source.splitlines() if re.match(r"# #{1,4} ", line)]
            assert not headings, f"{source.name}: {headings[0]!r} is inside a code cell"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_a_chapter_opens_with_its_objectives_and_ends_with_a_quiz(source):
    notebook = jupytext.read(source)
    opening = next(c.source for c in notebook.cells if c.cell_type == "markdown")
    for part in (
        "**In this chapter you will learn to**",
        "**Before it:**",
        "<!-- reading-time -->",
    ):
        assert part in opening, f"{source.name}'s first cell lacks {part}"
    quiz = notebook.cells[-1].source
    assert quiz.startswith("## Check yourself"), f"{source.name} does not end with its quiz"
    questions = re.split(r"^\*\*\d+\.\*\* ", quiz, flags=re.M)[1:]
    assert len(questions) >= 5
    for number, question in enumerate(questions, 1):
        options = re.findall(r"^- \(([a-d])\) ", question, flags=re.M)
        answer = re.search(
            r'<details class="quiz"><summary>Answer</summary>\n\(([a-d])\) (.+?)\n</details>',
            question,
            flags=re.S,
        )
        assert answer, f"{source.name}, question {number}: no folded answer"
        assert answer.group(1) in options, f"{source.name}, question {number}: no such option"
        assert len(answer.group(2).split()) >= 25, f"{source.name}, question {number}: why?"
