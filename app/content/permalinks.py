"""Hugo's permalink patterns (`[permalinks]`): `/:year/:month/:slug/` expanded for a page."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.content.dates import zone
from app.content.urls import urlize

_TOKEN_RE = re.compile(r":([a-z]+)")
_ZERO = datetime(1, 1, 1)


@dataclass(frozen=True)
class PermalinkPage:
    """What a pattern may use of a page."""

    kind: str
    sections: tuple[str, ...]  # content folders from the top, e.g. ("posts", "2023")
    title: str
    slug: str | None
    basename: str  # the file name without extension, or the bundle folder's name
    date: datetime | None  # naive UTC


def find_pattern(patterns: Iterable[tuple[str, str, str]], kind: str,
                 sections: tuple[str, ...]) -> str | None:
    """The pattern configured for a page kind in its section (the longest match wins)."""
    best: tuple[int, str] | None = None
    for pattern_kind, key, pattern in patterns:
        if pattern_kind != kind:
            continue
        parts = tuple(p for p in key.strip("/").split("/") if p)
        if parts and sections[: len(parts)] == parts and (best is None or len(parts) > best[0]):
            best = (len(parts), pattern)
    return best[1] if best else None


def _token(name: str, page: PermalinkPage, when: datetime) -> str | None:
    slug = urlize(page.slug) if page.slug else ""
    values = {
        "year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}",
        "monthname": when.strftime("%B").lower(), "weekday": str(when.isoweekday() % 7),
        "weekdayname": when.strftime("%A").lower(), "yearday": str(when.timetuple().tm_yday),
        "section": page.sections[0] if page.sections else "",
        "sections": "/".join(page.sections),
        "title": urlize(page.title),
        "slug": slug or urlize(page.title),
        "filename": urlize(page.basename),
        "contentbasename": urlize(page.basename),
        "slugorfilename": slug or urlize(page.basename),
        "slugorcontentbasename": slug or urlize(page.basename),
    }
    return values.get(name)


def expand(pattern: str, page: PermalinkPage, timezone: str = "UTC") -> str:
    """The URL path a pattern gives a page (tokens it does not know are kept as written)."""
    when = _ZERO
    if page.date is not None:
        when = page.date.replace(tzinfo=zone("UTC")).astimezone(zone(timezone))

    def replace(match: re.Match[str]) -> str:
        value = _token(match.group(1), page, when)
        return match.group(0) if value is None else value

    path = _TOKEN_RE.sub(replace, pattern)
    trailing = path.endswith("/")
    path = posixpath.normpath("/" + path.strip("/")) if path.strip("/") else "/"
    path = re.sub(r"/{2,}", "/", path)
    if trailing and not path.endswith("/"):
        path += "/"
    if not trailing and not posixpath.splitext(path)[1] and not path.endswith("/"):
        path += "/"
    return path
