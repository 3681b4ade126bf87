import jupytext
import pytest

from build_tools.exercises import make_exercise, write_exercises

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
        "solutions/01_demo.py",
    ]
    assert "2 * x" not in (exercises / "01_demo.ipynb").read_text()
    assert "2 * x" in (solutions / "01_demo.ipynb").read_text()


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
