"""Import a Hugo content tree into the database in one transaction.

Two passes: every page is read (parsed pages are kept in an optional cache across runs),
then the site pass works out what needs the whole site (sections, cascades, branch dates,
ref targets), and only pages whose file or site-derived data changed are rendered and written.

With the cache, a re-import costs what changed: a file whose stat (size, mtime, inode) is as
the last run recorded it is not read (git's rule, racily clean files read again: FileStates);
when only regular pages changed, and not their place in the site (_facts), the site pass
links those pages alone (_link_incremental); a watch that knows which files changed stats
those alone (_rescan_touched).
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import hashlib
import json
import logging
import marshal
import os
import re
import stat as stat_module
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from app.content.errors import ContentError, ContentProblem
from app.content.pages import SiteOptions, SourcePage, build_page
from app.content.refs import collect
from app.content.site import (
    BRANCH_KINDS,
    apply_cascades,
    link_site,
    page_dir,
    parent_of,
    ref_index,
    section_paths,
)
from app.content.tree import PageEntry, entry_hash_of, file_sha256, scan
from app.models import Page
from app.render.pipeline import RENDERER_VERSION, RenderOptions
from app.services import DbSession
from app.services.importing.render_pool import Outcome, render_many
from app.services.importing.store import (
    Prepared,
    Writer,
    drop_orphans,
    release_urls,
    set_term_titles,
)
from app.services.site import bundles
from app.services.site import settings as site_settings
from app.services.site.rendering import render_options
from app.services.site.settings import SiteSettings
from app.services.site.state import bump_generation

MAX_PAGE_BYTES = 16 * 1024 * 1024
# Python-Markdown's list and code parsing grows about as depth**2.6: 400 levels of list take
# seconds, 2,000 minutes. No real page indents a line this far.
MAX_INDENT_COLUMNS = 256
_DEEP_INDENT = re.compile(r"^[ \t]{64,}", re.MULTILINE)
log = logging.getLogger(__name__)
FORMAT = "site-3"  # bump when what an import stores per page changes (3: warnings)
# A file whose modification time is this close to (or after) the start of the scan that
# recorded its stat is "racily clean", as git says: it may have changed again within the
# same timestamp, so its stat alone does not vouch for it and it is read again. The margin
# covers file systems' coarse clocks (the kernel stamps files with a clock a tick behind).
RACY_MARGIN_NS = 2_000_000_000

Stat = tuple[int, int, int]  # size, mtime_ns, inode


@dataclass(frozen=True)
class Parsed:
    """A parsed page as the parse cache keeps it: without its body when the body is the end
    of the file's text (almost always), so that the cache holds metadata, not the site's
    text; `body_at` is where the body starts in the text, or -1 when `page.body` is kept.
    `collected` is what refs.collect found in the body (the site pass needs no body)."""

    page: SourcePage
    body_at: int
    collected: tuple[tuple[str, str | None], ...] = ()


_MEMORY_ONLY = ("last_scan", "touched", "dirty", "base", "fresh", "last_items", "stored")


class ParseCache(dict[tuple[str, str], Parsed]):
    """Parsed pages by (source path, file hash), and what the last scan saw of each file:
    `files` maps a file's absolute path to its stat and the SHA-256 of its bytes, recorded
    by the run whose scan started at `scanned_ns`. A file whose stat is unchanged (and was
    not racily clean) is not read again: an unchanged tree reads no file body."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, tuple[Stat, str]] = {}
        self.scanned_ns = 0
        # the last run's site pass, by source path: (entry hash, site hash, _facts), and
        # the sections it found; what an incremental site pass starts from
        self.linked: dict[str, tuple[str, str, bytes | None]] = {}
        self.sections: set[str] | None = None
        # Kept in memory only (a watch's cache): the last scan, and the paths that the OS
        # says changed since (None: unknown, scan the tree)
        self.last_scan: LastScan | None = None
        self.touched: set[str] | None = None
        self.fresh: set[str] | None = None  # the pages among them (source paths)
        self.last_items: tuple[str, dict[str, Item]] | None = None  # fingerprint, last pages
        self.dirty = True  # changed since loaded: to be saved
        self.base: Any = None  # the saved file it was loaded from (parse_cache.Base)
        self.stored: Path | None = None  # a watch's: where to store it after each run

    def __reduce__(self) -> tuple[Any, ...]:
        state = {k: v for k, v in self.__dict__.items() if k not in _MEMORY_ONLY}
        return (self.__class__, (), state, None, iter(self.items()))


