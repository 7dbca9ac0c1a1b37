"""Comment text: a Markdown subset rendered once, on write, and sanitized with nh3."""

from __future__ import annotations

import re
import threading

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "del", "a", "code", "pre", "ul", "ol", "li",
                "blockquote"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}  # "*": no title/lang
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_LINK_RE = re.compile(r"<a\s", re.IGNORECASE)
_local = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=["fenced_code", "sane_lists", "pymdownx.tilde", "pymdownx.magiclink"],
            extension_configs={"pymdownx.tilde": {"subscript": False}},
            output_format="html",
        )
        # Readers' raw HTML is shown as text, never passed through.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        _local.converter = converter
    return converter


def render_comment(text: str) -> str:
    """Markdown subset to safe HTML: emphasis, links, code, lists, quotes; links get rel."""
    converter = _converter()
    try:
        html = converter.reset().convert(text)
    finally:
        converter.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def count_links(html: str) -> int:
    """How many links a rendered comment holds."""
    return len(_LINK_RE.findall(html))


def html_to_text(html: str) -> str:
    """Sanitized HTML reduced to text, for feeds and previews."""
    return nh3.clean(html, tags=set(), attributes={}).strip()
