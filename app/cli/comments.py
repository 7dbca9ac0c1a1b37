"""`flask comments ...`: moderation queue, per-post closing, Disqus import, JSON export,
reply emails."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.services.comments import moderation, notify
from app.services.comments.rules import CommentError, CommentSettings
from app.web.site import for_app

comments_cli = AppGroup("comments", help="Moderate, import and export comments.")


@comments_cli.command("list")
@click.option("--status", type=click.Choice(["pending", "published", "spam", "all"]),
              default="pending", show_default=True)
@click.option("--post", "url", help="Only comments on this post URL.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--sort", type=click.Choice(moderation.SORTS), default="date", show_default=True,
              help="Oldest first, or by spam score (highest first).")
def list_command(status: str, url: str | None, limit: int, sort: str) -> None:
    """List comments (default: the moderation queue) with their spam scores."""
    rows = moderation.list_comments(db.session, None if status == "all" else status, url, limit,
                                    sort)
    for c in rows:
        text = " ".join(c.text_md.split())
        score = "-" if c.spam_score is None else f"{c.spam_score:.2f}"
        click.echo(f"{c.id}\t{c.status}{' (deleted)' if c.deleted else ''}\t"
                   f"{c.created_at:%Y-%m-%d %H:%M}\tspam {score}\t{c.thread_url}\t{c.author}\t"
                   f"{text[:60]}{'…' if len(text) > 60 else ''}")
    click.echo(f"{len(rows)} comment(s)")


def _moderate(ids: tuple[int, ...], action: str) -> None:
    if not ids:
        raise click.ClickException("give at least one comment id")
    found = moderation.moderate(db.session, list(ids), action)
    missing = len(set(ids)) - found
    click.echo(f"{action}: {found} comment(s)" + (f", {missing} not found" if missing else ""))
    if missing:
        raise click.ClickException(f"{missing} comment id(s) not found")


@comments_cli.command("approve")
@click.argument("ids", nargs=-1, type=int)
def approve_command(ids: tuple[int, ...]) -> None:
    """Publish held comments."""
    _moderate(ids, "approve")


@comments_cli.command("spam")
@click.argument("ids", nargs=-1, type=int)
def spam_command(ids: tuple[int, ...]) -> None:
    """Reject comments as spam (hidden, kept for the record)."""
    _moderate(ids, "spam")


@comments_cli.command("delete")
@click.argument("ids", nargs=-1, type=int)
def delete_command(ids: tuple[int, ...]) -> None:
    """Delete comments (a comment with replies stays as a marker)."""
    _moderate(ids, "delete")


@comments_cli.command("close")
@click.argument("url")
@click.option("--reopen", is_flag=True, help="Open the post to comments again.")
def close_command(url: str, reopen: bool) -> None:
    """Close a post (by URL) to new comments."""
    try:
        page = moderation.set_closed(db.session, url, not reopen)
    except CommentError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{page.url_path}: comments {'open' if reopen else 'closed'}")


@comments_cli.command("import-disqus")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_disqus_command(file: Path) -> None:
    """Import a Disqus XML export (threads matched to posts by URL; safe to run twice)."""
    from app.services.comments.disqus import DisqusImportError, import_disqus  # importer-only

    try:
        report = import_disqus(db.session, file, current_app.config["SECRET_KEY"],
                               CommentSettings.from_config(current_app.config))
    except DisqusImportError as error:
        raise click.ClickException(f"{file}: {error}") from None
    click.echo(f"threads: {report.threads_matched} matched, {report.threads_unmatched} "
               f"unmatched, {report.threads_deleted} deleted in Disqus")
    for link in report.unmatched:
        click.echo(f"  no published post for {link}")
    click.echo(f"comments: {report.added} added, {report.duplicates} duplicates skipped, "
               f"{report.spam} spam, {report.deleted_markers} deleted (kept as markers), "
               f"{report.deleted_skipped} deleted without replies skipped, "
               f"{report.skipped_unmatched} on unmatched threads skipped")
    if report.reparented:
        click.echo(f"  {report.reparented} repl(ies) whose parent is missing became top-level")


@comments_cli.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(file: str) -> None:
    """Write every comment (all statuses, emails included) as JSON to FILE or - (stdout)."""
    from app.services.comments.export import export_comments

    data = json.dumps(export_comments(db.session), ensure_ascii=False, indent=2) + "\n"
    if file == "-":
        click.echo(data, nl=False)
        return
    Path(file).write_text(data, encoding="utf-8")
    click.echo(f"{file}: {len(data.encode())} bytes", err=True)


@comments_cli.command("notify")
@click.option("--loop", "interval", type=click.IntRange(min=5), default=None,
              help="Keep running, sending every INTERVAL seconds.")
def notify_command(interval: int | None) -> None:
    """Send queued mail: reply emails, confirmation links and thread digests over SMTP
    (MAIL_FROM, SMTP_*, SITE_BASE_URL)."""
    try:
        mail = notify.MailSettings.from_config(current_app.config, for_app(current_app))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    while True:
        report = notify.send_pending(db.session, mail, current_app.config["SECRET_KEY"])
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        if report.sent or report.failed or report.skipped or interval is None:
            click.echo(f"{report.sent} sent, {report.failed} failed (will retry, at most "
                       f"{notify.MAX_ATTEMPTS} tries), {report.skipped} no longer wanted")
        if interval is None:
            if report.failed:
                raise SystemExit(1)
            return
        db.session.remove()
        time.sleep(interval)
