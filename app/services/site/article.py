"""Blowfish's article flags (showComments, showTableOfContents, ...): a page's front matter,
else the site's `[params.article]` defaults. The one place that rule is written: the post
view, the comments service and the comments feeds all ask here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

# Blowfish's [params.article] defaults (keys lower-cased); a site's hugo.toml and then a
# post's front matter override each.
BLOWFISH_DEFAULTS: Mapping[str, bool] = MappingProxyType({
    "showdate": True,
    "showreadingtime": True,
    "showwordcount": True,
    "showtableofcontents": False,
    "showtaxonomies": False,
    "showheadinganchors": True,
    "showcomments": True,
})


class HasParams(Protocol):
    """A page whose front matter params can be looked up by name."""

    def param(self, key: str, default: Any = None) -> Any:
        """A front matter param, looked up case-insensitively."""


def article_flag(page: HasParams, defaults: Mapping[str, Any], name: str) -> bool:
    """A Blowfish article flag: the page's front matter when it sets a boolean, else the
    site's default (`defaults` keyed in lower case), else off."""
    value = page.param(name)
    if isinstance(value, bool):
        return value
    return bool(defaults.get(name.lower(), False))


def shows_comments(page: HasParams, defaults: Mapping[str, Any]) -> bool:
    """Whether the page shows comments (and so takes and lists them)."""
    return article_flag(page, defaults, "showComments")
