"""The yardstick of target 3 and target 4's floor: bare Python-Markdown, as the app used it.

Until issue 11 the renderer was Python-Markdown with these extensions; target 3 compares the
app's renderer with exactly this converter, so the figure stays comparable across changes of
the renderer itself.
"""

from __future__ import annotations

from typing import Any

import markdown

EXTENSIONS: list[Any] = [
    "abbr", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables",
    "codehilite", "smarty", "pymdownx.tilde", "pymdownx.tasklist", "pymdownx.magiclink",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False, "wrapcode": True},
    "smarty": {"smart_angled_quotes": True},
    "pymdownx.tilde": {"subscript": False},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}


def converter() -> markdown.Markdown:
    """A bare Python-Markdown converter with the yardstick's extensions."""
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
