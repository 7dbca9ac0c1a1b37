"""What feeds and the sitemap list: published pages, with Blowfish's exclusions applied.

Queries only: the feeds blueprint (app/feeds/) turns their results into RSS and XML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from app.content.urls import page_url
from app.models import BundleFile, Page, PageTerm, Term
from app.services import DbSession
from app.services.site.queries import published

BATCH = 100


def listed(page: Page) -> bool:
    """Blowfish's rule for feeds and sitemap: not `xml: false`, not an external link."""
    if page.param("xml") is False:
        return False
    external = page.param("externalurl")
    return not (isinstance(external, str) and external.startswith(("http://", "https://")))


def sitemap_params(page: Page) -> dict[str, Any]:
    """The page's `sitemap` front matter (changefreq, priority, disable), or {}."""
    value = page.param("sitemap")
    return value if isinstance(value, dict) else {}


def in_sitemap(page: Page) -> bool:
    """Listed, and not `sitemap: {disable: true}` (Hugo 0.125+)."""
    return listed(page) and sitemap_params(page).get("disable") is not True


def _newest(session: DbSession, where: Iterable[ColumnElement[bool]], limit: int) -> list[Page]:
    """Up to `limit` published, listed pages matching `where`, newest first."""
    query = (
        select(Page).where(published(), *where)
        .order_by(Page.date.desc().nulls_last(), Page.title, Page.url_path)
        .options(selectinload(Page.files).joinedload(BundleFile.blob))
    )
    found: list[Page] = []
    offset = 0
    while len(found) < limit:
        batch = list(session.execute(query.limit(BATCH).offset(offset)).scalars())
        found.extend(page for page in batch if listed(page))
        if len(batch) < BATCH:
            break
        offset += BATCH
    return found[:limit]


def _tagged(term: Term) -> ColumnElement[bool]:
    """The condition for pages that use a term."""
    return Page.id.in_(select(PageTerm.page_id).where(PageTerm.term_id == term.id))


def newest_in_sections(session: DbSession, lang: str, sections: Iterable[str],
                       limit: int) -> list[Page]:
    """The newest listed regular pages of a language in these top-level sections."""
    return _newest(session, [Page.kind == "page", Page.lang == lang,
                            Page.section.in_(list(sections))], limit)


def newest_of_language(session: DbSession, lang: str, limit: int) -> list[Page]:
    """The newest listed regular pages of a language, whatever their section."""
    return _newest(session, [Page.kind == "page", Page.lang == lang], limit)


def newest_in_section(session: DbSession, lang: str, section: str, limit: int) -> list[Page]:
    """The newest listed regular pages of one top-level section."""
    return _newest(session, [Page.kind == "page", Page.lang == lang, Page.section == section],
                  limit)


def newest_tagged(session: DbSession, term: Term, limit: int) -> list[Page]:
    """The newest listed pages (of any kind) that use a term."""
    return _newest(session, [_tagged(term)], limit)


def term_is_used(session: DbSession, term: Term) -> bool:
    """Whether a published page uses the term (listed or not): else it has no feed."""
    used = select(Page.id).where(published(), _tagged(term)).limit(1)
    return session.execute(used).first() is not None


def section_url(section: str, lang_prefix: str = "") -> str:
    """The URL path Hugo gives a top-level section's list page (unescaped)."""
    return page_url(section, "_index", "section", lang_prefix=lang_prefix)


def sections_with_pages(session: DbSession, lang: str) -> list[str]:
    """Top-level sections that hold at least one published regular page."""
    rows = session.execute(
        select(Page.section).where(Page.kind == "page", Page.lang == lang, Page.section != "",
                                   published()).distinct().order_by(Page.section)
    )
    return [row[0] for row in rows]


def implicit_section(session: DbSession, url_path: str, lang: str) -> str | None:
    """The section whose list lives at `url_path` though it has no _index.md."""
    for section in sections_with_pages(session, lang):
        if section_url(section) == url_path:
            return section
    return None


@dataclass(frozen=True)
class DatedTerm:
    """A term with the newest date among its published pages."""

    term: Term
    date: datetime | None
    lastmod: datetime | None


def dated_terms(session: DbSession, taxonomy: str, lang: str, limit: int) -> list[DatedTerm]:
    """Terms with published pages, the most recently used first (Hugo's date order)."""
    newest_date = func.max(Page.date)
    rows = session.execute(
        select(Term, newest_date, func.max(func.coalesce(Page.lastmod, Page.date)))
        .join(PageTerm, PageTerm.term_id == Term.id)
        .join(Page, Page.id == PageTerm.page_id)
        .where(Term.taxonomy == taxonomy, Term.lang == lang, published())
        .group_by(Term.id)
        .order_by(newest_date.desc().nulls_last(), func.lower(Term.name))
        .limit(limit)
    ).all()
    return [DatedTerm(term, date, lastmod) for term, date, lastmod in rows]


def page_lastmod(page: Page) -> datetime | None:
    """Hugo's .Lastmod for a page: lastmod, else date."""
    return page.lastmod or page.date


def _newest_by(session: DbSession, *keys: Any) -> dict[tuple[Any, ...], datetime]:
    stamp = func.max(func.coalesce(Page.lastmod, Page.date))
    rows = session.execute(
        select(*keys, stamp).where(Page.kind == "page", published()).group_by(*keys)
    ).all()
    return {tuple(row[:-1]): row[-1] for row in rows if row[-1] is not None}


@dataclass(frozen=True)
class SitemapPage:
    """A URL path the site serves as a page, with its last modification."""

    url_path: str
    lastmod: datetime | None
    page: Page | None  # None for the implicit home and section lists


def sitemap_pages(session: DbSession, default_lang: str,
                  taxonomies: Iterable[str]) -> list[SitemapPage]:
    """Every published page, section list and home page; no taxonomy or term lists."""
    taxonomies = tuple(taxonomies)
    by_lang = _newest_by(session, Page.lang)
    by_section = _newest_by(session, Page.lang, Page.section)
    found: dict[str, SitemapPage] = {}
    rows = session.execute(select(Page).where(published()).order_by(Page.url_path)).scalars()
    for page in rows:
        if page.kind in ("taxonomy", "term") or (page.kind == "section"
                                                 and page.section in taxonomies):
            continue  # Blowfish: [sitemap] excludedKinds = ["taxonomy", "term"]
        if not in_sitemap(page):
            continue
        stamp = page_lastmod(page)
        if stamp is None and page.kind == "home":
            stamp = by_lang.get((page.lang,))
        elif stamp is None and page.kind == "section":
            stamp = by_section.get((page.lang, page.section))
        found.setdefault(page.url_path, SitemapPage(page.url_path, stamp, page))
    if "/" not in found and not _published_at(session, "/"):
        found["/"] = SitemapPage("/", by_lang.get((default_lang,)), None)
    for section in sections_with_pages(session, default_lang):
        url = section_url(section)
        if section not in taxonomies and url not in found and not _published_at(session, url):
            found[url] = SitemapPage(url, by_section.get((default_lang, section)), None)
    return sorted(found.values(), key=lambda entry: (entry.url_path != "/", entry.url_path))


def _published_at(session: DbSession, url_path: str) -> bool:
    """True when a published page lives at this URL (one left out above stays out)."""
    return session.execute(
        select(Page.id).where(Page.url_path == url_path, published())
    ).first() is not None
