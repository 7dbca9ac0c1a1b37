"""Queries for published pages, terms, aliases and bundle files."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import defer, selectinload

from app.models import Alias, Blob, BundleFile, Page, PageTerm, Term
from app.services import DbSession

_Query = TypeVar("_Query", bound=Select[Any])
# How a caller keeps a list's counts (they change only with the site generation and the
# visibility epoch): (a name for the list, how to count it) -> the counts. The default counts.
Totals = Callable[[str, Callable[[], tuple[int, ...]]], tuple[int, ...]]


def _count_now(_name: str, count: Callable[[], tuple[int, ...]]) -> tuple[int, ...]:
    return count()


def _count(session: DbSession, query: Select[Any]) -> int:
    """The rows of a select (its order dropped)."""
    return int(session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


def utcnow() -> datetime:
    """Now as a naive UTC datetime, the way dates are stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def published(now: datetime | None = None) -> ColumnElement[bool]:
    """The condition for a page readers may see: not draft, published, not expired."""
    now = now or utcnow()
    return and_(
        Page.draft.is_(False),
        or_(Page.publish_date.is_(None), Page.publish_date <= now),
        or_(Page.expiry_date.is_(None), Page.expiry_date > now),
    )


def _with_terms(query: _Query) -> _Query:
    return query.options(selectinload(Page.terms).joinedload(PageTerm.term))


def find_page(session: DbSession, url_path: str) -> Page | None:
    """The published page at a URL path (with its trailing slash), or None."""
    query = select(Page).where(Page.url_path == url_path, published())
    return session.execute(
        _with_terms(query).options(selectinload(Page.files).joinedload(BundleFile.blob))
    ).scalar_one_or_none()


def page_exists(session: DbSession, url_path: str) -> bool:
    """True when a published page lives at exactly this URL path."""
    return session.execute(
        select(Page.id).where(Page.url_path == url_path, published())
    ).first() is not None


def find_alias(session: DbSession, path: str) -> str | None:
    """The URL a published page's alias points to, or None."""
    target = session.execute(
        select(Page.url_path).join(Alias, Alias.page_id == Page.id).where(
            Alias.path.in_((path, path.rstrip("/") or "/", path.rstrip("/") + "/")), published()
        )
    ).first()
    return target[0] if target else None


def find_file(session: DbSession, url_path: str) -> tuple[BundleFile, bytes] | None:
    """A bundle file of a published page, with its bytes."""
    row = session.execute(
        select(BundleFile, Blob.data)
        .join(Blob, Blob.sha256 == BundleFile.blob_sha256)
        .join(Page, Page.id == BundleFile.page_id)
        .where(BundleFile.url_path == url_path, published())
    ).first()
    return (row[0], row[1]) if row else None


def main_sections(session: DbSession, lang: str,
                  configured: list[str] | None = None) -> list[str]:
    """The site's mainSections when it sets them, else Hugo's default: the top-level
    section with the most regular pages (ties: the first by name)."""
    if configured is not None:
        return list(configured)
    row = session.execute(
        select(Page.section, func.count())
        .where(Page.kind == "page", Page.lang == lang, Page.section != "", published())
        .group_by(Page.section)
        .order_by(func.count().desc(), Page.section)
    ).first()
    return [row[0]] if row else []


def taxonomy_used(session: DbSession, taxonomy: str, lang: str) -> bool:
    """Whether a published page in `lang` uses a term of the taxonomy."""
    return session.execute(
        select(Page.id).join(PageTerm, PageTerm.page_id == Page.id)
        .join(Term, Term.id == PageTerm.term_id)
        .where(Term.taxonomy == taxonomy, Term.lang == lang, published()).limit(1)
    ).first() is not None


