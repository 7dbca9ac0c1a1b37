"""`flask content import ...`: read a Hugo site (or a bare content folder) into the database.

The run itself (where the content is, the options, the parse cache, the WAL) is
app/services/importing/run.py; this module parses the arguments and prints.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from app.extensions import db

if TYPE_CHECKING:  # the importer loads when a command runs: not in web workers, not for --help
    from app.content.tree import PageEntry
    from app.services.importing.importer import ImportReport, ParseCache

content_cli = AppGroup("content", help="Import and manage Hugo content.")


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
    from app.services.importing import run

    config = current_app.config
    try:
        planned = run.plan(path, config, prune, dry_run, keep_missing)
        click.echo(planned.describe())
        result = run.execute(planned, db.session, db.engine,
                             run.RunConfig.from_config(config, current_app.instance_path),
                             _progress, parse_cache)
    except run.RunError as exc:
        raise click.ClickException(str(exc)) from None
    if result.cache_warning:
        click.echo(f"warning: {result.cache_warning}", err=True)
    _echo_report(result.report, planned.folder, verbose)
    return result.report


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
@click.option("--interval", type=click.FloatRange(0.05, 3600), default=1.0, show_default=True,
              help="With --watch, when polling: seconds between looks at the files.")
@click.option("--poll", is_flag=True,
              help="With --watch: poll the files instead of using the OS's file events "
                   "(for a network file system whose changes the kernel does not report).")
def import_command(path: Path | None, prune: bool, keep_missing: bool, dry_run: bool,
                   verbose: bool, watch: bool, interval: float, poll: bool) -> None:
    """Import a Hugo site root or content folder (default: CONTENT_DIR) into the database.

    The folder is the source of truth, as with Hugo: pages whose files are gone are removed
    (their comments are kept, and come back if the page does)."""
    if prune and keep_missing:
        raise click.UsageError("--prune and --keep-missing contradict each other")
    if watch:
        from app.cli.watch import watch_and_import

        watch_and_import(path, prune, verbose, interval, keep_missing=keep_missing, poll=poll)
        return
    # One run, then the process ends: no cycle collector passes over the tens of thousands
    # of objects a large site is read into (reference counting still frees what is dropped;
    # a full collection when the importer re-enabled it cost 0.1-0.3 s at 10,000 pages).
    gc.disable()
    report = run_import(path, prune, dry_run, verbose, keep_missing=keep_missing)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} file(s) could not be imported")
    if report.refused_empty:
        raise click.ClickException("nothing imported: the folder has no page")
    _end_process_now()


def _end_process_now() -> None:
    """End a one-shot `flask content import` without the interpreter's teardown.

    At exit Python frees, one by one, every object the run made and every module it loaded:
    about 0.1 s after a re-import of 10,000 pages, a tenth of the whole command. Everything
    the run wrote is committed; here the database connections are closed, the output
    flushed and the exit handlers run (logging, coverage), then the process ends at once.
    Only under the real `flask` command: a command invoked in another program's process
    (tests, a CliRunner) returns as usual."""
    context = click.get_current_context(silent=True)
    if context is None or not isinstance(context.find_root().command, FlaskGroup):
        return
    db.session.remove()
    db.engine.dispose()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    atexit._run_exitfuncs()  # what a normal exit runs, in the same order
    os._exit(0)
