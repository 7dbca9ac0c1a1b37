"""The SECRET_KEY: from the settings, else the instance folder's `secret_key` file, which is
made on first need when the database is SQLite (one machine, so one key); checked for strength.

Several hosts (a server database) must share one key, so there it is never made up here: a
key made per host would sign forms, sessions and identicons differently on each.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from app.config import ConfigError

KEY_FILE = "secret_key"
WEAK_KEYS = frozenset({"", "dev", "secret", "changeme", "change-me", "development"})
MIN_LENGTH = 32
MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def read_key_file(instance: Path) -> str:
    """The key kept in the instance folder, or "" when there is none."""
    try:
        return (instance / KEY_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def create_key_file(instance: Path) -> str:
    """Write a new random key (mode 0600) unless one exists; return the key on file.

    Written whole to a temporary file, then linked into place: two processes starting at
    once both end up with the same, complete key.
    """
    instance.mkdir(parents=True, exist_ok=True)
    target = instance / KEY_FILE
    fd, temp = tempfile.mkstemp(prefix=".secret_key.", dir=instance)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(temp, target)
    finally:
        os.unlink(temp)
    return read_key_file(instance)


def _is_sqlite(config: dict[str, Any]) -> bool:
    return str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite")


def resolve_secret_key(config: dict[str, Any], instance: Path) -> None:
    """Fill config["SECRET_KEY"] (settings, key file, or a new key file) and check it.

    Raises ConfigError with one line saying what to do when there is no usable key.
    """
    if config.get("DEBUG") or config.get("TESTING"):
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = "insecure-development-key"  # noqa: S105 - debug/tests only
        return
    source = "SECRET_KEY"
    key = str(config.get("SECRET_KEY") or "")
    if not key:
        source = str(instance / KEY_FILE)
        key = read_key_file(instance)
        if not key and _is_sqlite(config):
            key = create_key_file(instance)
    if not key:
        raise ConfigError(
            f"SECRET_KEY is not set and {source} holds no key; with a server database "
            f"every host must use the same key: set SECRET_KEY (or write that file) to the "
            f"output of {MAKE_ONE}")
    if key.lower() in WEAK_KEYS or len(key) < MIN_LENGTH or len(set(key)) < 5:
        instead = (f" (or unset it to use {instance / KEY_FILE})"
                   if source == "SECRET_KEY" and _is_sqlite(config) else "")
        raise ConfigError(
            f"{source} is too weak: use a random value of at least {MIN_LENGTH} characters, "
            f"at least 5 of them different, for example the output of {MAKE_ONE}{instead}")
    config["SECRET_KEY"] = key
