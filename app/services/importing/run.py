"""One import run: where the content is, the options it imports with, the parse cache's
place, the import itself and the WAL truncation after it.

The CLI (`flask content import`, `--watch`) and `bench/` call this; it takes what it needs
as arguments (the app's config values, a session and an engine) and knows no Flask.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.content.errors import ContentProblem
from app.content.pages import SiteOptions
from app.content.refs import DEFAULT_NOT_FOUND_URL
from app.content.site_config import SiteConfig, load_site_config
from app.content.tree import PageEntry
from app.services import DbSession
from app.services.importing import parse_cache as parse_store
from app.services.importing.importer import (
    ContentSource,
    ImportOptions,
    ImportReport,
    ParseCache,
    import_content,
)
from app.services.importing.wal import truncate_wal
from app.services.site import settings as site_settings

Progress = Callable[[list[PageEntry]], Iterable[PageEntry]]


class RunError(Exception):
    """An import run that could not start or was refused; the message says why."""


@dataclass(frozen=True)
class RunConfig:
    """The app's settings an import run reads."""

    content_dir: Path
    secret_key: str
    instance_path: str
    parse_cache: bool = True
    parse_cache_dir: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> RunConfig:
        """From an app's config and instance folder."""
        return cls(content_dir=Path(config["CONTENT_DIR"]), secret_key=config["SECRET_KEY"],
                   instance_path=instance_path,
                   parse_cache=bool(config.get("IMPORT_PARSE_CACHE", True)),
                   parse_cache_dir=str(config.get("IMPORT_PARSE_CACHE_DIR", "") or ""))


@dataclass(frozen=True)
class Plan:
    """What a run reads and how: the content folder, the options, the site's configuration."""

    path: Path  # what was asked for (a site root or a content folder)
    folder: Path  # the content folder read
    options: ImportOptions
    site: SiteConfig | None

    def describe(self) -> str:
        """One line saying what was taken: a site root (and its configuration) or a folder."""
        shown = self.path.resolve()
        if self.site is not None:
            return (f"Site root {shown} (configuration: {', '.join(self.site.files)}); "
                    f"reading {self.folder.resolve()}")
        if self.folder.resolve() != shown:
            return (f"Site root {shown} (no configuration file); "
                    f"reading {self.folder.resolve()}")
        return f"Content folder {shown} (no Hugo configuration, no content/ folder inside)"


@dataclass
class RunResult:
    """A run's report, and a warning when the parse cache could not be kept."""

    report: ImportReport
    cache_warning: str | None = None


def import_options(config: Mapping[str, Any], site: SiteConfig | None = None,
                   prune: bool = False, dry_run: bool = False,
                   keep_missing: bool = False) -> ImportOptions:
    """Import options: the site's configuration over the app's `config` (through
    site_settings.resolve, as every reader at serve time), plus what only an import needs."""
    data = site.settings() if site is not None else {}
    render = site_settings.resolve(data, config)
    workers = int(config.get("IMPORT_WORKERS", 1))
    if site is None:
        return ImportOptions(
            site=SiteOptions(default_lang=render.language, timezone=render.timezone,
                             taxonomies=render.taxonomies),
            render=render, prune=prune, keep_missing=keep_missing, dry_run=dry_run,
            settings={}, workers=workers)
    not_found = site.ref_not_found_url if site.ref_not_found_url is not None \
        else DEFAULT_NOT_FOUND_URL
    return ImportOptions(
        site=SiteOptions(
            default_lang=site.default_lang, languages=site.language_codes(),
            timezone=render.timezone, taxonomies=render.taxonomies,
            permalinks=site.permalinks, default_in_subdir=site.default_in_subdir,
            ref_not_found_url=not_found),
        render=render, prune=prune, keep_missing=keep_missing, dry_run=dry_run,
        sources=_sources(site), settings=data, workers=workers)


def content_root(site: SiteConfig) -> Path:
    """The default language's content folder."""
    own = next((x.content_dir for x in site.languages
                if x.code == site.default_lang and x.content_dir), None)
    return (site.root / own).resolve() if own else site.content_root


def _sources(site: SiteConfig) -> tuple[ContentSource, ...]:
    """Languages with a content folder of their own (contentDir), besides the default one."""
    main = content_root(site)
    out = []
    for lang in site.languages:
        if not lang.content_dir or lang.code == site.default_lang:
            continue
        folder = (site.root / lang.content_dir).resolve()
        if folder == main:
            continue
        rel = os.path.relpath(folder, main)
        prefix = (rel if not rel.startswith("..") else folder.relative_to(site.root).as_posix())
        out.append(ContentSource(folder, lang.code, prefix.rstrip("/") + "/"))
    return tuple(out)


