"""Writing imported pages to the database: rows, terms, aliases, bundle files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.content.pages import SourcePage
from app.content.titles import ap_title
from app.content.urls import term_slug
from app.models import Alias, BundleFile, Page, PageTerm, Term
from app.render.pipeline import Rendered
from app.services import bundles
from app.services.comments import reattach

_COPIED = ("lang", "kind", "url_path", "section", "title", "description", "date", "lastmod",
           "publish_date", "expiry_date", "draft", "weight", "params", "body", "body_line",
           "source_hash", "hugo_path", "parent_path", "translation_key", "link_title", "refs")


@dataclass
class Prepared:
    """A page read and rendered, ready to be written."""

    page: SourcePage
    rendered: Rendered
    digest: str


def release_urls(session: Session, prepared: list[Prepared],
                 existing: dict[str, tuple[int, str, str]]) -> None:
    """Free the URLs of pages about to move, so that pages can swap URLs in one run."""
    moving = [existing[item.page.source_path][0] for item in prepared
              if item.page.source_path in existing
              and existing[item.page.source_path][2] != item.page.url_path]
    for page_id in moving:
        session.execute(update(Page).where(Page.id == page_id)
                        .values(url_path=f"/.moving/{page_id}/"))
    if moving:
        session.execute(delete(BundleFile).where(BundleFile.page_id.in_(moving)))
        session.execute(delete(Alias).where(Alias.page_id.in_(moving)))


def upsert(session: Session, item: Prepared, now: datetime,
           cache: bundles.FileInfoCache) -> None:
    """Insert or update one page with its terms, aliases and bundle files."""
    src, rendered = item.page, item.rendered
    page = session.execute(
        select(Page).where(Page.source_path == src.source_path)
    ).scalar_one_or_none()
    if page is None:
        page = Page(source_path=src.source_path)
        session.add(page)
    else:
        page.aliases.clear()
        page.files.clear()
        page.terms.clear()
        session.flush()
    for name in _COPIED:
        setattr(page, name, getattr(src, name))
    page.summary_html = rendered.summary_html
    page.truncated = rendered.truncated
    page.plain_text = rendered.plain_text
    page.word_count = rendered.word_count
    page.reading_time = rendered.reading_time
    page.render_hash = item.digest
    page.imported_at = now
    session.flush()
    reattach(session, page)
    _set_terms(session, page, src)
    _set_aliases(session, page, src)
    bundles.attach_files(session, page, src.files, cache)


def _set_terms(session: Session, page: Page, src: SourcePage) -> None:
    for plural, names in src.terms.items():
        for position, name in enumerate(names):
            slug = term_slug(name)
            if not slug:
                continue
            term = session.execute(
                select(Term).where(Term.taxonomy == plural, Term.lang == src.lang,
                                   Term.slug == slug)
            ).scalar_one_or_none()
            if term is None:
                term = Term(taxonomy=plural, lang=src.lang, slug=slug, name=name)
                session.add(term)
                session.flush()
            if any(link.term_id == term.id for link in page.terms):
                continue
            page.terms.append(PageTerm(term_id=term.id, position=position))


def _set_aliases(session: Session, page: Page, src: SourcePage) -> None:
    for path in dict.fromkeys(src.aliases):
        clash = session.execute(select(Alias).where(Alias.path == path)).scalar_one_or_none()
        if clash is not None or path == page.url_path:
            continue
        page.aliases.append(Alias(path=path))


def drop_orphans(session: Session) -> None:
    """Remove terms no page uses any more, and blobs no file points at."""
    used = select(PageTerm.term_id)
    session.execute(delete(Term).where(Term.id.not_in(used)))
    bundles.drop_orphan_blobs(session)


def set_term_titles(session: Session, titles: Mapping[tuple[str, str, str], str]) -> None:
    """Give every term Hugo's title: its term page's, else its name in title case."""
    for term in session.execute(select(Term)).scalars():
        title = titles.get((term.taxonomy, term.lang, term.slug)) or ap_title(term.name)
        if term.title != title:
            term.title = title
