"""Import a Hugo content tree into the database in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.content.errors import ContentError, ContentProblem
from app.content.pages import SiteOptions, SourcePage, build_page
from app.content.tree import PageEntry, entry_hash, scan
from app.models import Alias, BundleFile, Page, PageTerm, Term
from app.render.pipeline import RENDERER_VERSION, Rendered, RenderOptions, render, render_digest
from app.render.shortcodes.parser import ShortcodeSyntaxError
from app.services import bundles
from app.services.comments import reattach
from app.services.site_state import bump_generation

MAX_PAGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ImportOptions:
    """How to import: site settings, render settings and what to do with the result."""

    site: SiteOptions = field(default_factory=SiteOptions)
    toc_start: int = 2
    toc_end: int = 4
    summary_length: int = 70
    prune: bool = False
    dry_run: bool = False

    def fingerprint(self) -> str:
        """Settings that change what a page imports as; part of every page's hash."""
        return repr((RENDERER_VERSION, self.site, self.toc_start, self.toc_end,
                     self.summary_length))


@dataclass
class ImportReport:
    """What an import did, page by page."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    shortcodes: Counter[str] = field(default_factory=Counter)
    unknown_shortcodes: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """True when the run wrote (or, dry, would write) anything."""
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """One line: added, updated, unchanged, removed, errors, warnings."""
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        return (
            f"{prefix}{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings"
        )


@dataclass
class _Prepared:
    page: SourcePage
    rendered: Rendered
    digest: str


def _decode(entry: PageEntry, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ContentProblem(1, "binary file, not Markdown text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentProblem(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None


def render_options(page: SourcePage | Page, files: tuple, options: ImportOptions) -> RenderOptions:
    """The render options of a page, the same at import and at request time."""
    return RenderOptions(
        page_url=page.url_path,
        files=files,
        params=page.params,
        toc_start=options.toc_start,
        toc_end=options.toc_end,
        summary_length=options.summary_length,
        line_offset=page.body_line - 1,
    )


def _prepare(session: Session, entry: PageEntry, raw: bytes, options: ImportOptions,
             report: ImportReport, cache: bundles.FileInfoCache) -> _Prepared | None:
    try:
        if len(raw) > MAX_PAGE_BYTES:
            raise ContentProblem(0, f"file is larger than {MAX_PAGE_BYTES // 2**20} MB")
        page = build_page(entry, _decode(entry, raw), options.site)
        files = cache.page_files(page.url_path, entry.files)
        opts = render_options(page, files, options)
        rendered = render(page.body, opts)
    except ContentProblem as problem:
        report.errors.append(ContentError(entry.source_path, problem.line, problem.reason))
        return None
    except ShortcodeSyntaxError as exc:
        report.errors.append(ContentError(entry.source_path, exc.line, exc.reason))
        return None
    except RecursionError:
        report.errors.append(ContentError(entry.source_path, 0, "content nests too deeply"))
        return None
    for warning in rendered.warnings:
        line, _, reason = warning.partition(": ")
        number = int(line.removeprefix("line ")) if line.startswith("line ") else 0
        report.warnings.append(ContentError(entry.source_path, number, reason, "warning"))
    report.shortcodes.update(rendered.shortcodes)
    report.unknown_shortcodes.update(rendered.unknown_shortcodes)
    return _Prepared(page, rendered, render_digest(page.body, opts))


def _check_urls(prepared: list[_Prepared], taken: dict[str, str],
                report: ImportReport) -> list[_Prepared]:
    kept = []
    for item in prepared:
        owner = taken.get(item.page.url_path)
        if owner and owner != item.page.source_path:
            report.errors.append(ContentError(
                item.page.source_path, 1,
                f"URL {item.page.url_path} is already used by {owner}"))
            continue
        taken[item.page.url_path] = item.page.source_path
        kept.append(item)
    return kept


def import_content(
    session: Session,
    root: Path,
    options: ImportOptions | None = None,
    progress: Callable[[list[PageEntry]], Iterable[PageEntry]] | None = None,
) -> ImportReport:
    """Read a content tree and upsert it in one transaction; unchanged pages cost a hash."""
    options = options or ImportOptions()
    report = ImportReport(dry_run=options.dry_run)
    if not root.is_dir():
        raise FileNotFoundError(f"content folder not found: {root}")
    found = scan(root, options.site.languages)
    for problem in found.errors:
        (report.errors if problem.severity == "error" else report.warnings).append(problem)
    existing = {
        row.source_path: (row.id, row.source_hash, row.url_path)
        for row in session.execute(select(Page.source_path, Page.id, Page.source_hash,
                                          Page.url_path))
    }
    fingerprint = options.fingerprint()
    cache = bundles.FileInfoCache(session)
    prepared: list[_Prepared] = []
    entries = progress(found.pages) if progress else found.pages
    for entry in entries:
        try:
            raw = entry.abs_path.read_bytes()
        except OSError as exc:
            report.errors.append(ContentError(entry.source_path, 0,
                                              f"cannot read file: {exc.strerror}"))
            continue
        entry.source_hash = entry_hash(entry, raw, fingerprint)
        known = existing.get(entry.source_path)
        if known and known[1] == entry.source_hash:
            report.unchanged.append(entry.source_path)
            continue
        item = _prepare(session, entry, raw, options, report, cache)
        if item is not None:
            item.page.source_hash = entry.source_hash
            prepared.append(item)
    seen = {entry.source_path for entry in found.pages}
    stale = [path for path in existing if path not in seen] if options.prune else []
    changing = {item.page.source_path for item in prepared} | set(stale)
    taken = {url: path for path, (_, _, url) in existing.items() if path not in changing}
    prepared = _check_urls(prepared, taken, report)
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        for path in stale:
            session.execute(delete(Page).where(Page.id == existing[path][0]))
            report.removed.append(path)
        _release_urls(session, prepared, existing)
        for item in prepared:
            is_new = item.page.source_path not in existing
            _upsert(session, item, now, cache)
            (report.added if is_new else report.updated).append(item.page.source_path)
        if report.changed:
            session.flush()
            _drop_orphans(session)
            bump_generation(session)
        if options.dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _release_urls(session: Session, prepared: list[_Prepared],
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


def _upsert(session: Session, item: _Prepared, now: datetime,
            cache: bundles.FileInfoCache) -> None:
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
    for name in ("lang", "kind", "url_path", "section", "title", "description", "date",
                 "lastmod", "publish_date", "expiry_date", "draft", "weight", "params", "body",
                 "body_line", "source_hash"):
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
    from app.content.urls import term_slug

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


def _drop_orphans(session: Session) -> None:
    used = select(PageTerm.term_id)
    session.execute(delete(Term).where(Term.id.not_in(used)))
    bundles.drop_orphan_blobs(session)
