"""Writing imported pages to the database: rows, terms, aliases, bundle files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from app.content.pages import SourcePage
from app.content.titles import ap_title
from app.content.urls import term_slug
from app.models import Alias, BundleFile, Page, PageTerm, Term
from app.render.pipeline import Rendered
from app.services import DbSession
from app.services.comments.threads import reattach_all
from app.services.site import bundles

_COPIED = ("lang", "kind", "url_path", "section", "title", "description", "date", "lastmod",
           "publish_date", "expiry_date", "draft", "weight", "params", "body", "body_line",
           "source_hash", "hugo_path", "parent_path", "translation_key", "link_title", "refs")


@dataclass
class Prepared:
    """A page read and rendered, ready to be written."""

    page: SourcePage
    rendered: Rendered
    digest: str
    warnings: list[list[Any]] | None = None  # [[line, reason], ...] from rendering


def release_urls(session: DbSession, prepared: list[Prepared],
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


class Writer:
    """Writes one import's pages; knows the terms and aliases so that a page costs no lookups.

    Everything is read once up front (terms, alias owners, the rows of changed pages), new
    rows are flushed in batches, and comments left at a URL are reattached in one statement
    at the end.
    """

    FLUSH_EVERY = 200

    def __init__(self, session: DbSession, now: datetime, cache: bundles.FileInfoCache,
                 changed: list[str]) -> None:
        self.session = session
        self.now = now
        self.cache = cache
        self.terms = {(t.taxonomy, t.lang, t.slug): t for t in session.execute(
            select(Term)).scalars()}
        self.alias_owner: dict[str, int] = {
            path: owner for path, owner in session.execute(select(Alias.path, Alias.page_id))}
        self.pages: dict[str, Page] = {}
        for chunk in range(0, len(changed), 500):
            rows = session.execute(select(Page).where(
                Page.source_path.in_(changed[chunk:chunk + 500]))).scalars()
            self.pages.update((page.source_path, page) for page in rows)
        self.pending = 0

    def upsert(self, item: Prepared) -> None:
        """Insert or update one page with its terms, aliases and bundle files."""
        src, rendered = item.page, item.rendered
        page = self.pages.get(src.source_path)
        with self.session.no_autoflush:
            if page is None:
                page = Page(source_path=src.source_path)
                self.session.add(page)
            else:
                for alias in page.aliases:
                    self.alias_owner.pop(alias.path, None)
                page.aliases.clear()
                page.files.clear()
                page.terms.clear()
                self.session.flush()  # the old links go before the new ones come
            for name in _COPIED:
                setattr(page, name, getattr(src, name))
            page.summary_html = rendered.summary_html
            page.truncated = rendered.truncated
            page.plain_text = rendered.plain_text
            page.word_count = rendered.word_count
            page.reading_time = rendered.reading_time
            page.render_hash = item.digest
            page.warnings = item.warnings
            page.imported_at = self.now
            self._set_terms(page, src)
            self._set_aliases(page, src)
        bundles.attach_files(self.session, page, src.files, self.cache)
        self.pending += 1
        if self.pending >= self.FLUSH_EVERY:
            self.session.flush()
            self.pending = 0

    def finish(self) -> None:
        """Flush what is left and give pages back the comments left at their URLs."""
        self.session.flush()
        reattach_all(self.session)

    def _term(self, plural: str, lang: str, slug: str, name: str) -> Term:
        term = self.terms.get((plural, lang, slug))
        if term is None:
            term = Term(taxonomy=plural, lang=lang, slug=slug, name=name)
            self.session.add(term)
            self.terms[(plural, lang, slug)] = term
        return term

    def _set_terms(self, page: Page, src: SourcePage) -> None:
        for plural, names in src.terms.items():
            linked: set[str] = set()
            for position, name in enumerate(names):
                slug = term_slug(name)
                if not slug or slug in linked:
                    continue
                linked.add(slug)
                page.terms.append(PageTerm(term=self._term(plural, src.lang, slug, name),
                                           position=position))

    def _set_aliases(self, page: Page, src: SourcePage) -> None:
        for path in dict.fromkeys(src.aliases):
            if path in self.alias_owner or path == page.url_path:
                continue
            page.aliases.append(Alias(path=path))
            self.alias_owner[path] = page.id or 0


def drop_orphans(session: DbSession) -> None:
    """Remove terms no page uses any more, and blobs no file points at."""
    used = select(PageTerm.term_id)
    session.execute(delete(Term).where(Term.id.not_in(used)))
    bundles.drop_orphan_blobs(session)


def set_term_titles(session: DbSession, titles: Mapping[tuple[str, str, str], str]) -> None:
    """Give every term Hugo's title: its term page's, else its name in title case."""
    for term in session.execute(select(Term)).scalars():
        title = titles.get((term.taxonomy, term.lang, term.slug)) or ap_title(term.name)
        if term.title != title:
            term.title = title
