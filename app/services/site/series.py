"""Blowfish's series box (layouts/partials/series/*.html): the posts of a page's first
`series` term in Blowfish's order, with the page's place among them.

Blowfish lists `index .Site.Taxonomies.series (lower (index .Params.series 0))` sorted by
`Params.series_order`: Hugo's `sort` is stable, so posts with the same (or no) order keep
the taxonomy's own order (taxonomy weight `series_weight`, then Hugo's default page order:
weight with 0 last, date newest first, link title, file). Posts without a `series_order`
come last. It needs the `series` taxonomy (hugo.toml `[taxonomies] series = "series"`, as
Blowfish's documentation says): without it a page's `series` is a plain param, and there is
no box.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.models import Page, PageTerm, Term
from app.services import DbSession
from app.services.site.article import article_flag
from app.services.site.queries import published

TAXONOMY = "series"
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class SeriesEntry:
    """One post of a series, as the box lists it."""

    title: str
    url_path: str
    order: int | float | None  # its series_order (None when it has none)
    number: int  # its place in the list, from 1
    current: bool

    @property
    def label(self) -> int | float:
        """The part number Blowfish shows: series_order, else the place in the list."""
        return self.order if self.order is not None else self.number


@dataclass(frozen=True)
class Series:
    """A page's series: its name as the page writes it, its term, and every post in it."""

    name: str
    term: Term
    entries: tuple[SeriesEntry, ...]
    opened: bool  # seriesOpened

    @property
    def index(self) -> int:
        """Where the page stands in `entries` (0-based)."""
        return next(i for i, entry in enumerate(self.entries) if entry.current)

    @property
    def position(self) -> int:
        """The page's place, from 1 ("Part 2 of 3")."""
        return self.index + 1

    @property
    def total(self) -> int:
        """How many posts the series has."""
        return len(self.entries)

    @property
    def previous(self) -> SeriesEntry | None:
        """The post before this one in the series."""
        return self.entries[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> SeriesEntry | None:
        """The post after this one in the series."""
        index = self.index
        return self.entries[index + 1] if index + 1 < len(self.entries) else None


def _number(value: Any) -> int | float | None:
    """A series_order as a number (Hugo compares numbers as numbers), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _param(params: Mapping[str, Any] | None, key: str) -> Any:
    return (params or {}).get(key)


def _first_name(page: Page) -> str | None:
    raw = page.param(TAXONOMY)
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, Sequence) and raw and isinstance(raw[0], str):
        return raw[0].strip() or None
    return None


def _first_term(page: Page) -> Term | None:
    for link in page.terms:  # front matter order
        if link.term.taxonomy == TAXONOMY:
            return link.term
    return None


@dataclass(frozen=True)
class _Row:
    id: int
    title: str
    link_title: str
    url_path: str
    date: datetime | None
    weight: int
    source_path: str
    params: Mapping[str, Any] | None


def _taxonomy_order(row: _Row) -> tuple[Any, ...]:
    """Hugo's WeightedPages order: taxonomy weight, then its default page order."""
    weight = _number(_param(row.params, f"{TAXONOMY}_weight")) or 0
    newest_first = -(row.date - _EPOCH).total_seconds() if row.date else float("inf")
    return (weight, row.weight == 0, row.weight, newest_first, row.link_title or row.title,
            row.source_path)


def _sorted(rows: list[_Row]) -> list[_Row]:
    def by_order(row: _Row) -> tuple[int, int | float]:
        order = _number(_param(row.params, "series_order"))
        return (0, order) if order is not None else (1, 0)

    # Blowfish's sort by series_order is stable: ties keep the taxonomy's order.
    return sorted(sorted(rows, key=_taxonomy_order), key=by_order)


def page_series(session: DbSession, page: Page, defaults: Mapping[str, Any]) -> Series | None:
    """The series box of a page (None when it is in no series), in one query."""
    term = _first_term(page)
    if term is None:
        return None
    found = session.execute(
        select(Page.id, Page.title, Page.link_title, Page.url_path, Page.date, Page.weight,
               Page.source_path, Page.params)
        .join(PageTerm, PageTerm.page_id == Page.id)
        .where(PageTerm.term_id == term.id, published())
    ).all()
    rows = _sorted([_Row(*row) for row in found])
    if not any(row.id == page.id for row in rows):
        return None
    entries = tuple(
        SeriesEntry(title=row.title or row.link_title or row.url_path, url_path=row.url_path,
                    order=_number(_param(row.params, "series_order")), number=number,
                    current=row.id == page.id)
        for number, row in enumerate(rows, start=1))
    return Series(name=_first_name(page) or term.name, term=term, entries=entries,
                  opened=article_flag(page, defaults, "seriesOpened"))
