"""`flask site stats`: the most read and the most liked posts."""

from __future__ import annotations

import click

from app.cli.site import site_cli
from app.extensions import db
from app.services.stats import counters
from app.services.stats.counters import TopEntry


def _table(title: str, rows: list[TopEntry]) -> None:
    click.echo(title)
    if not rows:
        click.echo("  (nothing counted yet)")
    for rank, row in enumerate(rows, 1):
        click.echo(f"  {rank:>3}. {row.views:>8} views {row.likes:>6} likes  {row.url}"
                   + (f"  {row.title}" if row.title else ""))


@site_cli.command("stats")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many posts each list shows.")
def stats_command(limit: int) -> None:
    """List the most read and the most liked posts."""
    _table("Most read", counters.top_read(db.session, limit))
    _table("Most liked", counters.top_liked(db.session, limit))