@dataclass
class LastScan:
    """A scan's result, for a watch's next run: what it scanned, what it found."""

    key: tuple[Any, ...]
    entries: list[PageEntry]
    problems: list[ContentError]


def read_source(path: Path) -> bytes:
    """A content file's bytes: every page body the importer reads comes through here."""
    return path.read_bytes()


def _stat_key(info: os.stat_result) -> Stat:
    return (info.st_size, info.st_mtime_ns, info.st_ino)


class FileStates:
    """One run's view of the cache's file stats: what can be trusted, what was seen."""

    def __init__(self, cache: ParseCache | None) -> None:
        self.known = cache.files if cache is not None else {}
        # a file stamped at or after (a margin before) the recording scan is racily clean
        self.trusted_before = (cache.scanned_ns - RACY_MARGIN_NS) if cache is not None else 0
        self.seen: dict[str, tuple[Stat, str]] = {}
        self.started_ns = time.time_ns()

    def known_digest(self, path: Path, stat: Stat) -> str | None:
        """The file's recorded SHA-256 when its stat vouches for it, else None."""
        known = self.known.get(str(path))
        if known is None or known[0] != stat or stat[1] >= self.trusted_before:
            return None
        return known[1]

    def record(self, path: Path, stat: Stat, digest: str) -> None:
        self.seen[str(path)] = (stat, digest)

    def bundle_hasher(self, path: Path, info: os.stat_result) -> str:
        """tree.scan's hasher: a bundle file is hashed only when its stat is new."""
        stat = _stat_key(info)
        digest = self.known_digest(path, stat)
        if digest is None:
            digest = file_sha256(path)
        self.record(path, stat, digest)
        return digest

    def save_into(self, cache: ParseCache) -> None:
        """The stats seen, into the cache (kept as they were when none changed: the racy
        window stays the older scan's, which only errs on the side of reading)."""
        if self.seen != cache.files:
            cache.files = self.seen
            cache.scanned_ns = self.started_ns
            cache.dirty = True


@dataclass
class LazyBody:
    """Where an unread page's body is: its file, from `at`, if the file still hashes so."""

    path: Path
    at: int
    digest: str


@dataclass(frozen=True)
class ContentSource:
    """A further content folder, such as a language's own contentDir."""

    root: Path
    lang: str | None = None
    prefix: str = ""  # put before the source paths of its files