@dataclass(frozen=True)
class Paged:
    """One page of a list: its items, the total, and where it stands."""

    items: list[Page]
    total: int
    number: int  # 1-based
    size: int

    @property
    def pages(self) -> int:
        """How many list pages there are (at least one)."""
        return max(1, -(-self.total // self.size))


def _paged(session: DbSession, query: Select[tuple[Page]], number: int, size: int,
           name: str, totals: Totals) -> Paged:
    """One list page of `query` (a select of Page with its order); `name` names the list
    for `totals`, which may keep its count.

    Ids first: sorting narrow rows (an index can serve them) instead of whole pages with
    their bodies, then only the page's rows are loaded.
    """
    ids_query = query.with_only_columns(Page.id)
    (total,) = totals(name, lambda: (_count(session, ids_query),))
    ids = list(session.execute(ids_query.limit(size).offset((number - 1) * size)).scalars())
    return Paged(_load(session, ids), total, number, size)


def _load(session: DbSession, ids: list[int]) -> list[Page]:
    """Pages by id, with their terms, in the order of ids."""
    if not ids:
        return []
    found = {page.id: page for page in session.execute(
        _with_terms(select(Page).where(Page.id.in_(ids)))
        .options(defer(Page.body), defer(Page.plain_text))).scalars()}
    return [found[i] for i in ids if i in found]


def recent_pages(session: DbSession, lang: str, sections: list[str] | None = None,
                 number: int = 1, size: int = 10, totals: Totals = _count_now) -> Paged:
    """Published regular pages, newest first, one list page of them."""
    query = select(Page).where(Page.kind == "page", Page.lang == lang, published())
    if sections is not None:
        query = query.where(Page.section.in_(sections))
    query = query.order_by(Page.date.desc().nulls_last(), Page.title, Page.url_path)
    return _paged(session, query, number, size, f"recent:{lang}:{sections}", totals)


def _by_date(query: _Query) -> _Query:
    """Hugo's order among pages of equal weight: date (newest first), link title, path."""
    return query.order_by(Page.date.desc().nulls_last(), Page.link_title, Page.title,
                          Page.url_path)


def section_children(session: DbSession, parent_path: str, lang: str, number: int = 1,
                     size: int = 10, totals: Totals = _count_now) -> Paged:
    """A list page's entries as Hugo's .Pages: its pages and sub-sections, in Hugo's order.

    Hugo sorts by weight with 0 last, then date. Asked as two queries, weighted pages first
    and then the (usually many) unweighted ones, each is an index walk that stops after the
    list page instead of a sort of the whole section.
    """
    base = select(Page.id).where(Page.kind.in_(("page", "section")), Page.lang == lang,
                                 Page.parent_path == parent_path, published())
    weighted = _by_date(base.where(Page.weight != 0).order_by(Page.weight))
    plain = _by_date(base.where(Page.weight == 0))
    n_weighted, n_plain = totals(f"children:{lang}:{parent_path}", lambda: (
        _count(session, weighted), _count(session, plain)))
    offset = (number - 1) * size
    ids: list[int] = []
    if offset < n_weighted:
        ids += session.execute(weighted.limit(size).offset(offset)).scalars()
    if len(ids) < size:
        ids += session.execute(plain.limit(size - len(ids))
                               .offset(max(0, offset - n_weighted))).scalars()
    return Paged(_load(session, ids), n_weighted + n_plain, number, size)


def translations(session: DbSession, page: Page) -> list[Page]:
    """The page in the site's other languages (published ones), as Hugo links them."""
    if not page.translation_key:
        return []
    query = select(Page).where(Page.translation_key == page.translation_key,
                               Page.lang != page.lang, published())
    return list(session.execute(query).scalars())


def languages(session: DbSession) -> list[str]:
    """The languages pages are written in."""
    return sorted(row[0] for row in session.execute(select(Page.lang).distinct()))


@dataclass(frozen=True)
class TermCount:
    """A term with the number of published pages using it."""

    term: Term
    count: int


def terms_with_counts(session: DbSession, taxonomy: str, lang: str) -> list[TermCount]:
    """Every term of a taxonomy with its published page count, by name."""
    rows = session.execute(
        select(Term, func.count(Page.id))
        .join(PageTerm, PageTerm.term_id == Term.id)
        .join(Page, and_(Page.id == PageTerm.page_id, published()))
        .where(Term.taxonomy == taxonomy, Term.lang == lang)
        .group_by(Term.id)
        .order_by(func.lower(Term.name))
    ).all()
    return [TermCount(term, count) for term, count in rows]


def find_term(session: DbSession, taxonomy: str, slug: str, lang: str) -> Term | None:
    """A term by its slug."""
    return session.execute(
        select(Term).where(Term.taxonomy == taxonomy, Term.slug == slug, Term.lang == lang)
    ).scalar_one_or_none()


def terms_on_pages_only(session: DbSession) -> bool:
    """True when only regular pages (no sections or other list pages) carry terms."""
    # Driven from the (few) list pages, each probed in page_terms' primary key.
    carries = select(PageTerm.page_id).where(PageTerm.page_id == Page.id).exists()
    return session.execute(
        select(Page.id).where(Page.kind != "page", carries).limit(1)).first() is None


def term_pages(session: DbSession, term: Term, number: int = 1, size: int = 10,
               pages_only: bool = False, totals: Totals = _count_now) -> Paged:
    """Published pages using a term, newest first, one list page of them.

    With `pages_only` (no section or other list page uses any term: see terms_on_pages_only),
    the list walks the newest-first index of the term's language and keeps the term's pages,
    instead of sorting them all.
    """
    tagged = select(PageTerm.page_id).where(PageTerm.term_id == term.id)
    query = select(Page).where(Page.id.in_(tagged), published())
    if pages_only:
        query = query.where(Page.lang == term.lang, Page.kind == "page")
    query = query.order_by(Page.date.desc().nulls_last(), Page.title, Page.url_path)
    return _paged(session, query, number, size, f"term:{term.id}:{pages_only}", totals)


def neighbours(session: DbSession, page: Page) -> tuple[Page | None, Page | None]:
    """The previous (older) and next (newer) published page of the same section."""
    if page.date is None:
        return None, None
    same = (Page.kind == "page", Page.parent_path == page.parent_path,
            Page.section == page.section, Page.lang == page.lang, published(), Page.id != page.id)
    older = session.execute(
        select(Page).where(*same, Page.date <= page.date, or_(
            Page.date < page.date, Page.url_path < page.url_path))
        .order_by(Page.date.desc(), Page.url_path.desc()).limit(1)
    ).scalar_one_or_none()
    newer = session.execute(
        select(Page).where(*same, Page.date >= page.date, or_(
            Page.date > page.date, Page.url_path > page.url_path))
        .order_by(Page.date, Page.url_path).limit(1)
    ).scalar_one_or_none()
    return older, newer


def related(session: DbSession, page: Page, limit: int = 3) -> list[Page]:
    """Published pages sharing the most terms with this one, newest first among equals."""
    term_ids = [link.term_id for link in page.terms]
    if not term_ids:
        return []
    shared = func.count(PageTerm.term_id).label("shared")
    ids = list(session.execute(
        select(Page.id).join(PageTerm, PageTerm.page_id == Page.id)
        .where(PageTerm.term_id.in_(term_ids), Page.id != page.id, Page.kind == "page",
               Page.lang == page.lang, published())
        .group_by(Page.id, Page.date, Page.url_path)
        .order_by(shared.desc(), Page.date.desc().nulls_last(), Page.url_path)
        .limit(limit)
    ).scalars())
    return _load(session, ids)


_EPOCH = datetime(1970, 1, 1)


def visibility_boundaries(session: DbSession, now: datetime | None = None) -> list[datetime]:
    """The publish and expiry moments still ahead: lists change when the clock passes one.

    Moments already past never change what is visible again, so they are left out (a site
    whose every page has a publishDate would otherwise read them all after each change).
    """
    now = now or utcnow()
    publish = select(Page.publish_date).where(Page.publish_date > now)
    expiry = select(Page.expiry_date).where(Page.expiry_date > now)
    moments = {row[0] for row in session.execute(publish.union(expiry))}
    return sorted(moments)


def visibility_epoch(boundaries: list[datetime], now: datetime | None = None) -> int:
    """The next of those moments (microseconds since 1970; 0 when none): part of page keys.

    It names the stretch of time during which what is visible cannot change, the same in
    every worker whenever its list was read (all list the moments still ahead of them).
    """
    index = bisect.bisect_right(boundaries, now or utcnow())
    if index == len(boundaries):
        return 0
    return (boundaries[index] - _EPOCH) // timedelta(microseconds=1)
