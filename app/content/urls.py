"""Hugo's URL rules: sanitized paths, term slugs, page URLs and aliases."""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from urllib.parse import quote

_KEEP = frozenset("./\\_#+~-@")
_HEX = frozenset("0123456789abcdefABCDEF")


def _keep(ch: str) -> bool:
    return ch in _KEEP or ch.isalnum() or unicodedata.category(ch).startswith("M")


@functools.lru_cache(maxsize=65536)
def sanitize(text: str) -> str:
    """Hugo's paths.Sanitize: keep letters, digits, marks and ./\\_#+~-@; spaces become '-'."""
    out: list[str] = []
    prepend_hyphen = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and text[i + 1] in _HEX and text[i + 2] in _HEX:
            out.append(text[i : i + 3])
            i += 3
            prepend_hyphen = False
            continue
        if _keep(ch):
            if prepend_hyphen and out:
                out.append("-")
            prepend_hyphen = False
            out.append(ch)
        elif ch.isspace() and out and out[-1] != "-":
            prepend_hyphen = True
        i += 1
    return "".join(out)


def urlize(text: str) -> str:
    """Hugo's urlize: sanitize, lower-case, percent-encode."""
    return escape_path(sanitize(text).lower())


@functools.lru_cache(maxsize=4096)  # small: a worker escapes many one-off page URLs
def escape_path(path: str) -> str:
    """Percent-encode a path as Go's url.URL.String does (cached: term URLs repeat)."""
    return quote(path, safe="-._~$&+,/:;=@")


@functools.lru_cache(maxsize=65536)
def term_slug(term: str) -> str:
    """The path segment(s) of a taxonomy term page, as Hugo builds them (unescaped)."""
    lowered = term.strip("\x00").lower().replace(" ", "-")
    segments = [sanitize(segment) for segment in lowered.split("/")]
    return "/".join(segment for segment in segments if segment)


def term_url(plural: str, slug: str, lang_prefix: str = "") -> str:
    """The URL of a term page, e.g. /tags/dall-e/."""
    return escape_path(f"{lang_prefix}/{plural}/{slug}/")


def page_url(
    rel_dir: str,
    name: str,
    kind: str,
    slug: str | None = None,
    url: str | None = None,
    lang_prefix: str = "",
) -> str:
    """The URL path of a page from its place in the content tree and its front matter."""
    if url:
        target = url if url.startswith("/") else "/" + url
        if not posixpath.splitext(target)[1] and not target.endswith("/"):
            target += "/"
        return lang_prefix + target if lang_prefix and not target.startswith(
            lang_prefix + "/"
        ) else target
    parts = [p for p in rel_dir.split("/") if p]
    if kind == "page" and name not in ("index", "_index"):
        parts.append(name)
    if slug and kind == "page":
        if parts:
            parts[-1] = slug
        else:
            parts = [slug]
    cleaned = [sanitize(p).lower() for p in parts]
    cleaned = [p for p in cleaned if p]
    path = "/" + "/".join(cleaned) + "/" if cleaned else "/"
    return lang_prefix + path if lang_prefix else path


def alias_path(alias: str, page_dir_url: str) -> str:
    """An alias as a site path: absolute ones as written, relative ones under the page's parent."""
    alias = alias.strip()
    if not alias.startswith("/"):
        alias = posixpath.join(page_dir_url, alias)
    alias = posixpath.normpath(alias)
    return "/" if alias in ("", ".") else alias


def normalize_request_path(path: str) -> str:
    """A request path compared with stored URLs: no trailing slash, index.html dropped."""
    path = re.sub(r"/index\.html?$", "/", path)
    return path.rstrip("/") or "/"
