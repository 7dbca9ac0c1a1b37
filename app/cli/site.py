"""`flask site ...`: back up, restore, and copy the site to another database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from app.extensions import db

if TYPE_CHECKING:  # the backup code loads when a command runs, not in every web worker
    from app.services.backup.archive import Report

site_cli = AppGroup("site", help="Back up, restore and copy the whole site.")


def _echo(report: Report) -> None:
    for line in report.lines():
        click.echo(line)


@site_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Back up the site: FILE.sqlite3/.db on SQLite is an online copy, else a portable dump."""
    from app.services.backup import archive as backup
    from app.services.backup.archive import BackupError

    engine = db.engine
    try:
        if file.suffix.lower() in backup.SQLITE_SUFFIXES and engine.dialect.name == "sqlite":
            report = backup.sqlite_backup(engine, file)
        elif file.suffix.lower() in backup.SQLITE_SUFFIXES:
            raise BackupError(f"{file.name}: a SQLite file name, but the site runs on "
                              f"{engine.dialect.name}; name the dump e.g. site.jsonl.gz")
        else:
            report = backup.dump(engine, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo(report)


@site_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace every row of the site's database with a backup's (dump or SQLite file)."""
    from app.schema import MIGRATIONS_RUN
    from app.services.backup import archive as backup
    from app.services.backup.archive import BackupError

    engine = db.engine
    if not yes:
        click.confirm(f"Replace all content and comments in {engine.url!r} with {file}?",
                      abort=True)
    try:
        report = backup.restore(engine, file, MIGRATIONS_RUN)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo(report)


@site_cli.command("copy")
@click.option("--to", "url", required=True, metavar="DATABASE_URL",
              help="The target database, e.g. postgresql+psycopg://user@host/blog.")
@click.option("--force", is_flag=True, help="Replace the target's content if it has pages.")
def copy_command(url: str, force: bool) -> None:
    """Copy the whole site into another database (e.g. SQLite to PostgreSQL)."""
    from app.schema import MIGRATIONS_RUN
    from app.services.backup import archive as backup
    from app.services.backup.archive import BackupError

    try:
        report = backup.copy_to(db.engine, url, MIGRATIONS_RUN, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo(report)
    click.echo("row counts verified; point DATABASE_URL at the new database and restart")