@dataclass(frozen=True)
class ImportOptions:
    """How to import: site settings, render settings and what to do with the result."""

    site: SiteOptions = field(default_factory=SiteOptions)
    # The site's settings the pages render with (settings.resolve: hugo.toml over the app's).
    render: SiteSettings = field(default_factory=SiteSettings)
    # The content folder is the source of truth, as with Hugo: a page whose file is gone is
    # removed (its comments stay, and come back with it), unless keep_missing. When the
    # folder has no page at all, nothing is removed unless prune says so (a wrong folder
    # must not empty the site).
    keep_missing: bool = False
    prune: bool = False
    dry_run: bool = False
    sources: tuple[ContentSource, ...] = ()
    settings: Mapping[str, Any] | None = None  # the site's settings to store, if any
    workers: int = 1  # processes that render when many pages changed

    def fingerprint(self) -> str:
        """Settings that change what a page imports as; part of every page's hash."""
        site = dataclasses.asdict(self.site)
        site["languages"] = sorted(self.site.languages or ())  # a set's order varies by run
        render = self.render
        return repr((RENDERER_VERSION, FORMAT, sorted(site.items()), render.toc_start,
                     render.toc_end, render.summary_length, render.has_cjk, render.emoji,
                     render.markup.key()))


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
    settings_changed: bool = False
    missing: list[str] = field(default_factory=list)  # files gone, their pages kept
    refused_empty: bool = False  # no page found: nothing removed without prune

    @property
    def changed(self) -> bool:
        """True when the run wrote (or, dry, would write) anything."""
        return bool(self.added or self.updated or self.removed or self.settings_changed)

    def summary(self) -> str:
        """One line: added, updated, unchanged, removed, errors, warnings."""
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        kept = f", {len(self.missing)} missing (kept)" if self.missing else ""
        return (
            f"{prefix}{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed{kept}, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings"
        )


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ContentProblem(1, "binary file, not Markdown text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentProblem(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    _check_indent(text)
    return text


def _check_indent(text: str) -> None:
    """Refuse lines indented past MAX_INDENT_COLUMNS: nesting that deep only slows rendering."""
    for found in _DEEP_INDENT.finditer(text):
        if len(found.group().expandtabs(4)) > MAX_INDENT_COLUMNS:
            line = text.count("\n", 0, found.start()) + 1
            raise ContentProblem(line, f"line is indented more than {MAX_INDENT_COLUMNS} "
                                 "columns: content nests too deeply")


def _scan(root: Path, options: ImportOptions, report: ImportReport, states: FileStates,
          cache: ParseCache) -> list[PageEntry]:
    key = (str(root.resolve()), options.site.languages,
           tuple((str(s.root), s.lang, s.prefix) for s in options.sources))
    entries = _rescan_touched(key, cache, states)
    if entries is not None:
        assert cache.last_scan is not None
        problems = cache.last_scan.problems
    else:
        skip = frozenset(s.root.resolve() for s in options.sources)
        hasher = states.bundle_hasher
        found = [scan(root, options.site.languages, skip=skip, hasher=hasher)]
        found += [scan(s.root, options.site.languages, s.lang, s.prefix, hasher=hasher)
                  for s in options.sources]
        problems = [p for f in found for p in f.errors]
        entries = [entry for f in found for entry in f.pages]
        cache.last_scan = LastScan(key, entries, problems)
    for problem in problems:
        (report.errors if problem.severity == "error" else report.warnings).append(problem)
    return entries


def _rescan_touched(key: tuple[Any, ...], cache: ParseCache,
                    states: FileStates) -> list[PageEntry] | None:
    """A watch's scan when the OS said which files changed: the last scan's pages, those
    files stat'ed again. None (scan the tree) unless every path is a page file the last
    scan found and still there, or a file that is gone and was never a page (an editor's
    temporary file)."""
    touched, last = cache.touched, cache.last_scan
    cache.touched = cache.fresh = None
    if touched is None or last is None or last.key != key:
        return None
    by_path = {str(entry.abs_path): entry for entry in last.entries}
    for path in touched:
        entry = by_path.get(path)
        if entry is None:
            if os.path.lexists(path):
                return None  # a new file, or one that is not a page
            continue
        try:
            info = os.lstat(path)
        except OSError:
            return None  # a page removed
        if not stat_module.S_ISREG(info.st_mode):
            return None
        entry.stat = info
    states.seen.update(states.known)  # the bundle files, not looked at again
    cache.fresh = {entry.source_path for path in touched if (entry := by_path.get(path))}
    return last.entries


def _read_raw(path: Path) -> bytes:
    raw = read_source(path)
    if len(raw) > MAX_PAGE_BYTES:
        raise ContentProblem(0, f"file is larger than {MAX_PAGE_BYTES // 2**20} MB")
    return raw


@dataclass
class Item:
    """A page read in pass 1: its file, its cache key and what parsing found."""

    entry: PageEntry
    key: tuple[str, str]  # (source path, entry hash)
    parsed: Parsed
    body: str
    lazy: LazyBody | None = None  # where the body is, when it was not read

    def page(self) -> SourcePage:
        """A page the site pass may change: a copy of the cached one, with its body."""
        page = copy.copy(self.parsed.page)  # shallow, as dataclasses.replace, without __init__
        page.params = _copy_params(self.parsed.page.params)
        page.body = self.body
        return page


def _read(entries: Iterable[PageEntry], options: ImportOptions, report: ImportReport,
          cache: ParseCache, states: FileStates,
          reuse: Mapping[str, Item] | None = None) -> tuple[list[Item], dict[str, LazyBody]]:
    """Pass 1: every page parsed (from the cache when its file did not change). A file whose
    stat vouches for it (FileStates) is not read: its page's body is left to load (the
    LazyBody returned by source path) when the page must render. `reuse`: the last run's
    pages whose files the OS says did not change (a watch), taken as they were."""
    fingerprint = options.fingerprint()
    items: list[Item] = []
    lazy: dict[str, LazyBody] = {}
    used: set[tuple[str, str]] = set()
    for entry in entries:
        if reuse is not None:
            known = reuse.get(entry.source_path)
            if known is not None and known.key in cache:
                used.add(known.key)
                items.append(known)
                if known.lazy is not None:
                    lazy[entry.source_path] = known.lazy
                continue
        key = (entry.source_path, "")
        try:
            # the scan's stat, or one now: before reading, as git does
            stat = _stat_key(entry.stat or os.stat(entry.abs_path))
            if stat[0] > MAX_PAGE_BYTES:
                raise ContentProblem(0, f"file is larger than {MAX_PAGE_BYTES // 2**20} MB")
            digest = states.known_digest(entry.abs_path, stat)
            raw = None
            if digest is None:
                raw = _read_raw(entry.abs_path)
                digest = hashlib.sha256(raw).hexdigest()
            entry.source_hash = entry_hash_of(entry, bytes.fromhex(digest), fingerprint)
            key = (entry.source_path, entry.source_hash)
            parsed = cache.get(key)
            if parsed is None and raw is None:  # known file, but not parsed with these settings
                raw = _read_raw(entry.abs_path)
                digest = hashlib.sha256(raw).hexdigest()
                entry.source_hash = entry_hash_of(entry, bytes.fromhex(digest), fingerprint)
                key = (entry.source_path, entry.source_hash)
                parsed = cache.get(key)
            text = None
            if parsed is None:
                assert raw is not None
                text = _decode(raw)
                parsed = cache[key] = _parsed(build_page(entry, text, options.site), text)
                cache.dirty = True
            body = parsed.page.body
            where = None
            if parsed.body_at >= 0:
                if raw is None:
                    where = lazy[entry.source_path] = LazyBody(entry.abs_path, parsed.body_at,
                                                               digest)
                else:
                    # the bytes hash as when they were parsed and checked: they decode as then
                    body = (text if text is not None else raw.decode("utf-8"))[parsed.body_at:]
        except OSError as exc:
            report.errors.append(ContentError(entry.source_path, 0,
                                              f"cannot read file: {exc.strerror}"))
            continue
        except ContentProblem as problem:
            report.errors.append(ContentError(entry.source_path, problem.line, problem.reason))
            continue
        except RecursionError:
            cache.pop(key, None)
            report.errors.append(ContentError(entry.source_path, 1,
                                              "front matter nests too deeply"))
            continue
        except Exception as exc:  # one bad file must not abort the import
            cache.pop(key, None)
            log.exception("unexpected error reading %s", entry.source_path)
            report.errors.append(ContentError(entry.source_path, 0,
                                              f"cannot be read: {type(exc).__name__}: {exc}"))
            continue
        states.record(entry.abs_path, stat, digest)
        used.add(key)
        items.append(Item(entry, key, parsed, body, where))
    for stale in set(cache) - used:
        del cache[stale]
        cache.dirty = True
    return items, lazy


def _facts(page: SourcePage) -> bytes | None:
    """A digest of what a regular page gives the rest of the site (sections, branch dates,
    ref targets), as parsed; None for a branch page (home, section, taxonomy, term): its
    cascade and dates reach its whole subtree."""
    if page.kind in BRANCH_KINDS:
        return None
    facts = (page.kind, page.lang, page.hugo_path, page.url_path, page.draft, page.date,
             page.lastmod, page.publish_date, sorted((k, tuple(v)) for k, v in page.terms.items()))
    return hashlib.blake2b(repr(facts).encode(), digest_size=16).digest()


def _link_incremental(items: list[Item], options: ImportOptions, cache: ParseCache,
                      existing: Mapping[str, tuple[int, str, str]]
                      ) -> tuple[dict[str, str], list[SourcePage]] | None:
    """The site pass for what changed only: every page's site hash (from the last run's for
    pages whose file did not change) and the changed pages, linked. None, for the whole
    pass, unless the only changes are regular pages whose place in the site (section, URL,
    dates, draft, terms: what sections, branch dates and ref targets are made of) is as it
    was, and the database holds what the last run linked."""
    before = cache.linked
    if not before or cache.sections is None or len(before) != len(items):
        return None
    changed: list[Item] = []
    for item in items:
        known = before.get(item.entry.source_path)
        if known is None:
            return None  # a page added (and, the counts being equal, one gone)
        if known[0] == item.key[1]:
            continue
        if known[2] is None or known[2] != _facts(item.parsed.page):
            return None
        changed.append(item)
    hashes = {path: known[1] for path, known in before.items()}
    changing = {item.entry.source_path for item in changed}
    for path, site_hash in hashes.items():
        stored = existing.get(path)
        if path not in changing and (stored is None or stored[1] != site_hash):
            return None  # the database is not what the last run left
    sections = cache.sections
    pages = [item.page() for item in changed]
    # what the changed pages take from above: their section's and its parents' cascades
    branches = [item.page() for item in items if item.parsed.page.kind in BRANCH_KINDS]
    for page in [*pages, *branches]:
        page.parent_path = parent_of(page.hugo_path, sections)
    apply_cascades([*pages, *branches], sections)
    index = None
    for item, page in zip(changed, pages, strict=True):
        if item.parsed.collected and index is None:
            # the ref targets are as before (see _facts): the index from the pages as parsed
            index = ref_index((i.parsed.page for i in items), options.site)
        page.refs = index.resolve_all(item.parsed.collected, page.lang, page_dir(page),
                                      options.site.ref_not_found_url) if index else {}
        page.source_hash = item.key[1]
        hashes[page.source_path] = _site_hash(page)
    return hashes, pages


def _load_bodies(pages: list[SourcePage], lazy: Mapping[str, LazyBody],
                 report: ImportReport) -> list[SourcePage]:
    """The bodies of the pages about to render that pass 1 did not read; a file that no
    longer hashes as its stat said (changed during this run) is an error: import again."""
    ready = []
    for page in pages:
        where = lazy.get(page.source_path)
        if where is not None:
            try:
                raw = _read_raw(where.path)
            except (OSError, ContentProblem) as exc:
                reason = (f"cannot read file: {exc.strerror}" if isinstance(exc, OSError)
                          else exc.reason)
                report.errors.append(ContentError(page.source_path, 0, reason))
                continue
            if hashlib.sha256(raw).hexdigest() != where.digest:
                report.errors.append(ContentError(
                    page.source_path, 0, "file changed during the import; import again"))
                continue
            page.body = raw.decode("utf-8")[where.at:]
        ready.append(page)
    return ready


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while the site is read: tens of thousands of small,
    acyclic, long-lived objects are made (pages, their params, the parse cache), and each
    collection would scan all of them again (a third of a re-import's time at 10,000 pages).
    Reference counting still frees what is dropped; collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parsed(built: SourcePage, text: str) -> Parsed:
    """What the cache keeps of a freshly parsed page: params as plain JSON data, the body
    left out when the text ends with it."""
    built.params = json.loads(json.dumps(built.params))
    refs = tuple(collect(built.body))
    if not text.endswith(built.body):
        return Parsed(built, -1, refs)
    at = len(text) - len(built.body)
    kept = copy.copy(built)
    kept.body = ""
    return Parsed(kept, at, refs)


def _copy_params(params: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of params that are plain JSON data (made so when cached): marshal copies
    such data exactly, several times faster than a JSON round trip."""
    copied: dict[str, Any] = marshal.loads(marshal.dumps(params))  # noqa: S302 - made just now
    return copied


def _site_hash(page: SourcePage) -> str:
    """The page's file hash combined with what the site pass gave it."""
    derived = json.dumps([page.params, page.parent_path, page.refs, str(page.date),
                          str(page.lastmod), str(page.publish_date)], sort_keys=True, default=str)
    return hashlib.sha256(f"{page.source_hash}\x00{derived}".encode()).hexdigest()


def _render_all(pages: list[SourcePage], options: ImportOptions, report: ImportReport,
                cache: bundles.FileInfoCache,
                progress: Callable[[list[PageEntry]], Iterable[PageEntry]] | None,
                entries: Mapping[str, PageEntry]) -> list[Prepared]:
    """Pass 2: render what changed (in worker processes when there is a lot of it)."""
    jobs: list[tuple[SourcePage, RenderOptions]] = []
    for page in pages:
        try:
            files = cache.page_files(page.url_path, page.files)
            jobs.append((page, render_options(page, files, options.render)))
        except Exception as exc:  # one bad page must not abort the import
            log.exception("unexpected error preparing %s", page.source_path)
            report.errors.append(ContentError(page.source_path, 0,
                                              f"cannot be rendered: {type(exc).__name__}: {exc}"))
    outcomes = render_many([(page.body, opts) for page, opts in jobs], options.workers)
    ticks = iter(progress([entries[page.source_path] for page, _ in jobs])) if progress else None
    prepared = []
    for (page, _), outcome in zip(jobs, outcomes, strict=True):
        if ticks is not None:
            next(ticks, None)
        item = _prepared(page, outcome, report)
        if item is not None:
            prepared.append(item)
    if ticks is not None:
        for _ in ticks:  # let a progress bar reach its end
            pass
    return prepared


def _render_warnings(warnings: Iterable[str]) -> list[list[Any]]:
    """The renderer's "line N: reason" warnings as [line, reason], as a page keeps them."""
    out: list[list[Any]] = []
    for warning in warnings:
        line, _, reason = warning.partition(": ")
        number = int(line.removeprefix("line ")) if line.startswith("line ") else 0
        out.append([number, reason])
    return out


def _report_warnings(report: ImportReport, source_path: str,
                     warnings: Iterable[list[Any]] | None) -> None:
    for line, reason in warnings or ():
        report.warnings.append(ContentError(source_path, int(line), str(reason), "warning"))


def _prepared(page: SourcePage, outcome: Outcome, report: ImportReport) -> Prepared | None:
    rendered = outcome.rendered
    if rendered is None:
        if outcome.detail:
            log.error("unexpected error rendering %s:\n%s", page.source_path, outcome.detail)
        report.errors.append(ContentError(page.source_path, outcome.line, outcome.reason))
        return None
    warnings = _render_warnings(rendered.warnings)
    _report_warnings(report, page.source_path, warnings)
    report.shortcodes.update(rendered.shortcodes)
    report.unknown_shortcodes.update(rendered.unknown_shortcodes)
    return Prepared(page, rendered, outcome.digest, warnings or None)


def _check_urls(prepared: list[Prepared], taken: dict[str, str],
                report: ImportReport) -> list[Prepared]:
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
    session: DbSession,
    root: Path,
    options: ImportOptions | None = None,
    progress: Callable[[list[PageEntry]], Iterable[PageEntry]] | None = None,
    parse_cache: ParseCache | None = None,
) -> ImportReport:
    """Read a content tree and upsert it in one transaction; unchanged pages are not rendered."""
    options = options or ImportOptions()
    report = ImportReport(dry_run=options.dry_run)
    if not root.is_dir():
        raise FileNotFoundError(f"content folder not found: {root}")
    cache = parse_cache if parse_cache is not None else ParseCache()
    states = FileStates(parse_cache)
    with gc_paused():
        entries = _scan(root, options, report, states, cache)
        existing = {
            path: (page_id, source_hash, url_path)
            for path, page_id, source_hash, url_path in session.execute(
                select(Page.source_path, Page.id, Page.source_hash, Page.url_path)).tuples()
        }
        stored_warnings = dict(session.execute(
            select(Page.source_path, Page.warnings).where(Page.warnings.is_not(None)))
            .tuples().all())
        reuse = None
        if cache.fresh is not None and cache.last_items is not None \
                and cache.last_items[0] == options.fingerprint():
            last = cache.last_items[1]
            reuse = {path: item for path, item in last.items() if path not in cache.fresh}
        items, lazy = _read(entries, options, report, cache, states, reuse)
        cache.last_items = (options.fingerprint(), {i.entry.source_path: i for i in items})
        linked = _link_incremental(items, options, cache, existing)
        if linked is None:  # the whole site pass
            pages = [item.page() for item in items]
            link_site(pages, options.site,
                      {item.entry.source_path: list(item.parsed.collected) for item in items})
            hashes = {page.source_path: _site_hash(page) for page in pages}
            now_linked = {item.entry.source_path: (item.key[1], hashes[item.entry.source_path],
                                                   _facts(item.parsed.page)) for item in items}
            sections = section_paths(pages)
            if now_linked != cache.linked or sections != cache.sections:
                cache.linked, cache.sections, cache.dirty = now_linked, sections, True
        else:
            hashes, pages = linked
            for page in pages:
                cache.linked[page.source_path] = (page.source_hash, hashes[page.source_path],
                                                  _facts(page))
                cache.dirty = True
        by_source = {page.source_path: page for page in pages}
        changed: list[SourcePage] = []
        for item in items:
            path = item.entry.source_path
            known = existing.get(path)
            if known and known[1] == hashes[path]:
                report.unchanged.append(path)
                _report_warnings(report, path, stored_warnings.get(path))
            else:
                page = by_source[path]
                page.source_hash = hashes[path]
                changed.append(page)
    by_path = {entry.source_path: entry for entry in entries}
    pending = {page.source_path: page for page in _load_bodies(changed, lazy, report)}
    if parse_cache is not None:
        states.save_into(parse_cache)
    file_cache = bundles.FileInfoCache(session)
    prepared = _render_all(list(pending.values()), options, report, file_cache, progress,
                           by_path)
    stale = _stale(existing, set(by_path), options, report)
    changing = {item.page.source_path for item in prepared} | set(stale)
    taken = {url: path for path, (_, _, url) in existing.items() if path not in changing}
    prepared = _check_urls(prepared, taken, report)
    titles = {(*p.hugo_path.strip("/").split("/", 1), p.lang): p.title
              for p in (item.parsed.page for item in items) if p.kind == "term" and p.title}
    try:
        file_cache.prepare_variants(f for item in prepared for f in item.page.files)
        _write(session, options, report, prepared, stale, existing, file_cache,
               {(plural, lang, slug): title for (plural, slug, lang), title in titles.items()})
    finally:
        file_cache.close()
    return report


def _stale(existing: Mapping[str, tuple[int, str, str]], seen: set[str],
           options: ImportOptions, report: ImportReport) -> list[str]:
    """The pages to remove: those whose files are gone (see ImportOptions.keep_missing)."""
    gone = sorted(path for path in existing if path not in seen)
    if not gone:
        return []
    if options.keep_missing or (not seen and not options.prune):
        report.missing = gone
        report.refused_empty = not options.keep_missing
        return []
    return gone


def _write(session: DbSession, options: ImportOptions, report: ImportReport,
           prepared: list[Prepared], stale: list[str],
           existing: dict[str, tuple[int, str, str]], cache: bundles.FileInfoCache,
           term_titles: Mapping[tuple[str, str, str], str]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        for path in stale:
            session.execute(delete(Page).where(Page.id == existing[path][0]))
            report.removed.append(path)
        release_urls(session, prepared, existing)
        writer = Writer(session, now, cache,
                        {path: page_id for path, (page_id, _, _) in existing.items()})
        for item in prepared:
            is_new = item.page.source_path not in existing
            writer.upsert(item)
            (report.added if is_new else report.updated).append(item.page.source_path)
        writer.finish()
        if options.settings is not None:
            report.settings_changed = site_settings.save(session, options.settings)
        if report.changed:
            session.flush()
            set_term_titles(session, term_titles)
            drop_orphans(session)
            bump_generation(session)
        if options.dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
