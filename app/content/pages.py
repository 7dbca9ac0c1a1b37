"""Turning one content file into a SourcePage: front matter normalized, URL worked out."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.content.dates import DateError, parse_date, zone
from app.content.errors import ContentProblem
from app.content.frontmatter import split_front_matter
from app.content.permalinks import PermalinkPage, expand, find_pattern
from app.content.refs import DEFAULT_NOT_FOUND_URL
from app.content.tree import PageEntry, SourceFile
from app.content.urls import alias_path, page_url


@dataclass(frozen=True)
class SiteOptions:
    """The site settings that change how content is read."""

    default_lang: str = "en"
    languages: frozenset[str] | None = None  # None: any language code in a file name
    timezone: str = "UTC"
    taxonomies: tuple[str, ...] = ("tags", "categories")
    permalinks: tuple[tuple[str, str, str], ...] = ()  # (kind, section, pattern)
    default_in_subdir: bool = False  # Hugo's defaultContentLanguageInSubdir
    ref_not_found_url: str = DEFAULT_NOT_FOUND_URL  # Hugo's refLinksNotFoundURL

    def lang_prefix(self, lang: str) -> str:
        """The URL prefix of a language: none for the default one (unless in a subdir)."""
        return "" if lang == self.default_lang and not self.default_in_subdir else f"/{lang}"


@dataclass
class SourcePage:
    """A content file read and normalized; pure data, ready to be imported."""

    source_path: str
    lang: str
    kind: str  # "page", "section", "home", "taxonomy" or "term"
    url_path: str
    hugo_path: str  # Hugo's .Path: the content path without language, e.g. /docs/foo
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
    link_title: str = ""
    translation_key: str = ""
    parent_path: str = ""  # the Hugo path of the section it belongs to (set by the site pass)
    cascade: Any = None  # front matter `cascade`: a mapping or a list of them
    rel_dir: str = ""
    refs: dict[str, str | None] = field(default_factory=dict)  # ref target -> URL (site pass)


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


MAX_URL = 1000  # pages.url_path holds 1,024 characters; room for /page/N/ lists
INT_LIMIT = 2**31  # an INTEGER column holds 32 bits on PostgreSQL


def _int(key: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ContentProblem(0, f"'{key}' must be a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ContentProblem(0, f"'{key}' must be a whole number, got {value!r}") from None
    if not -INT_LIMIT <= number < INT_LIMIT:
        raise ContentProblem(0, f"'{key}' must be between {-INT_LIMIT} and {INT_LIMIT - 1}, "
                             f"got {number}")
    return number


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


def _kind(entry: PageEntry, taxonomies: tuple[str, ...] = ()) -> str:
    if entry.name != "_index":
        return "page"
    if entry.rel_dir == "":
        return "home"
    parts = entry.rel_dir.split("/")
    if parts[0] in taxonomies:
        return "taxonomy" if len(parts) == 1 else "term"
    return "section"


def hugo_path(rel_dir: str, name: str) -> str:
    """Hugo's .Path of a content file: lower-cased, spaces as hyphens, no language or suffix."""
    parts = [p for p in rel_dir.split("/") if p]
    if name not in ("index", "_index"):
        parts.append(name)
    return "/" + "/".join(p.lower().replace(" ", "-") for p in parts)


def _permalink(entry: PageEntry, kind: str, title: str, slug: str | None,
               date: datetime | None, options: SiteOptions) -> str | None:
    parts = tuple(p for p in entry.rel_dir.split("/") if p)
    sections = parts[:-1] if entry.name == "index" else parts
    pattern_kind = "section" if kind == "section" else kind
    pattern = find_pattern(options.permalinks, pattern_kind, sections)
    if pattern is None:
        return None
    base = parts[-1] if entry.name in ("index", "_index") and parts else entry.name
    page = PermalinkPage(kind, sections, title, slug, base, date)
    return expand(pattern, page, options.timezone)


def _locate(problem: ContentProblem, lines: Sequence[str], key_finder: Callable[[str], int]) -> int:
    if problem.line:
        return problem.line
    quoted = problem.reason.split("'")
    return key_finder(quoted[1]) if len(quoted) > 2 else 1


def build_page(entry: PageEntry, text: str, options: SiteOptions) -> SourcePage:
    """Read one content file's text into a SourcePage; raises ContentProblem when it is bad."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ContentProblem(line, "the file holds a NUL character (binary data?)")
    fm = split_front_matter(text)
    data = fm.data
    if "\\u0000" in json.dumps(_jsonable(data)):
        raise ContentProblem(1, "front matter holds a NUL character (\\u0000)")
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


def _url(value: Any) -> str | None:
    """Front matter `url`: a site path; dot or empty segments would name another path."""
    url = _text("url", value).strip()
    if not url:
        return None
    segments = url.strip("/").split("/")
    if "//" in url or any(part in (".", "..") for part in segments):
        raise ContentProblem(0, f"'url' must be a plain path without '.', '..' or empty "
                             f"segments, got {url!r}")
    return url


def _build(entry: PageEntry, fm: Any, data: dict[str, Any], options: SiteOptions) -> SourcePage:
    lang = entry.lang or options.default_lang
    lang_prefix = options.lang_prefix(lang)
    kind = _kind(entry, options.taxonomies)
    slug = _text("slug", data.get("slug")).strip() or None
    url = _url(data.get("url"))
    title = _text("title", data.get("title"))
    dates = _dates(data, options.timezone)
    pattern = None if url else _permalink(entry, kind, title, slug, dates["date"], options)
    if pattern is not None:
        url_path = lang_prefix + pattern if lang_prefix else pattern
    else:
        url_path = page_url(entry.rel_dir, entry.name, "page" if kind == "page" else "section",
                            slug, url, lang_prefix)
    if len(url_path) > MAX_URL:
        raise ContentProblem(0, f"the page's URL would be {len(url_path)} characters long "
                             f"(at most {MAX_URL}); shorten 'slug', 'url' or the file name")
    parent_url = posixpath.dirname(url_path.rstrip("/")) or "/"
    aliases = [alias_path(a, parent_url) for a in _strings("aliases", data.get("aliases"))]
    terms: dict[str, list[str]] = {}
    for plural in options.taxonomies:
        terms[plural] = _unique_ignoring_case(_strings(plural, data.get(plural)))
    section = entry.rel_dir.split("/", 1)[0] if entry.rel_dir else ""
    path = hugo_path(entry.rel_dir, entry.name)
    key = _text("translationKey", data.get("translationkey")).strip()
    cascade = data.get("cascade")
    return SourcePage(
        source_path=entry.source_path,
        lang=lang,
        kind=kind,
        url_path=url_path,
        hugo_path=path,
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
        link_title=_text("linkTitle", data.get("linktitle")) or title,
        translation_key=f"{kind}/{key}" if key else f"{kind}{path}",
        cascade=_jsonable(cascade) if isinstance(cascade, dict | list) else None,
        rel_dir=entry.rel_dir,
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


def _unique_ignoring_case(values: Sequence[str]) -> list[str]:
    """``values`` in order, each dropped if an earlier one equals it ignoring case."""
    seen: set[str] = set()
    unique = []
    for value in values:
        if (folded := value.lower()) not in seen:
            seen.add(folded)
            unique.append(value)
    return unique
