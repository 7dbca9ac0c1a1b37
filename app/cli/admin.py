"""`flask admin ...`: set up the moderation page's login."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from app.config import save_setting

admin_cli = AppGroup("admin", help="Set up the admin page (/admin).")

MIN_PASSWORD_LENGTH = 10


def _ask_password() -> str:
    password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"use at least {MIN_PASSWORD_LENGTH} characters")
    return password


@admin_cli.command("set-password")
def set_password_command() -> None:
    """Ask for a password twice and save its hash in instance/settings.env."""
    path = save_setting(Path(current_app.instance_path), "ADMIN_PASSWORD_HASH",
                        generate_password_hash(_ask_password()))
    click.echo(f"Saved ADMIN_PASSWORD_HASH in {path}. Restart the server (Ctrl-C, then "
               "scripts/serve) and log in at /admin/.")
    if os.environ.get("ADMIN_PASSWORD_HASH"):
        click.echo("warning: ADMIN_PASSWORD_HASH is also set in the environment, which wins "
                   "over the file: unset it to use the new password.", err=True)


@admin_cli.command("hash-password")
def hash_password_command() -> None:
    """Ask for a password twice and print the hash to put in ADMIN_PASSWORD_HASH."""
    click.echo(generate_password_hash(_ask_password()))
    click.echo("Set it in the environment, single-quoted (it contains '$'; in a docker-compose "
               "file write '$$'): ADMIN_PASSWORD_HASH='<the line above>'", err=True)
