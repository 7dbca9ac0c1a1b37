"""`flask content import --watch`: poll the files, re-import after each burst of changes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from app.services.importing.importer import ParseCache

# Folders of a Hugo site that are output or tooling, never content or configuration.
IGNORED_DIRS = frozenset({"public", "resources", "node_modules", "__pycache__"})
Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file under root with its modification time and size."""
    found: Snapshot = {}
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS]
        for name in filenames:
            path = os.path.join(current, name)
            try:
                info = os.stat(path)
            except OSError:
                continue  # removed while we looked
            found[path] = (info.st_mtime_ns, info.st_size)
    return found


def wait_for_change(root: Path, before: Snapshot, interval: float, debounce: float,
                    sleep: Callable[[float], None] = time.sleep) -> Snapshot:
    """Block until the files differ from `before` and then stay still for `debounce` s."""
    while True:
        sleep(interval)
        now = snapshot(root)
        if now == before:
            continue
        while True:  # an editor saving several files: wait until the burst is over
            sleep(debounce)
            settled = snapshot(root)
            if settled == now:
                return settled
            now = settled


def watch_and_import(path: Path | None, prune: bool, verbose: bool, interval: float,
                     debounce: float | None = None, keep_missing: bool = False) -> None:
    """Import, then re-import on every change until Ctrl-C; each run's summary printed.
    A file deleted meanwhile removes its page (unless keep_missing)."""
    from app.cli.content import run_import

    root = path or Path(current_app.config["CONTENT_DIR"])
    cache = ParseCache()
    debounce = min(interval, 0.5) if debounce is None else debounce

    def run() -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        click.echo(f"[{stamp}] importing {root}")
        try:
            run_import(path, prune, False, verbose, cache, keep_missing)
        except click.ClickException as exc:
            click.secho(f"error: {exc.format_message()}", fg="red", err=True)
        finally:
            db.session.remove()

    click.echo(f"Watching {root} for changes (every {interval:g} s); Ctrl-C stops.")
    state = snapshot(root)
    try:
        run()
        while True:
            state = wait_for_change(root, state, interval, debounce)
            run()
    except KeyboardInterrupt:
        click.echo("Stopped watching.")
