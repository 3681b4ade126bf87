import json

import jupytext
import pytest

from build_tools.exercises import (
    TEXT_STUB,
    make_exercise,
    notebook_form,
    write_exercises,
)
from build_tools.nbgrader import nbgrader_source, write_course

SOLUTION = '''# %% [markdown]
# Write `double`.

# %%
def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    result = 2 * x
    return result
    ### END SOLUTION

# %% tags=["solution"]
answer = double(21)

# %% [markdown]
# ```{solution-start} ex-double
# :class: dropdown
# ```

# %%
print("kept")

# %% [markdown]
# ```{solution-end}
# ```
'''


def test_marked_blocks_become_indented_stubs():
    exercise = make_exercise(jupytext.reads(SOLUTION, fmt="py:percent"))
    sources = [c.source for c in exercise.cells]
    assert sources[1] == (
        'def double(x):\n    """Twice x."""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    )
    assert sources[2] == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert "tags" not in exercise.cells[2].metadata
    assert sources[3] == 'print("kept")'
    assert len(exercise.cells) == 4  # the solution-start/end gates are gone
    text = jupytext.writes(exercise, fmt="py:percent")
    for leaked in ("2 * x", "double(21)", "BEGIN SOLUTION", "END SOLUTION", "solution-start"):
        assert leaked not in text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# %%\n### BEGIN SOLUTION\nx = 1\n", "never closes"),
        ("# %%\nx = 1\n### END SOLUTION\n", "without ### BEGIN"),
        ("# %%\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "a second"),
    ],
)
def test_unbalanced_markers_are_refused(source, message):
    with pytest.raises(ValueError, match=message):
        make_exercise(jupytext.reads(source, fmt="py:percent"), where="s.py")


def test_write_exercises_writes_both_folders_twins(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "01_demo.py").write_text(SOLUTION)
    written = write_exercises(solutions, exercises)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == [
        "exercises/01_demo.ipynb",
        "exercises/01_demo.py",
        "solutions/01_demo.ipynb",
    ]
    assert "2 * x" not in (exercises / "01_demo.ipynb").read_text()
    assert "2 * x" in (solutions / "01_demo.ipynb").read_text()


EXERCISE = """# %% [markdown]
# These go with {doc}`chapter 2 <../chapters/02_benchmarks>`.

# %% [markdown]
# Some words first.
#
# ```{exercise} Double it
# :label: ex-2-3
#
# Write **`double`**:
#
# - twice `x`.
# ```

# %%
def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

# %% points=2
checks.check_double(double)

# %%
print(double(1))
"""


def test_notebook_form_turns_exercises_into_markdown_headings():
    notebook = notebook_form(jupytext.reads(EXERCISE, fmt="py:percent"))
    assert notebook.cells[0].source == (
        "These go with [chapter 2](../chapters/02_benchmarks.ipynb)."
    )
    assert notebook.cells[1].source == (
        "Some words first.\n\n## Exercise 2.3 — Double it\n\nWrite **`double`**:\n\n- twice `x`."
    )
    assert notebook.cells[2].source.startswith("def double(x):")


def test_an_exercise_without_a_label_is_refused():
    source = "# %% [markdown]\n# ```{exercise} Nameless\n#\n# Do it.\n# ```\n"
    with pytest.raises(ValueError, match="no :label:"):
        notebook_form(jupytext.reads(source, fmt="py:percent"), where="s.py")
    bad = source.replace("#\n# Do", "# :label: double-it\n#\n# Do")
    with pytest.raises(ValueError, match="ex-<chapter>-<n>"):
        notebook_form(jupytext.reads(bad, fmt="py:percent"), where="s.py")


def test_generated_notebooks_are_byte_identical_and_carry_no_run(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "02_demo.py").write_text(EXERCISE)
    write_exercises(solutions, exercises)
    first = {p.name: p.read_bytes() for p in sorted(tmp_path.rglob("*.*"))}
    write_exercises(solutions, exercises)
    again = {p.name: p.read_bytes() for p in sorted(tmp_path.rglob("*.*"))}
    assert first == again
    stored = json.loads(again["02_demo.ipynb"])
    assert set(stored["metadata"]) <= {"kernelspec"}
    assert all("execution" not in c["metadata"] for c in stored["cells"])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in stored["cells"])
    ids = [c["id"] for c in stored["cells"]]
    assert len(set(ids)) == len(ids)


WRITTEN = (
    EXERCISE
    + """
# %% [markdown] tags=["written"] points=1
# Because the numbers say so.
"""
)


def test_a_written_answer_is_a_stub_for_students_and_graded_by_hand_in_nbgrader():
    solution = jupytext.reads(WRITTEN, fmt="py:percent")
    written = make_exercise(solution).cells[-1]
    assert written.cell_type == "markdown" and written.source == TEXT_STUB
    meta = nbgrader_source(solution).cells[-1].metadata["nbgrader"]
    assert meta["grade"] and meta["solution"] and not meta["locked"] and meta["points"] == 1
    assert meta["grade_id"] == "ex-2-3-written"
    no_points = WRITTEN.replace(" points=1", "")
    with pytest.raises(ValueError, match="its points in its header"):
        nbgrader_source(jupytext.reads(no_points, fmt="py:percent"))


def test_nbgrader_source_marks_answers_checks_and_read_only_cells():
    notebook = nbgrader_source(jupytext.reads(EXERCISE, fmt="py:percent"))
    meta = [c.metadata["nbgrader"] for c in notebook.cells]
    answer, check, example = meta[2], meta[3], meta[4]
    assert answer["solution"] and not answer["locked"] and answer["grade_id"] == "ex-2-3-answer"
    assert check["grade"] and check["locked"] and check["points"] == 2
    assert check["grade_id"] == "ex-2-3-check"
    assert all(m["locked"] and not m["grade"] and not m["solution"] for m in (meta[0], example))
    assert len({m["grade_id"] for m in meta}) == len(meta)
    assert all("points" not in c.metadata for c in notebook.cells)


def test_a_check_without_points_is_refused(tmp_path):
    source = EXERCISE.replace("# %% points=2", "# %%")
    with pytest.raises(ValueError, match="points"):
        nbgrader_source(jupytext.reads(source, fmt="py:percent"), where="s.py")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "02_demo.py").write_text(EXERCISE)
    written = write_course(tmp_path / "solutions", tmp_path / "course")
    assert [p.relative_to(tmp_path / "course").as_posix() for p in written] == [
        "nbgrader_config.py",
        "source/02_demo/02_demo.ipynb",
    ]


def test_student_book_takes_exercise_pages_and_no_solutions(tmp_path):
    from pathlib import Path

    import yaml

    from build_tools.exercises import write_student_book

    root = Path(__file__).resolve().parents[1]
    config_path, toc_path = write_student_book(root, tmp_path)
    config = yaml.safe_load(config_path.read_text())
    toc = yaml.safe_load(toc_path.read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    assert not any(f.startswith("solutions/") for f in files)
    assert "exercises/01_eda" in files and "chapters/01_eda" in files
    assert "solutions" in config["exclude_patterns"]
    assert "exercises" not in config["exclude_patterns"]
    assert config["execute"]["exclude_patterns"] == ["exercises/*"]
    assert config["title"].endswith("(student edition)")
