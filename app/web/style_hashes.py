"""The inline styles a page's own content needs, as CSP hashes: no `'unsafe-inline'`.

A post body may carry style attributes the site's author wrote (raw HTML in Markdown, table
column alignment, a shortcode's colour or aspect ratio). The Content-Security-Policy allows
exactly those, by hash (`'unsafe-hashes' 'sha256-…'`), and no other: a style attribute that
reached a page any other way (through a comment, say) is not applied. Templates mark the
content they trust with the `author_html` filter, which records its styles for the
response being built.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from html.parser import HTMLParser

from flask import g, has_app_context
from markupsafe import Markup

_KEY = "style_hashes"
_MAYBE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


class _StyleCollector(HTMLParser):
    """Every style attribute's value, entity-decoded as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "style" and value:
                self.values.add(value)

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=64)
def style_hashes(html: str) -> frozenset[str]:
    """CSP sources (`sha256-…`) for the style attributes in html."""
    if _MAYBE_STYLE.search(html) is None:  # most pages: no parse at all
        return frozenset()
    collector = _StyleCollector()
    collector.feed(html)
    collector.close()
    return frozenset(
        "sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
        for value in collector.values)


def author_html(html: str | None) -> Markup:
    """Template filter: the site's own rendered HTML, its inline styles allowed by hash."""
    text = html or ""
    found = style_hashes(text)
    if found:
        g.setdefault(_KEY, set()).update(found)
    return Markup(text)  # noqa: S704 - rendered and sanitized by app/render, not user input


def recorded() -> frozenset[str]:
    """The style hashes the response being built needs (empty outside a request)."""
    return frozenset(g.get(_KEY, ())) if has_app_context() else frozenset()
