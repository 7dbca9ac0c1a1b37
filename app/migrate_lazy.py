"""Flask-Migrate, loaded when first used: importing it brings in Alembic, which costs every
`flask` command and every worker tens of milliseconds at start-up, while only `flask db`,
the backup's schema checks and the tests' migrations use it.

`LazyMigrate.init_app` registers what Flask-Migrate's would: `app.extensions["migrate"]`
(a stand-in that builds Flask-Migrate's own configuration at its first read, as
`flask_migrate.upgrade` and migrations/env.py read it) and the `flask db` command group
(whose commands are looked up in flask_migrate.cli when one is asked for).
"""

from __future__ import annotations

from typing import Any, cast

import click
from flask import Flask


class _LazyConfig:
    """app.extensions["migrate"]: Flask-Migrate's _MigrateConfig, made at its first read."""

    def __init__(self, db: Any, directory: str, options: dict[str, Any]) -> None:
        self._args = (db, directory, options)
        self._config: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._config is None:
            from flask_migrate import Migrate, _MigrateConfig

            db, directory, options = self._args
            real = Migrate(db=db, directory=directory, **options)
            self._config = _MigrateConfig(real, db, **real.alembic_ctx_kwargs)
        return getattr(self._config, name)


class _LazyDbGroup(click.Group):
    """`flask db`: Flask-Migrate's group, imported when one of its commands is asked for."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as group

        return cast(click.Group, group)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        # `flask db ...` run: from here on it is Flask-Migrate's group, options and all
        return self._real().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real().get_command(ctx, cmd_name)


class LazyMigrate:
    """Flask-Migrate's Migrate, as far as this app uses it (init_app), without its import."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def init_app(self, app: Flask, db: Any, directory: str) -> None:
        """Register the migrations of `db` in `directory`, and the `flask db` commands."""
        app.extensions["migrate"] = _LazyConfig(db, directory, dict(self.options))
        app.cli.add_command(_LazyDbGroup("db", help="Perform database migrations."))
