"""galaxylib stays a library a student can read (CONTRIBUTING.md, "The layout")."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE = REPOSITORY / "galaxylib"
STUDENT_LINES = 4000
"""The most lines the modules a student reads may hold: galaxylib outside course/ and tools/."""


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _student_modules() -> list[Path]:
    return [p for p in _modules() if p.relative_to(PACKAGE).parts[0] not in ("course", "tools")]


def test_the_modules_a_student_reads_stay_short():
    lines = sum(len(p.read_text().splitlines()) for p in _student_modules())
    assert lines <= STUDENT_LINES, (
        f"galaxylib outside course/ and tools/ holds {lines} lines, more than {STUDENT_LINES}: "
        "move machinery a student need not read to tools/ or course/"
    )


def test_no_module_imports_another_modules_private_name():
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("galaxylib"):
                found += [
                    f"{path.relative_to(PACKAGE)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and alias.name != "__version__"
                ]
    assert found == []


def test_the_profile_is_read_in_one_module():
    readers = [p.relative_to(PACKAGE) for p in _modules() if "GALAXYLIB_PROFILE" in p.read_text()]
    assert readers == [Path("config.py")]


def test_training_shows_compile_and_fit_on_its_first_screen():
    source = (PACKAGE / "training.py").read_text()
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    code = [
        line
        for number, line in enumerate(source.splitlines(), 1)
        if number not in docstrings and line.strip() and not line.strip().startswith("#")
    ]
    first = "\n".join(code[:80])
    assert "net.compile(" in first and "net.fit(" in first


SOURCES = sorted(
    path.relative_to(REPOSITORY)
    for folder in ("galaxylib", "build_tools", "chapters", "solutions", "tests", "_ext")
    for path in (REPOSITORY / folder).rglob("*.py")
)


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_every_name_imported_from_galaxylib_exists(source):
    """Imports inside functions too: a module moved leaves no import behind, run or not."""
    missing = []
    for node in ast.walk(ast.parse((REPOSITORY / source).read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("galaxylib"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ModuleNotFoundError:
                        missing.append(f"from {node.module} import {alias.name}")
    assert missing == []
