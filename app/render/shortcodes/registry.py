"""The shortcode registry: names mapped to renderer functions, kept as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.content.shortcodes import Shortcode


@dataclass(frozen=True)
class PageFile:
    """A file of the page's bundle, as a shortcode sees it."""

    path: str  # relative to the bundle directory, e.g. "gallery/a.png"
    url: str  # the URL it is served under, e.g. "/posts/x/gallery/a.png"
    media_type: str = "application/octet-stream"
    width: int | None = None
    height: int | None = None
    srcset: str = ""  # resized variants, "url 800w, url 1280w, ..."


@dataclass
class ShortcodeContext:
    """What a renderer may use besides the shortcode itself."""

    files: Sequence[PageFile]
    params: Mapping[str, Any]
    page_url: str
    ordinal: int  # 0-based count of earlier uses of the same shortcode name in the page
    inner: str | None  # inner content with nested shortcodes already expanded
    markdownify: Callable[[str], str]  # Markdown -> HTML, inline paragraphs kept
    warn: Callable[[str], None] = field(default=lambda message: None)
    refs: Mapping[str, str | None] = field(default_factory=dict)  # ref key -> URL (site pass)


Renderer = Callable[[Shortcode, ShortcodeContext], str]

_REGISTRY: dict[str, Renderer] = {}


def shortcode(*names: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer under one or more shortcode names."""

    def register(func: Renderer) -> Renderer:
        for name in names:
            _REGISTRY[name.lower()] = func
        return func

    return register


def get_renderer(name: str) -> Renderer | None:
    """The renderer registered for a name, or None when the shortcode is unknown."""
    return _REGISTRY.get(name.lower())


def known_names() -> frozenset[str]:
    """Every registered shortcode name."""
    return frozenset(_REGISTRY)
