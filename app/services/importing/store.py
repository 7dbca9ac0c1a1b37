"""Writing imported pages to the database: rows, terms, aliases, bundle files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update

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

# The tables pages are written to with Core (executemany statements).
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
class _Queued:
    """A page waiting for its batch: its row, and the rows that point at it."""

    page_id: int | None  # None: a new page
    row: dict[str, Any]
    terms: list[tuple[int, int]]  # (term id, position)
    aliases: list[str]
    files: list[dict[str, Any]]  # bundle file rows without page_id


class Writer:
    """Writes one import's pages; knows the terms and aliases so that a page costs no lookups.

    Everything is read once up front (terms, alias owners, the ids of changed pages). Pages
    are written in batches of FLUSH_EVERY with executemany statements (SQLAlchemy Core), at
    none of the ORM's bookkeeping cost: the updated pages' old terms, aliases and bundle
    files are deleted and their rows updated, the new pages inserted, then every page's
    terms, aliases and bundle files inserted under the ids the database gave, in the order
    pages come. The rows are those the ORM would write (the columns' defaults apply the same
    way). Comments left at a URL are reattached in one statement at the end.
    """

    FLUSH_EVERY = 200

    def __init__(self, session: DbSession, now: datetime, cache: bundles.FileInfoCache,
                 ids: Mapping[str, int]) -> None:
        """`ids`: the stored pages' ids by source path (what the import read already)."""
        self.session = session
        self.now = now
        self.cache = cache
        self.ids = ids
        self.terms: dict[tuple[str, str, str], int] = {
            (taxonomy, lang, slug): term_id for taxonomy, lang, slug, term_id in session.execute(
                select(Term.taxonomy, Term.lang, Term.slug, Term.id)).tuples()}
        self.taken_aliases: set[str] = set()  # alias paths a page has (or is about to have)
        self.aliases_of: dict[int, list[str]] = {}
        for path, owner in session.execute(select(Alias.path, Alias.page_id)).tuples():
            self.taken_aliases.add(path)
            self.aliases_of.setdefault(owner, []).append(path)
        self.queued: list[_Queued] = []

    def upsert(self, item: Prepared) -> None:
        """Insert or update one page with its terms, aliases and bundle files (queued: they
        are written by the batch, or by finish)."""
        src = item.page
        page_id = self.ids.get(src.source_path)
        row = self._columns(item)
        if page_id is None:
            row["source_path"] = src.source_path
        else:
            row["b_id"] = page_id
            self.taken_aliases.difference_update(self.aliases_of.get(page_id, ()))  # freed
        files = []
        for file in src.files:
            bundles.store_blob(self.session, file, self.cache)
            files.append({"rel_path": file.rel_path,
                          "url_path": bundles.file_url(src.url_path, file.rel_path),
                          "blob_sha256": file.sha256})
        self.queued.append(_Queued(page_id, row, self._term_links(src), self._new_aliases(src),
                                   files))
        if len(self.queued) >= self.FLUSH_EVERY:
            self._write_batch()

    def finish(self) -> None:
        """Write what is left and give pages back the comments left at their URLs."""
        self._write_batch()
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

    def _write_batch(self) -> None:
        """Write the queued pages: updated pages' old links out, rows updated and inserted,
        then every page's new links."""
        if not self.queued:
            return
        batch, self.queued = self.queued, []
        updated = [queued for queued in batch if queued.page_id is not None]
        new = [queued for queued in batch if queued.page_id is None]
        if updated:
            ids = [queued.page_id for queued in updated]
            for table in (_PAGE_TERMS, _ALIASES, _FILES):
                self.session.execute(delete(table).where(table.c.page_id.in_(ids)))
            self.session.execute(update(_PAGES).where(_PAGES.c.id == bindparam("b_id")),
                                 [queued.row for queued in updated])
        if new:
            inserted = self.session.execute(
                insert(_PAGES).returning(_PAGES.c.source_path, _PAGES.c.id),
                [queued.row for queued in new])
            ids_of: dict[str, int] = dict(inserted.tuples().all())
            for queued in new:
                queued.page_id = ids_of[queued.row["source_path"]]
        terms, aliases, files = [], [], []
        for queued in batch:
            page_id = queued.page_id
            terms += [{"page_id": page_id, "term_id": term_id, "position": position}
                      for term_id, position in queued.terms]
            aliases += [{"path": path, "page_id": page_id} for path in queued.aliases]
            files += [{**file, "page_id": page_id} for file in queued.files]
        for table, rows in ((_PAGE_TERMS, terms), (_ALIASES, aliases), (_FILES, files)):
            if rows:
                self.session.execute(insert(table), rows)

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

    def _new_aliases(self, src: SourcePage) -> list[str]:
        """The page's aliases, each once, but not one another page has or its own URL."""
        paths = []
        for path in dict.fromkeys(src.aliases):
            if path in self.taken_aliases or path == src.url_path:
                continue
            paths.append(path)
            self.taken_aliases.add(path)
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
