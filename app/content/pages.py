"""Turning one content file into a SourcePage: front matter normalized, URL worked out."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.content.dates import DateError, parse_date, zone
from app.content.errors import ContentProblem
from app.content.frontmatter import split_front_matter
from app.content.tree import PageEntry, SourceFile
from app.content.urls import alias_path, page_url


@dataclass(frozen=True)
class SiteOptions:
    """The site settings that change how content is read."""

    default_lang: str = "en"
    languages: frozenset[str] | None = None  # None: any language code in a file name
    timezone: str = "UTC"
    taxonomies: tuple[str, ...] = ("tags", "categories")


@dataclass
class SourcePage:
    """A content file read and normalized; pure data, ready to be imported."""

    source_path: str
    lang: str
    kind: str  # "page", "section" or "home"
    url_path: str
    section: str
    title: str
    description: str
    date: datetime | None
    lastmod: datetime | None
    publish_date: datetime | None
    expiry_date: datetime | None
    draft: bool
    weight: int
    params: dict[str, Any]
    terms: dict[str, list[str]]
    aliases: list[str]
    body: str
    body_line: int
    files: list[SourceFile] = field(default_factory=list)
    source_hash: str = ""


def _text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ContentProblem(0, f"'{key}' must be text, got {type(value).__name__}")


def _bool(key: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ContentProblem(0, f"'{key}' must be true or false, got {value!r}")


def _int(key: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ContentProblem(0, f"'{key}' must be a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ContentProblem(0, f"'{key}' must be a whole number, got {value!r}") from None


def _strings(key: str, value: Any) -> list[str]:
    """A list of strings; a single string or number is a list of one, as Hugo casts it."""
    if value is None or value == "":
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict | list) or item is None:
                raise ContentProblem(0, f"'{key}' must be a list of text values")
            out.append(str(item).strip())
        return [item for item in out if item]
    raise ContentProblem(0, f"'{key}' must be a list of text values, got {type(value).__name__}")


# Hugo's date fields and the front matter keys each falls back on, in order.
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "publishdate", "pubdate", "published", "lastmod", "modified"),
    "publish_date": ("publishdate", "pubdate", "published", "date"),
    "lastmod": ("lastmod", "modified", "date", "publishdate", "pubdate", "published"),
    "expiry_date": ("expirydate", "unpublishdate"),
}


def _dates(data: dict[str, Any], tz_name: str) -> dict[str, datetime | None]:
    tz = zone(tz_name)
    parsed: dict[str, datetime | None] = {}
    cache: dict[str, datetime | None] = {}
    for name, keys in DATE_FIELDS.items():
        parsed[name] = None
        for key in keys:
            if key not in cache:
                try:
                    cache[key] = parse_date(data.get(key), tz)
                except DateError as exc:
                    raise ContentProblem(0, f"'{key}': {exc}") from None
            if cache[key] is not None:
                parsed[name] = cache[key]
                break
    return parsed


def _kind(entry: PageEntry) -> str:
    if entry.name == "_index":
        return "home" if entry.rel_dir == "" else "section"
    return "page"


def _locate(problem: ContentProblem, lines: Sequence[str], key_finder: Callable[[str], int]) -> int:
    if problem.line:
        return problem.line
    quoted = problem.reason.split("'")
    return key_finder(quoted[1]) if len(quoted) > 2 else 1


def build_page(entry: PageEntry, text: str, options: SiteOptions) -> SourcePage:
    """Read one content file's text into a SourcePage; raises ContentProblem when it is bad."""
    fm = split_front_matter(text)
    data = fm.data
    head = text.splitlines()[: max(fm.body_line - 1, 0)]

    def key_line(key: str) -> int:
        for number, line in enumerate(head, start=1):
            stripped = line.strip().lstrip('"').lower()
            if stripped.startswith(key):
                return number
        return 1

    try:
        return _build(entry, fm, data, options)
    except ContentProblem as problem:
        raise ContentProblem(_locate(problem, head, key_line), problem.reason) from None


def _build(entry: PageEntry, fm: Any, data: dict[str, Any], options: SiteOptions) -> SourcePage:
    lang = entry.lang or options.default_lang
    lang_prefix = "" if lang == options.default_lang else f"/{lang}"
    kind = _kind(entry)
    slug = _text("slug", data.get("slug")).strip() or None
    url = _text("url", data.get("url")).strip() or None
    url_path = page_url(entry.rel_dir, entry.name, kind, slug, url, lang_prefix)
    parent_url = posixpath.dirname(url_path.rstrip("/")) or "/"
    aliases = [alias_path(a, parent_url) for a in _strings("aliases", data.get("aliases"))]
    terms: dict[str, list[str]] = {}
    for plural in options.taxonomies:
        values = _strings(plural, data.get(plural))
        seen: set[str] = set()
        terms[plural] = [v for v in values if not (v.lower() in seen or seen.add(v.lower()))]
    dates = _dates(data, options.timezone)
    section = entry.rel_dir.split("/", 1)[0] if entry.rel_dir else ""
    title = _text("title", data.get("title"))
    return SourcePage(
        source_path=entry.source_path,
        lang=lang,
        kind=kind,
        url_path=url_path,
        section=section,
        title=title,
        description=_text("description", data.get("description")),
        date=dates["date"],
        lastmod=dates["lastmod"],
        publish_date=dates["publish_date"],
        expiry_date=dates["expiry_date"],
        draft=_bool("draft", data.get("draft")),
        weight=_int("weight", data.get("weight")),
        params=_jsonable(data),
        terms=terms,
        aliases=aliases,
        body=fm.body,
        body_line=fm.body_line,
        files=list(entry.files),
        source_hash=entry.source_hash,
    )


def _jsonable(value: Any) -> Any:
    """Front matter made storable as JSON: dates become RFC 3339 strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
