"""The app as the `flask` command sees it when a setting is missing or unsafe: every command
is listed (with its help), and running any of them prints the problem in one line instead
of a traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.signals import appcontext_pushed

from app.config import ConfigError


def _refusing(command: click.Command, message: str) -> click.Command:
    """A copy of the command (or group) that shows its help but stops when it would run."""

    def invoke(_ctx: click.Context) -> Any:
        raise click.ClickException(message)

    clone = copy.copy(command)
    clone.__dict__["invoke"] = invoke  # on this copy only: its class keeps Command.invoke
    return clone


def unconfigured_app(instance: Path, error: ConfigError) -> Flask:
    """An app with the CLI commands only, each refusing to run with the error."""
    from flask_migrate.cli import db as db_cli

    from app import _new_flask
    from app.cli import register_cli

    app = _new_flask(instance)
    register_cli(app)
    app.cli.add_command(db_cli, name="db")  # as Migrate.init_app does
    message = str(error)
    for name, command in list(app.cli.commands.items()):
        app.cli.commands[name] = _refusing(command, message)

    def refuse(_sender: Flask, **_extra: Any) -> None:
        # Flask's own commands (routes, shell) push the app's context when they run; `flask`
        # itself pushes it at the top level, to list the app's commands.
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.parent is not None:
            raise click.ClickException(message)

    appcontext_pushed.connect(refuse, app, weak=False)
    return app
