"""A Sphinx extension for the course's book: the students' edition links its own pages.

A chapter links its exercise set as ``../solutions/NN_name``, the page of the edition
with solutions. The students' edition (built by ``make book``, configured by
``build_tools.exercises.write_student_book``) leaves those pages out and sets
``student_edition``; there each such link points to ``../exercises/NN_name``, the same
set without its solutions. A link to a solutions page with no exercise twin (the
instructors' page) stays as it is and fails that build, as any broken link does.
"""

from __future__ import annotations

from typing import Any

SOLUTIONS, EXERCISES = "../solutions/", "../exercises/"


def _link_exercises(app: Any, docname: str, source: list[str]) -> None:
    if app.config.student_edition and docname.startswith("chapters/"):
        source[0] = source[0].replace(SOLUTIONS, EXERCISES)


def setup(app: Any) -> dict:
    """Register the extension with Sphinx."""
    app.add_config_value("student_edition", False, "env")
    app.connect("source-read", _link_exercises)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
