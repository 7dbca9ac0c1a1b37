"""Admin commands, one module per group: `flask content`, `flask comments`, `flask admin`."""

from flask import Flask


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    from app.cli.admin import admin_cli
    from app.cli.comments import comments_cli
    from app.cli.content import content_cli
    from app.cli.site import site_cli
    from app.cli.stats import stats_command  # noqa: F401 - `flask site stats` registers

    app.cli.add_command(content_cli)
    app.cli.add_command(comments_cli)
    app.cli.add_command(admin_cli)
    app.cli.add_command(site_cli)
