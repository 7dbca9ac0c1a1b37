"""`flask admin ...`: set up the moderation page's login."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

admin_cli = AppGroup("admin", help="Set up the admin page (/admin).")

MIN_PASSWORD_LENGTH = 10


@admin_cli.command("hash-password")
def hash_password_command() -> None:
    """Ask for a password twice and print the hash to put in ADMIN_PASSWORD_HASH."""
    password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"use at least {MIN_PASSWORD_LENGTH} characters")
    click.echo(generate_password_hash(password))
    click.echo("Set it in the environment, single-quoted (it contains '$'; in a docker-compose "
               "file write '$$'): ADMIN_PASSWORD_HASH='<the line above>'", err=True)