def plan(path: Path | None, config: Mapping[str, Any], prune: bool = False,
         dry_run: bool = False, keep_missing: bool = False) -> Plan:
    """Where the content is and how to import it: a Hugo site root (a folder with a Hugo
    configuration or a `content/` folder: only its content folder is read) or a bare
    content folder (default: the config's CONTENT_DIR). RunError when there is none."""
    root = path or Path(config["CONTENT_DIR"])
    if not root.is_dir():
        raise RunError(f"content folder not found: {root}")
    try:
        site = load_site_config(root)
    except ContentProblem as problem:
        raise RunError(problem.reason) from None
    if site is None:
        options = import_options(config, None, prune, dry_run, keep_missing)
        folder = root / "content" if (root / "content").is_dir() else root
        return Plan(root, folder, options, None)
    folder = content_root(site)
    if not folder.is_dir():
        raise RunError(f"content folder not found: {folder} (contentDir)")
    return Plan(root, folder, import_options(config, site, prune, dry_run, keep_missing), site)


def parse_cache_file(engine: Engine, run: RunConfig, folder: Path) -> Path:
    """Where the parse cache of this database and content folder is kept: IMPORT_PARSE_CACHE_DIR,
    else beside an SQLite database file, else the instance folder."""
    database = engine.url
    beside = (Path(database.database).resolve().parent
              if database.get_backend_name() == "sqlite" and database.database
              and database.database != ":memory:" else None)
    place = run.parse_cache_dir or beside or run.instance_path
    return parse_store.cache_file(Path(place), str(database), folder)


def execute(plan: Plan, session: DbSession, engine: Engine, run: RunConfig,
            progress: Progress | None = None, parse_cache: ParseCache | None = None) -> RunResult:
    """Import as planned in one transaction. Without a `parse_cache` of the caller's (a watch
    keeps one in memory), the stored one is loaded and saved. RunError when the database
    refused the import (then nothing was written)."""
    stored = parse_cache.stored if parse_cache is not None else None
    if parse_cache is None and run.parse_cache:
        stored = parse_cache_file(engine, run, plan.folder)
        parse_cache = parse_store.load(stored, run.secret_key)
    try:
        report = import_content(session, plan.folder, plan.options, progress, parse_cache)
    except OperationalError as exc:
        # The import is one transaction: it was rolled back, the site is as it was.
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        hint = (" (the disk, or the database's size limit, is full)"
                if "full" in reason.lower() or "no space" in reason.lower() else "")
        raise RunError(
            f"the database refused the import{hint}: {reason.strip()}. Nothing was written; "
            "the site is as it was before this run.") from None
    dry_run = plan.options.dry_run
    if report.changed and not dry_run:
        truncate_wal(engine)
    warning = None
    if stored is not None and not dry_run and parse_cache is not None and parse_cache.dirty:
        try:
            parse_store.save(stored, run.secret_key, parse_cache)
            parse_cache.dirty = False
        except OSError as exc:  # only the next run's speed depends on it
            warning = f"parse cache not saved: {exc}"
    return RunResult(report, warning)


def watch_cache(path: Path | None, config: Mapping[str, Any], instance_path: str,
                engine: Engine) -> ParseCache:
    """A watch's parse cache: the stored one to start from (the first run then reads only
    what changed since the last import), kept in memory and stored again after each run
    that changed it (so that a later `flask content import` starts from it too)."""
    run = RunConfig.from_config(config, instance_path)
    if not run.parse_cache:
        return ParseCache()
    try:
        folder = plan(path, config).folder
    except RunError:
        return ParseCache()  # the run says why
    stored = parse_cache_file(engine, run, folder)
    cache = parse_store.load(stored, run.secret_key)
    cache.stored = stored
    return cache


def import_site(path: Path | None, config: Mapping[str, Any], instance_path: str,
                session: DbSession, engine: Engine, *, prune: bool = False,
                dry_run: bool = False, keep_missing: bool = False,
                progress: Progress | None = None,
                parse_cache: ParseCache | None = None) -> RunResult:
    """A whole run, as `flask content import` does it (without printing): plan, then execute."""
    run = RunConfig.from_config(config, instance_path)
    planned = plan(path, config, prune, dry_run, keep_missing)
    return execute(planned, session, engine, run, progress, parse_cache)
