"""`flask content import ...`: read a Hugo site (or a bare content folder) into the database."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from app.content.errors import ContentProblem
from app.content.pages import SiteOptions
from app.content.refs import DEFAULT_NOT_FOUND_URL
from app.content.site_config import SiteConfig, load_site_config
from app.content.tree import PageEntry
from app.extensions import db
from app.render.commonmark import markup_options
from app.services.importing import parse_cache as parse_cache_file
from app.services.importing.importer import (
    ContentSource,
    ImportOptions,
    ImportReport,
    ParseCache,
    import_content,
)
from app.services.importing.wal import truncate_wal

content_cli = AppGroup("content", help="Import and manage Hugo content.")


def _pick(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


def import_options(prune: bool = False, dry_run: bool = False,
                   site: SiteConfig | None = None, keep_missing: bool = False) -> ImportOptions:
    """Import options from the site's configuration, else from the app's settings."""
    config: Mapping[str, Any] = current_app.config
    if site is None:
        return ImportOptions(
            site=SiteOptions(default_lang=config["SITE_LANGUAGE"],
                             timezone=config["SITE_TIMEZONE"],
                             taxonomies=tuple(config["TAXONOMIES"])),
            toc_start=config["TOC_START_LEVEL"], toc_end=config["TOC_END_LEVEL"],
            summary_length=config["SUMMARY_LENGTH"],
            detect_cjk=bool(config.get("HAS_CJK_LANGUAGE")),
            emoji=bool(config.get("ENABLE_EMOJI")),
            markup=markup_options(None),
            prune=prune, keep_missing=keep_missing, dry_run=dry_run, settings={},
            workers=config["IMPORT_WORKERS"],
        )
    return ImportOptions(
        site=SiteOptions(
            default_lang=site.default_lang, languages=site.language_codes(),
            timezone=_pick(site.timezone, config["SITE_TIMEZONE"]),
            taxonomies=tuple(_pick(site.taxonomies, config["TAXONOMIES"])),
            permalinks=site.permalinks, default_in_subdir=site.default_in_subdir,
            ref_not_found_url=_pick(site.ref_not_found_url, DEFAULT_NOT_FOUND_URL)),
        toc_start=_pick(site.toc_start, config["TOC_START_LEVEL"]),
        toc_end=_pick(site.toc_end, config["TOC_END_LEVEL"]),
        summary_length=_pick(site.summary_length, config["SUMMARY_LENGTH"]),
        detect_cjk=bool(_pick(site.has_cjk, config.get("HAS_CJK_LANGUAGE"))),
        emoji=bool(_pick(site.enable_emoji, config.get("ENABLE_EMOJI"))),
        markup=markup_options(site.markup),
        prune=prune, keep_missing=keep_missing, dry_run=dry_run, sources=_sources(site),
        settings=site.settings(),
        workers=config["IMPORT_WORKERS"],
    )


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


def plan(path: Path | None, prune: bool = False, dry_run: bool = False,
         keep_missing: bool = False) -> tuple[Path, ImportOptions, SiteConfig | None]:
    """Where the content is and how to import it: a Hugo site root (a folder with a Hugo
    configuration or a `content/` folder: only its content folder is read) or a bare
    content folder."""
    root = path or Path(current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"content folder not found: {root}")
    try:
        site = load_site_config(root)
    except ContentProblem as problem:
        raise click.ClickException(problem.reason) from None
    if site is None:
        if (root / "content").is_dir():  # a site root without a configuration file
            return root / "content", import_options(prune, dry_run, None, keep_missing), None
        return root, import_options(prune, dry_run, None, keep_missing), None
    folder = content_root(site)
    if not folder.is_dir():
        raise click.ClickException(f"content folder not found: {folder} (contentDir)")
    return folder, import_options(prune, dry_run, site, keep_missing), site


def describe_source(path: Path, folder: Path, site: SiteConfig | None) -> str:
    """One line saying what was taken: a site root (and its configuration) or a folder."""
    shown = path.resolve()
    if site is not None:
        return (f"Site root {shown} (configuration: {', '.join(site.files)}); "
                f"reading {folder.resolve()}")
    if folder.resolve() != shown:
        return (f"Site root {shown} (no configuration file); "
                f"reading {folder.resolve()}")
    return f"Content folder {shown} (no Hugo configuration, no content/ folder inside)"


def _echo_report(report: ImportReport, root: Path, verbose: bool) -> None:
    for error in report.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if report.refused_empty:
        click.secho(f"error: no page found in {root}: the {len(report.missing)} imported "
                    "pages were kept (pass --prune to remove them all)", fg="red", err=True)
    elif report.missing:
        click.secho(f"warning: {len(report.missing)} page(s) whose files are gone were kept "
                    "(--keep-missing); they still answer", fg="yellow", err=True)
    for warning in report.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for label, paths in (("added", report.added), ("updated", report.updated),
                         ("removed", report.removed), ("missing, kept", report.missing)):
        if verbose or label == "removed":  # a removal is always named
            for path in paths:
                click.echo(f"{label}: {path}")
    if report.shortcodes or report.unknown_shortcodes:
        names = sorted(set(report.shortcodes) | set(report.unknown_shortcodes))
        uses = ", ".join(
            f"{n} {report.shortcodes.get(n, 0)}"
            + (f" ({report.unknown_shortcodes[n]} unknown)" if n in report.unknown_shortcodes
               else "")
            for n in names
        )
        click.echo(f"Shortcodes rendered: {uses}")
    click.echo(report.summary())


def _progress(entries: list[PageEntry]) -> Iterable[PageEntry]:
    if not sys.stdout.isatty():
        yield from entries
        return
    with click.progressbar(entries, label="Importing", show_pos=True,
                           item_show_func=lambda e: e.source_path if e else "") as bar:
        yield from bar


def run_import(path: Path | None, prune: bool, dry_run: bool, verbose: bool,
               parse_cache: ParseCache | None = None,
               keep_missing: bool = False) -> ImportReport:
    """One import run, its report printed: every current warning, not only new ones."""
    root, options, site = plan(path, prune, dry_run, keep_missing)
    click.echo(describe_source(path or Path(current_app.config["CONTENT_DIR"]), root, site))
    stored = None
    database = db.engine.url
    beside = (Path(database.database).resolve().parent
              if database.get_backend_name() == "sqlite" and database.database
              and database.database != ":memory:" else None)
    folder = (current_app.config.get("IMPORT_PARSE_CACHE_DIR", "") or beside
              or current_app.instance_path)
    if parse_cache is None and current_app.config.get("IMPORT_PARSE_CACHE", True):
        stored = parse_cache_file.cache_file(Path(folder), str(database), root)
        parse_cache = parse_cache_file.load(stored, current_app.config["SECRET_KEY"])
    try:
        report = import_content(db.session, root, options, _progress, parse_cache)
    except OperationalError as exc:
        # The import is one transaction: it was rolled back, the site is as it was.
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        hint = (" (the disk, or the database's size limit, is full)"
                if "full" in reason.lower() or "no space" in reason.lower() else "")
        raise click.ClickException(
            f"the database refused the import{hint}: {reason.strip()}. Nothing was written; "
            "the site is as it was before this run.") from None
    if report.changed and not dry_run:
        truncate_wal(db.engine)
    if stored is not None and not dry_run and parse_cache is not None:
        try:
            parse_cache_file.save(stored, current_app.config["SECRET_KEY"], parse_cache)
        except OSError as exc:  # only the next run's speed depends on it
            click.echo(f"warning: parse cache not saved: {exc}", err=True)
    _echo_report(report, root, verbose)
    return report


@content_cli.command("import")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--prune", is_flag=True,
              help="Remove pages whose files are gone even when no page is left (pages "
                   "whose files are gone are removed anyway).")
@click.option("--keep-missing", is_flag=True,
              help="Keep the pages whose files are gone (the summary counts them).")
@click.option("--dry-run", is_flag=True,
              help="Report what would change, and every current warning; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List every page added, updated or removed.")
@click.option("--watch", is_flag=True,
              help="Keep running: re-import whenever a file changes (Ctrl-C stops).")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=1.0, show_default=True,
              help="With --watch: seconds between looks at the files.")
def import_command(path: Path | None, prune: bool, keep_missing: bool, dry_run: bool,
                   verbose: bool, watch: bool, interval: float) -> None:
    """Import a Hugo site root or content folder (default: CONTENT_DIR) into the database.

    The folder is the source of truth, as with Hugo: pages whose files are gone are removed
    (their comments are kept, and come back if the page does)."""
    if prune and keep_missing:
        raise click.UsageError("--prune and --keep-missing contradict each other")
    if watch:
        from app.cli.watch import watch_and_import

        watch_and_import(path, prune, verbose, interval, keep_missing=keep_missing)
        return
    report = run_import(path, prune, dry_run, verbose, keep_missing=keep_missing)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} file(s) could not be imported")
    if report.refused_empty:
        raise click.ClickException("nothing imported: the folder has no page")
