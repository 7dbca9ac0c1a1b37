"""Writing imported pages to the database: rows, terms, aliases, bundle files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update

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

# The tables new pages are written to with Core (executemany INSERTs).
_PAGES, _TERMS, _PAGE_TERMS, _ALIASES, _FILES = (
    cast(Table, model.__table__) for model in (Page, Term, PageTerm, Alias, BundleFile))


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


@dataclass
class _NewPage:
    """A new page waiting for its batch: its row, and the rows that point at it."""

    row: dict[str, Any]
    terms: list[tuple[int, int]]  # (term id, position)
    aliases: list[str]
    files: list[dict[str, Any]]  # bundle file rows without page_id


class Writer:
    """Writes one import's pages; knows the terms and aliases so that a page costs no lookups.

    Everything is read once up front (terms, alias owners, the rows of changed pages). New
    pages are written in batches of FLUSH_EVERY with executemany INSERTs (SQLAlchemy Core:
    the rows, then their terms, aliases and bundle files under the ids the database gave),
    which costs none of the ORM's bookkeeping; the rows are those the ORM would write (the
    columns' defaults apply the same way). Updated pages go through the ORM. Rows are
    inserted in the order pages come, whichever path writes them. Comments left at a URL
    are reattached in one statement at the end.
    """

    FLUSH_EVERY = 200

    def __init__(self, session: DbSession, now: datetime, cache: bundles.FileInfoCache,
                 changed: list[str]) -> None:
        self.session = session
        self.now = now
        self.cache = cache
        self.terms: dict[tuple[str, str, str], int] = {
            (taxonomy, lang, slug): term_id for taxonomy, lang, slug, term_id in session.execute(
                select(Term.taxonomy, Term.lang, Term.slug, Term.id)).tuples()}
        self.alias_owner: dict[str, int] = {
            path: owner for path, owner in session.execute(select(Alias.path, Alias.page_id))}
        self.pages: dict[str, Page] = {}
        for chunk in range(0, len(changed), 500):
            rows = session.execute(select(Page).where(
                Page.source_path.in_(changed[chunk:chunk + 500]))).scalars()
            self.pages.update((page.source_path, page) for page in rows)
        self.pending = 0
        self.new: list[_NewPage] = []

    def upsert(self, item: Prepared) -> None:
        """Insert or update one page with its terms, aliases and bundle files."""
        page = self.pages.get(item.page.source_path)
        if page is None:
            self._add(item)
            if len(self.new) >= self.FLUSH_EVERY:
                self._insert_new()
        else:
            self._update(page, item)

    def finish(self) -> None:
        """Write what is left and give pages back the comments left at their URLs."""
        self.session.flush()
        self._insert_new()
        reattach_all(self.session)

    def _columns(self, item: Prepared) -> dict[str, Any]:
        """The page's columns as an import sets them (the same for a new or updated page)."""
        src, rendered = item.page, item.rendered
        columns = {name: getattr(src, name) for name in _COPIED}
        columns.update(summary_html=rendered.summary_html, truncated=rendered.truncated,
                       plain_text=rendered.plain_text, word_count=rendered.word_count,
                       reading_time=rendered.reading_time, render_hash=item.digest,
                       warnings=item.warnings, imported_at=self.now)
        return columns

    def _add(self, item: Prepared) -> None:
        """Queue a new page for the next batch; its blobs are stored now (they are shared)."""
        src = item.page
        row = self._columns(item)
        row["source_path"] = src.source_path
        files = []
        for file in src.files:
            bundles.store_blob(self.session, file, self.cache)
            files.append({"rel_path": file.rel_path,
                          "url_path": bundles.file_url(src.url_path, file.rel_path),
                          "blob_sha256": file.sha256})
        self.new.append(_NewPage(row, self._term_links(src), self._new_aliases(src, 0), files))

    def _insert_new(self) -> None:
        """Insert the queued pages, then the rows that point at them."""
        if not self.new:
            return
        batch, self.new = self.new, []
        inserted = self.session.execute(
            insert(_PAGES).returning(_PAGES.c.source_path, _PAGES.c.id),
            [new.row for new in batch])
        ids: dict[str, int] = dict(inserted.tuples().all())
        terms, aliases, files = [], [], []
        for new in batch:
            page_id = ids[new.row["source_path"]]
            terms += [{"page_id": page_id, "term_id": term_id, "position": position}
                      for term_id, position in new.terms]
            aliases += [{"path": path, "page_id": page_id} for path in new.aliases]
            files += [{**file, "page_id": page_id} for file in new.files]
            for path in new.aliases:
                self.alias_owner[path] = page_id
        for table, rows in ((_PAGE_TERMS, terms), (_ALIASES, aliases), (_FILES, files)):
            if rows:
                self.session.execute(insert(table), rows)

    def _update(self, page: Page, item: Prepared) -> None:
        """Rewrite an imported page through the ORM (its old links go first)."""
        if self.new:  # rows are written in the order pages come
            self.session.flush()
            self._insert_new()
        src = item.page
        with self.session.no_autoflush:
            for alias in page.aliases:
                self.alias_owner.pop(alias.path, None)
            page.aliases.clear()
            page.files.clear()
            page.terms.clear()
            self.session.flush()  # the old links go before the new ones come
            for name, value in self._columns(item).items():
                setattr(page, name, value)
            page.terms.extend(PageTerm(term_id=term_id, position=position)
                              for term_id, position in self._term_links(src))
            page.aliases.extend(Alias(path=path) for path in self._new_aliases(src, page.id))
        bundles.attach_files(self.session, page, src.files, self.cache)
        self.pending += 1
        if self.pending >= self.FLUSH_EVERY:
            self.session.flush()
            self.pending = 0

    def _term_id(self, plural: str, lang: str, slug: str, name: str) -> int:
        """The term's id; a term met for the first time is inserted (its name as first met)."""
        key = (plural, lang, slug)
        term_id = self.terms.get(key)
        if term_id is None:
            term_id = self.session.execute(
                insert(_TERMS).returning(_TERMS.c.id),
                {"taxonomy": plural, "lang": lang, "slug": slug, "name": name}).scalar_one()
            self.terms[key] = term_id
        return term_id

    def _term_links(self, src: SourcePage) -> list[tuple[int, int]]:
        """(term id, position) of the page's terms: a name whose slug is empty or already
        linked in its taxonomy is skipped, positions are those in the front matter list."""
        links = []
        for plural, names in src.terms.items():
            linked: set[str] = set()
            for position, name in enumerate(names):
                slug = term_slug(name)
                if not slug or slug in linked:
                    continue
                linked.add(slug)
                links.append((self._term_id(plural, src.lang, slug, name), position))
        return links

    def _new_aliases(self, src: SourcePage, page_id: int) -> list[str]:
        """The page's aliases, each once, but not one another page has or its own URL."""
        paths = []
        for path in dict.fromkeys(src.aliases):
            if path in self.alias_owner or path == src.url_path:
                continue
            paths.append(path)
            self.alias_owner[path] = page_id
        return paths


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
