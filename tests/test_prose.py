"""Prose never types a computed number: it quotes it through myst-nb's glue.

A decimal number in a chapter's markdown is allowed only inside a glue role
(``{glue:text}`name:.4f```), inline code, a code block or a formula, or when it is a
figure cited from the report or the literature, listed below with its source. Anything
else is a number typed by hand, which the next sky, profile or network will contradict.

A reading -- the words that say which way a result goes -- is glued by
:func:`galaxylib.course.reading`, which states the condition of every wording and fails
the page unless exactly one holds; never chosen by an ``if``/``else`` inside ``glue``,
whose ``else`` speaks for every outcome nobody wrote words for, and never by a function
of the chapter's own that glues.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.py"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))

CITED = {
    "0.0926": "the report's CNN, validation RMSE",
    "0.16194": "the competition's central-pixel benchmark, as the report quotes it",
    "0.1577": "the report's linear regression on the central pixel",
    "0.1597": "the report's linear regression on the average colour",
    "0.1639": "the report's mean-confidence benchmark",
    "0.07491": "the winner's private-leaderboard RMSE (Dieleman et al. 2015)",
    "0.07752": "second place on Kaggle's private leaderboard (Maxim Milakov)",
    "0.07869": "third place on Kaggle's private leaderboard",
    "0.07941": "the report's misquotation of the winner's RMSE",
    "6.86": "the report's hours of training",
    "0.07742": "a 3 M-parameter CNN (alvinng4/GalaxyZooChallenge, 2024)",
    "0.07393": "ResNet50 pretrained on ImageNet (alvinng4/GalaxyZooChallenge, 2024)",
    "0.07251": "DINOv2-B (alvinng4/GalaxyZooChallenge, 2024)",
    "7.0": "the CUDA compute capability of the first GPUs with tensor cores (NVIDIA)",
}
"""Decimal figures that prose may type, each with where it comes from."""

_SHIELDED = re.compile(
    r"\{glue(?::\w+)?\}`[^`]*`"  # a glued value
    r"|\{\w+\}`[^`]*`"  # any other role
    r"|`[^`]*`"  # inline code
    r"|\$\$.*?\$\$|\$[^$]*\$"  # formulas
    r"|\]\([^)]*\)",  # link targets
    re.S,
)
_DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+(?![\w.]*\d)")


QUIZ = "## Check yourself"
"""The heading of a chapter's closing quiz, whose numbers are made up for its questions
("25 volunteers see a galaxy"), never read from an output: its lines are not prose here."""


def markdown_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every prose line of a py:percent notebook, code blocks out."""
    lines, in_markdown, in_fence, in_quiz = [], False, False, False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("# %%"):
            in_markdown, in_fence, in_quiz = "[markdown]" in line, False, False
            continue
        if not in_markdown:
            continue
        text = line[2:] if line.startswith("# ") else line.lstrip("#")
        in_quiz = in_quiz or text.startswith(QUIZ)
        if in_quiz:
            continue
        if text.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append((number, text))
    return lines


def stray_numbers(path: Path) -> list[str]:
    """Every decimal typed into prose that is neither glued nor cited, as ``file:line``."""
    found = []
    for number, text in markdown_lines(path):
        bare = _SHIELDED.sub(" ", text)
        for match in _DECIMAL.finditer(bare):
            if match.group() not in CITED:
                found.append(f"{path.name}:{number}: {match.group()!r} in {text.strip()!r}")
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_prose_types_no_computed_number(chapter):
    stray = stray_numbers(chapter)
    assert not stray, (
        "Prose types numbers by hand; glue them from a cell ({glue:text}`name:.4f`) or, "
        "for a cited figure, add it with its source to CITED:\n" + "\n".join(stray)
    )


def test_the_scan_catches_a_typed_number_and_spares_glued_cited_and_code(tmp_path):
    sample = tmp_path / "99_sample.py"
    sample.write_text(
        "# %% [markdown]\n"
        "# The network scores {glue:text}`c9_rmse:.4f`, the report 0.0926.\n"
        "# Its fraction `Class1.1 = 0.80` and $0.8 \\times 0.5$ are code and maths.\n"
        "# ```python\n"
        "# x = 0.123\n"
        "# ```\n"
        "# But the two differ only in 0.0025, and Class6.2 and Q1 are names.\n"
        "\n"
        "# %%\n"
        "print(0.5)\n"
        "\n"
        "# %% [markdown] tags=['x']\n"
        "# Speed: 812.5 images per second, up from .5 of that.\n"
    )
    assert stray_numbers(sample) == [
        "99_sample.py:7: '0.0025' in 'But the two differ only in 0.0025, and Class6.2 and Q1"
        " are names.'",
        "99_sample.py:13: '812.5' in 'Speed: 812.5 images per second, up from .5 of that.'",
        "99_sample.py:13: '.5' in 'Speed: 812.5 images per second, up from .5 of that.'",
    ]


