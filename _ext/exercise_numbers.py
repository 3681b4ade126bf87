"""A Sphinx extension for the course's book: number each exercise by its label.

sphinx-exercise numbers exercises through the whole book (the first exercise of set 2
would be "Exercise 4"). The course numbers them by chapter, from their labels:
``ex-2-3`` is Exercise 2.3 on the site, in the notebooks (``build_tools.exercises``)
and in ``solutions/instructors.md``. Cross-references to an exercise show the same.
"""

from __future__ import annotations

import re
from typing import Any

_LABEL = re.compile(r"^ex-(\d+)-(\d+)$")


def _number_by_label(app: Any, env: Any) -> list[str]:
    """Replace the numbers Sphinx gave labelled exercises by their chapter and rank."""
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        for label in exercises:
            if match := _LABEL.match(label):
                exercises[label] = (int(match[1]), int(match[2]))
    return []


def setup(app: Any) -> dict:
    """Register the extension with Sphinx, after Sphinx has numbered the figures."""
    app.connect("env-get-updated", _number_by_label, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
