"""`flask content import --watch`: a saved file is re-imported and served on reload."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from app.cli.watch import EventWatcher, snapshot, wait_for_change
from app.extensions import db
from tests.conftest import ROOT, make_app, write

TIMEOUT = 90.0


def _post(title: str) -> str:
    return f"---\ntitle: {title}\ndate: 2024-01-01\n---\nBody of {title}.\n"


class _Output:
    """The subprocess's output, read on a thread so the pipe never fills up."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:  # closed once the process has ended its output
            for line in proc.stdout:
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, test: Callable[[list[str]], bool], what: str,
                 within: float = TIMEOUT) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if test(self.lines):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n" + "\n".join(self.lines))


def _summaries(lines: list[str]) -> list[str]:
    return [line for line in lines if " added, " in line and " updated, " in line]


def _title(app: Flask) -> str:
    client = app.test_client()
    return client.get("/posts/hello/").get_data(as_text=True).split("<title>")[1].split(" ")[0]


def _ctrl_c_stops() -> None:
    """In the watcher: Ctrl-C (SIGINT) acts even when the suite runs as a background job,
    whose children inherit SIGINT ignored (``nohup scripts/test &``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


HAS_INOTIFY = sys.platform.startswith("linux")


@pytest.mark.parametrize("mode", ["events", "poll"])
def test_watch_reimports_changed_files(tmp_path: Path, mode: str) -> None:
    """With file events the poll interval is an hour: every change below lands within
    seconds only because the OS reported it."""
    if mode == "events" and not HAS_INOTIFY:
        pytest.skip("inotify is Linux's")
    app = make_app(tmp_path)  # migrated before the watcher starts
    site = tmp_path / "site"
    write(site, "hugo.toml", 'title = "Watched"\n')
    post = write(site, "content/posts/hello.md", _post("Before"))
    env = {**os.environ, "FLASK_APP": "wsgi", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "watch-test-secret-key-" + "w" * 40,
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    env.pop("FLASK_DEBUG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "content", "import", "--watch",
         *(["--interval", "3600"] if mode == "events" else ["--poll", "--interval", "0.2"]),
         str(site)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=_ctrl_c_stops)
    output = _Output(proc)
    try:
        output.wait_for(lambda lines: len(_summaries(lines)) >= 1, "the first import")
        expected = "file events: InotifyObserver" if mode == "events" else "polling every 0.2 s"
        assert any(expected in line for line in output.lines), output.lines
        # with events, each change lands well before the first poll (an hour) could see it
        within = 30.0 if mode == "events" else TIMEOUT
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # the watch stores its parse cache (beside the database) for the next import
            assert list(tmp_path.glob("parse-cache-*.bin"))
        assert _summaries(output.lines)[0].startswith("1 added")
        assert _title(app) == "Before"
        time.sleep(0.05)  # a new modification time even on coarse file systems
        post.write_text(_post("After"), encoding="utf-8")
        output.wait_for(lambda lines: len(_summaries(lines)) >= 2, "the re-import", within)
        assert _summaries(output.lines)[1].startswith("0 added, 1 updated")
        assert _title(app) == "After"
        # an editor's save: a temporary file written, then renamed over the page
        temporary = write(site, "content/posts/.hello.md.tmp", _post("Renamed"))
        os.replace(temporary, post)
        output.wait_for(lambda lines: len(_summaries(lines)) >= 3, "the editor's save", within)
        assert _summaries(output.lines)[2].startswith("0 added, 1 updated")
        assert _title(app) == "Renamed"
        write(site, "content/posts/second.md", _post("Second"))
        output.wait_for(lambda lines: len(_summaries(lines)) >= 4, "the new file", within)
        assert _summaries(output.lines)[3].startswith("1 added, 0 updated, 1 unchanged")
        assert app.test_client().get("/posts/second/").status_code == 200
        (site / "content/posts/second.md").unlink()  # deleted: its page goes too
        output.wait_for(lambda lines: len(_summaries(lines)) >= 5, "the deletion", within)
        assert _summaries(output.lines)[4].startswith("0 added, 0 updated, 1 unchanged, 1 removed")
        assert "removed: posts/second.md" in output.lines
        assert app.test_client().get("/posts/second/").status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with app.app_context():
            db.engine.dispose()
    output.wait_for(lambda lines: "Stopped watching." in lines, "the stop message")
    assert proc.returncode == 0


def test_wait_for_change_waits_for_the_burst_to_end(tmp_path: Path) -> None:
    target = write(tmp_path, "a.md", "one")
    before = snapshot(tmp_path)
    writes = iter(["two", "three", "four"])

    def sleep(_seconds: float) -> None:
        # Each pause of the watcher sees the author save once more, three times in a row.
        text = next(writes, None)
        if text is not None:
            target.write_text(text, encoding="utf-8")
            os.utime(target, ns=(time.time_ns(), time.time_ns()))

    after = wait_for_change(tmp_path, before, 1.0, 0.5, sleep)
    assert target.read_text() == "four" and after == snapshot(tmp_path)


@pytest.mark.skipif(not HAS_INOTIFY, reason="inotify is Linux's")
def test_an_editors_save_is_one_event_burst_and_reading_is_none(tmp_path: Path) -> None:
    """An editor's save (a temporary file written, then renamed over the page) wakes the
    watcher once, as soon as it is over; the importer's reading a file wakes it not at all,
    nor does a hidden swap file."""
    page = write(tmp_path, "content/posts/a.md", _post("One"))
    watcher = EventWatcher(tmp_path)
    watcher.start()
    try:
        assert watcher.kind == "InotifyObserver"
        page.read_bytes()  # what an import does
        write(tmp_path, "content/posts/.a.md.swp", "swap")
        assert not watcher.wait(0.05, timeout=0.5)
        started = time.monotonic()
        temporary = write(tmp_path, "content/posts/.a.md.tmp", _post("Two"))
        os.replace(temporary, page)
        assert watcher.wait(0.05, timeout=10)
        assert time.monotonic() - started < 5
        assert not watcher.wait(0.05, timeout=0.3)  # one burst, one wake-up
    finally:
        watcher.stop()
