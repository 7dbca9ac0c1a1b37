"""`flask content import --watch`: re-import after each burst of changes.

The OS tells us about changes where it can (watchdog's Observer: inotify on Linux, FSEvents
on macOS, kqueue on BSD, ReadDirectoryChangesW on Windows), so that a save is imported as
soon as the editor is done writing; where it cannot (no watchdog, the inotify watch limit
reached, `--poll` for a network file system whose changes the kernel does not see), the
files are polled every `--interval` seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app

from app.extensions import db
from app.services.importing.run import watch_cache

# Folders of a Hugo site that are output or tooling, never content or configuration.
IGNORED_DIRS = frozenset({"public", "resources", "node_modules", "__pycache__"})
# A burst of events (an editor's temporary file, write and rename) is over once the files
# have been quiet this long.
EVENT_DEBOUNCE = 0.05
# A file written to and not yet closed is waited for this long at most (a writer that keeps
# a file open, such as a log, must not stop the imports).
MAX_WRITE_WAIT = 2.0
# What the importer's own reading causes (inotify reports opens and closes) is no change.
_CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
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
    """Polling: block until the files differ from `before` and then stay still for
    `debounce` s."""
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


def relevant(root: Path, path: str) -> bool:
    """Whether a change at `path` can matter to an import: not in a hidden or output folder,
    not an editor's hidden swap file."""
    try:
        parts = Path(os.fsdecode(path)).relative_to(root).parts
    except ValueError:
        return True
    return not any(part.startswith(".") or part in IGNORED_DIRS for part in parts[:-1]) \
        and not (parts and parts[-1].startswith("."))


class EventWatcher:
    """The OS's file events under root, through watchdog: `wait` blocks until a burst of
    changes is over. `start` raises OSError (or ImportError) when events cannot be had."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.changed = threading.Event()
        self.lock = threading.Lock()
        self.writing: set[str] = set()
        self.paths: set[str] | None = set()  # what changed; None: not known (a folder did)
        self.reports_closes = False  # inotify says when a file written to is closed
        self.observer: Any = None

    @property
    def kind(self) -> str:
        """The observer's class name, e.g. InotifyObserver."""
        return type(self.observer).__name__

    def start(self) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type not in _CHANGE_EVENTS or (
                        event.is_directory and event.event_type == "modified"):
                    return  # a folder's own mtime: its files' events say what changed
                paths = [p for p in (os.fsdecode(event.src_path), os.fsdecode(event.dest_path))
                         if p and relevant(watcher.root, p)]
                if not paths:
                    return
                with watcher.lock:
                    if event.is_directory:  # a folder's files changed with it: scan them all
                        watcher.paths = None
                    elif watcher.paths is not None:
                        watcher.paths.update(paths)
                    # a file written to but not yet closed is being saved
                    if event.event_type == "modified" and not event.is_directory \
                            and watcher.reports_closes:
                        watcher.writing.add(paths[0])
                    else:
                        watcher.writing.difference_update(paths)
                watcher.changed.set()

        observer = Observer()
        self.reports_closes = type(observer).__name__ == "InotifyObserver"
        observer.schedule(Handler(), str(self.root), recursive=True)
        observer.start()  # OSError when, e.g., the inotify watch limit is reached
        self.observer = observer

    def take_paths(self) -> set[str] | None:
        """The files changed since the last call (None: not known, such as a folder moved),
        for the importer to look at them alone."""
        with self.lock:
            paths, self.paths = self.paths, set()
        return paths

    def wait(self, debounce: float = EVENT_DEBOUNCE, timeout: float | None = None) -> bool:
        """Block until something changed and the files were then quiet for `debounce` s,
        with no file left open after a write (for at most MAX_WRITE_WAIT s); False when
        `timeout` passed first."""
        if not self.changed.wait(timeout):
            return False
        self.changed.clear()
        give_up = time.monotonic() + MAX_WRITE_WAIT
        while True:
            while self.changed.wait(debounce):  # the burst goes on
                self.changed.clear()
            with self.lock:
                writing = {p for p in self.writing if os.path.exists(p)}
                self.writing = writing
            if not writing or time.monotonic() > give_up:
                break
        with self.lock:
            self.writing.clear()
        return True

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)


def watch_and_import(path: Path | None, prune: bool, verbose: bool, interval: float,
                     debounce: float | None = None, keep_missing: bool = False,
                     poll: bool = False) -> None:
    """Import, then re-import on every change until Ctrl-C; each run's summary printed.
    A file deleted meanwhile removes its page (unless keep_missing)."""
    from app.cli.content import run_import

    root = path or Path(current_app.config["CONTENT_DIR"])
    cache = watch_cache(path, current_app.config, current_app.instance_path, db.engine)

    def run() -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        click.echo(f"[{stamp}] importing {root}")
        try:
            run_import(path, prune, False, verbose, cache, keep_missing)
        except click.ClickException as exc:
            click.secho(f"error: {exc.format_message()}", fg="red", err=True)
            cache.last_scan = None  # the changes it did not get to: the next run scans all
        finally:
            db.session.remove()

    events: EventWatcher | None = None
    if not poll:
        events = EventWatcher(root)
        try:
            events.start()
        except (ImportError, OSError) as exc:
            click.echo(f"File events unavailable ({exc}); polling instead.", err=True)
            events = None
    if events is not None:
        click.echo(f"Watching {root} for changes (file events: {events.kind}); Ctrl-C stops.")
    else:
        click.echo(f"Watching {root} for changes (polling every {interval:g} s); "
                   "Ctrl-C stops.")
    state = snapshot(root) if events is None else {}
    try:
        run()
        while True:
            if events is not None:
                events.wait(EVENT_DEBOUNCE if debounce is None else debounce)
                # the importer stats these files alone when they are pages it knows
                cache.touched = events.take_paths()
            else:
                state = wait_for_change(root, state, interval,
                                        min(interval, 0.5) if debounce is None else debounce)
            run()
    except KeyboardInterrupt:
        click.echo("Stopped watching.")
    finally:
        if events is not None:
            events.stop()
