"""`flask content import ...`: read a Hugo content folder into the database."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.content.pages import SiteOptions
from app.content.tree import PageEntry
from app.extensions import db
from app.services.importer import ImportOptions, ImportReport, import_content

content_cli = AppGroup("content", help="Import and manage Hugo content.")


def import_options(prune: bool = False, dry_run: bool = False) -> ImportOptions:
    """Import options from the app's settings."""
    config = current_app.config
    return ImportOptions(
        site=SiteOptions(
            default_lang=config["SITE_LANGUAGE"],
            timezone=config["SITE_TIMEZONE"],
            taxonomies=tuple(config["TAXONOMIES"]),
        ),
        toc_start=config["TOC_START_LEVEL"],
        toc_end=config["TOC_END_LEVEL"],
        summary_length=config["SUMMARY_LENGTH"],
        prune=prune,
        dry_run=dry_run,
    )


def _echo_report(report: ImportReport, verbose: bool) -> None:
    for error in report.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    for warning in report.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if verbose:
        for label, paths in (("added", report.added), ("updated", report.updated),
                             ("removed", report.removed)):
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


@content_cli.command("import")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--prune", is_flag=True, help="Remove pages whose files are gone.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List every page added, updated or removed.")
def import_command(path: Path | None, prune: bool, dry_run: bool, verbose: bool) -> None:
    """Import a Hugo content folder (default: CONTENT_DIR) into the database."""
    root = path or Path(current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"content folder not found: {root}")

    def progress(entries: list[PageEntry]) -> Iterable[PageEntry]:
        if not sys.stdout.isatty():
            yield from entries
            return
        with click.progressbar(entries, label="Importing", show_pos=True,
                               item_show_func=lambda e: e.source_path if e else "") as bar:
            yield from bar

    report = import_content(db.session, root, import_options(prune, dry_run), progress)
    _echo_report(report, verbose)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} file(s) could not be imported")
