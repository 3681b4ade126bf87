"""A Sphinx extension for the course's book: drop scripts that a page would load twice.

With Sphinx 7.4, inline scripts that extensions add after the builder starts
(sphinx-thebe's configuration, sphinx-togglebutton's selector) land on every page twice,
once with the file name ``None`` and once with ``''``; the second ``const THEBE_JS_URL``
is a JavaScript error in every reader's console.
"""

from __future__ import annotations

from typing import Any


def _unique_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Any) -> dict:
    """Register the extension with Sphinx."""
    app.connect("html-page-context", _unique_scripts, priority=900)  # after the others
    return {"parallel_read_safe": True, "parallel_write_safe": True}
