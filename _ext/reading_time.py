"""A Sphinx extension for the course's book: each chapter's reading time, from its page.

A chapter marks where the time goes with an HTML comment, ``<!-- reading-time -->``
(invisible in Jupyter and Colab). On the site the mark becomes a sentence measured on the
page as built, by a rule it states: :data:`WORDS_PER_MINUTE` words of prose a minute,
plus :data:`MINUTES_PER_ITEM` for each figure and each code cell a reader sees. Words in
code and in outputs are not counted; their time is in the rule's half minutes. The run
time of the page's cells, as myst-nb recorded it when the site was built, follows.
"""

from __future__ import annotations

import math
from typing import Any

from docutils import nodes

MARK = "reading-time"
WORDS_PER_MINUTE = 200
"""A reader's pace through the chapters' prose: below the 238 words a minute that
Brysbaert (2019, *Journal of Memory and Language* 109, 104047) found for adults reading
non-fiction silently, as a course's prose is read to be learnt."""
MINUTES_PER_ITEM = 0.5
"""Time to look at a figure, or to read a code cell and what it prints."""


def _classes(node: nodes.Node) -> set[str]:
    return set(node.get("classes", [])) if isinstance(node, nodes.Element) else set()


def _in_code(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, nodes.literal_block | nodes.raw | nodes.comment):
            return True
        if _classes(node) & {"cell", "cell_input", "cell_output", "output"}:
            return True
        node = node.parent
    return False


def measure(doctree: nodes.document) -> dict[str, int]:
    """Words of prose, figures and visible code cells of a page."""
    words = sum(
        len(text.astext().split()) for text in doctree.findall(nodes.Text) if not _in_code(text)
    )
    figures = sum(1 for _ in doctree.findall(nodes.image))
    code = sum(
        1
        for cell in doctree.findall(nodes.container)
        if "cell" in _classes(cell)
        and any("cell_input" in _classes(child) for child in cell.children)
    )
    return {"words": words, "figures": figures, "code": code}


def sentence(counts: dict[str, int]) -> str:
    """``Reading time: about 35 minutes (...)``, the rule spelt out."""
    minutes = counts["words"] / WORDS_PER_MINUTE + MINUTES_PER_ITEM * (
        counts["figures"] + counts["code"]
    )
    rounded = max(5, 5 * math.ceil(minutes / 5))
    figures, code = counts["figures"], counts["code"]
    return (
        f"Reading time: about {rounded} minutes ({counts['words']:,} words at "
        f"{WORDS_PER_MINUTE} a minute, {figures} figure{'s' * (figures != 1)} and {code} code "
        f"cell{'s' * (code != 1)} at half a minute each), not counting the time to run it."
    )


def _marks(doctree: nodes.document) -> list[nodes.Element]:
    return [
        node
        for node in doctree.findall(lambda n: isinstance(n, nodes.raw | nodes.comment))
        if node.astext().strip() in {f"<!-- {MARK} -->", MARK}
    ]


def _runtime(env: Any) -> float | None:
    """Seconds the page's cells took when the site was built (myst-nb's record), if run."""
    data = getattr(env, "nb_metadata", {}).get(env.docname, {}).get("exec_data") or {}
    return data.get("runtime")


def _replace(app: Any, doctree: nodes.document) -> None:
    marks = _marks(doctree)
    if not marks:
        return
    text = sentence(measure(doctree))
    runtime = _runtime(app.env)
    if runtime is not None:
        text += (
            f" When this site was built, its cells ran in {runtime:.0f} s (the page "
            "“How long each page took” says on what machine)."
        )
    for mark in marks:
        mark.replace_self(nodes.paragraph(text, text, classes=["reading-time"]))


def setup(app: Any) -> dict:
    """Register the extension with Sphinx."""
    app.connect("doctree-read", _replace)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