_GLUED = re.compile(r"""\b(?:glue|reading)\(\s*(f?)["']([^"']+)["']""")
_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")


def glue_names(path: Path) -> list[str]:
    """The names a notebook glues, as regular expressions (an f-string's fields match any)."""
    names = []
    for is_f, name in _GLUED.findall(path.read_text()):
        parts = re.split(r"\{[^}]*\}", name) if is_f else [name]
        names.append(".+".join(re.escape(part) for part in parts))
    return names


def glue_problems(paths: list[Path]) -> list[str]:
    """Roles that name no glued value of their notebook, and names glued in two notebooks."""
    owners: dict[str, list[str]] = {}
    problems = []
    for path in paths:
        names = glue_names(path)
        for name in names:
            owners.setdefault(name, []).append(path.name)
        for number, text in markdown_lines(path):
            for role in _ROLE.findall(text):
                if not any(re.fullmatch(name, role) for name in names):
                    problems.append(f"{path.name}:{number}: nothing glues {role!r}")
    for name, files in owners.items():
        if len(files) > 1:
            problems.append(f"{name!r} is glued in {', '.join(files)}")
    return problems


def test_every_glue_role_names_a_value_its_chapter_glues_once_in_the_book():
    problems = glue_problems(CHAPTERS)
    assert not problems, "\n".join(problems)


def test_the_glue_check_catches_a_typo_and_a_name_used_twice(tmp_path):
    first, second = tmp_path / "98_a.py", tmp_path / "99_b.py"
    first.write_text(
        '# %%\nglue("ch98_rmse", 0.1)\nglue(f"ch98_{name}_share", 0.2)\n\n'
        "# %% [markdown]\n# {glue:text}`ch98_rmse:.4f`, {glue:text}`ch98_q1_share:.0%`,\n"
        "# {glue:text}`ch98_rmes:.4f`\n"
    )
    second.write_text('# %%\nglue("ch98_rmse", 0.3)\n')
    assert glue_problems([first, second]) == [
        "98_a.py:7: nothing glues 'ch98_rmes'",
        "'ch98_rmse' is glued in 98_a.py, 99_b.py",
    ]


def _wording(node: ast.AST) -> bool:
    """Whether an expression's value is words: a string, or strings joined or chosen."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _wording(node.left) or _wording(node.right)
    if isinstance(node, ast.IfExp):
        return _wording(node.body) or _wording(node.orelse)
    return False


def chosen_wordings(path: Path) -> list[str]:
    """Places where a notebook glues words picked by if/else, glues from its own function,
    or reassigns ``glue`` or ``reading``."""
    problems = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(n, ast.Call) and getattr(n.func, "id", None) in {"glue", "reading"}
            for n in ast.walk(node)
        ):
            problems.append(f"{path.name}:{node.lineno}: {node.name}() glues; glue in the cell")
        if isinstance(node, ast.Name) and node.id in {"glue", "reading"}:
            if isinstance(node.ctx, ast.Store):
                problems.append(f"{path.name}:{node.lineno}: {node.id} is reassigned")
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue":
            for choice in ast.walk(node):
                if isinstance(choice, ast.IfExp) and (
                    _wording(choice.body) or _wording(choice.orelse)
                ):
                    problems.append(
                        f"{path.name}:{choice.lineno}: glue picks words with if/else; use reading()"
                    )
    return sorted(problems, key=lambda problem: int(problem.split(":")[1]))


@pytest.mark.parametrize("notebook", CHAPTERS + SOLUTIONS, ids=lambda p: p.name)
def test_every_reading_states_the_condition_of_each_wording(notebook):
    assert chosen_wordings(notebook) == []


def test_the_reading_check_catches_an_else_and_a_gluing_function(tmp_path):
    sample = tmp_path / "99_sample.py"
    sample.write_text(
        "# %%\n"
        'glue("ch99_side", "lower" if a < b else "higher")\n'
        'glue("ch99_share", float(x) if n else 1.0)\n'
        'reading("ch99_way", {"lower": a < b, "higher": a > b})\n'
        "\n"
        "def words(name, text):\n"
        "    glue(name, text)\n"
        'reading = "; ".join(sentences)\n'
    )
    assert chosen_wordings(sample) == [
        "99_sample.py:2: glue picks words with if/else; use reading()",
        "99_sample.py:6: words() glues; glue in the cell",
        "99_sample.py:8: reading is reassigned",
    ]


@pytest.mark.parametrize("notebook", CHAPTERS + SOLUTIONS, ids=lambda p: p.name)
def test_no_markdown_line_starts_with_a_percent_sign_which_myst_drops(notebook):
    # MyST reads a line that starts with % as a comment: "a paired 95\n% interval" loses
    # its second line on the page.
    dropped = [
        f"{notebook.name}:{number}: {line}"
        for number, line in enumerate(notebook.read_text().splitlines(), 1)
        if line.startswith("# %") and not line.startswith("# %%")
    ]
    assert dropped == []
