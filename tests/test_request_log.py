"""The request log (app/web/security.py): one JSON line per request, held in memory and
written in batches, never lost at a shutdown or a crash, valid JSON whatever the path."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.web.security import PIPE_BUF, RequestLogHandler, _whole_lines, log, log_line
from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, gunicorn
from tests.conftest import make_app

POST = "/posts/the-rise-of-ai-generated-images/"
FIELDS = {"method", "path", "status", "ms", "request_id", "bytes"}


@pytest.fixture
def site(tmp_path: Path, seed_dir: Path) -> Flask:
    app = make_app(tmp_path, LOG_REQUESTS=True)
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    return app


@pytest.fixture
def held() -> Iterator[tuple[RequestLogHandler, io.StringIO]]:
    """The request log's only handler: a buffer writing into a string."""
    stream = io.StringIO()
    handler = RequestLogHandler(stream, capacity=1 << 20, interval=3600)
    saved = log.handlers[:], log.level, log.propagate
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield handler, stream
    finally:
        log.handlers[:], level, log.propagate = saved
        log.setLevel(level)


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_each_request_gives_one_line_with_its_fields_once_flushed(
        site: Flask, held: tuple[RequestLogHandler, io.StringIO]) -> None:
    handler, stream = held
    client = site.test_client()
    first = client.get(POST)
    second = client.get(POST, headers={"X-Request-ID": "from-nginx-42"})  # the fast path
    missing = client.get("/nope/?q=1")
    assert stream.getvalue() == ""  # held in memory: no write per request
    handler.flush()
    lines = _lines(stream.getvalue())
    assert [set(line) for line in lines] == [FIELDS] * 3
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", POST, 200), ("GET", POST, 200), ("GET", "/nope/", 404)]
    assert [line["request_id"] for line in lines] == [
        first.headers["X-Request-ID"], "from-nginx-42", missing.headers["X-Request-ID"]]
    assert re.fullmatch(r"[0-9a-f]{32}", str(lines[0]["request_id"]))
    assert lines[0]["bytes"] == len(first.data) and lines[1]["bytes"] == len(second.data)
    assert all(isinstance(line["ms"], float) and line["ms"] >= 0 for line in lines)


def test_lines_are_written_a_moment_after_the_first_without_a_flush(site: Flask) -> None:
    stream = io.StringIO()
    handler = RequestLogHandler(stream, capacity=1 << 20, interval=0.05)
    saved = log.handlers[:]
    log.handlers[:] = [handler]
    try:
        response = site.test_client().get("/healthz")
        deadline = time.monotonic() + 10
        while not stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        log.handlers[:] = saved
    assert [line["request_id"] for line in _lines(stream.getvalue())] == [
        response.headers["X-Request-ID"]]


def test_a_full_buffer_is_written_at_once(site: Flask) -> None:
    stream = io.StringIO()
    handler = RequestLogHandler(stream, capacity=300, interval=3600)
    saved = log.handlers[:]
    log.handlers[:] = [handler]
    try:
        client = site.test_client()
        for _ in range(3):
            client.get("/healthz")
    finally:
        log.handlers[:] = saved
    assert len(_lines(stream.getvalue())) >= 2  # two lines fill 300 characters


def test_other_handlers_get_the_line_as_a_record(
        site: Flask, held: tuple[RequestLogHandler, io.StringIO],
        caplog: pytest.LogCaptureFixture) -> None:
    handler, stream = held
    log.addHandler(caplog.handler)
    try:
        response = site.test_client().get("/healthz")
    finally:
        log.removeHandler(caplog.handler)
    handler.flush()
    recorded = [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.request"]
    assert recorded == _lines(stream.getvalue())
    assert recorded[0]["request_id"] == response.headers["X-Request-ID"]


HOSTILE = ['/a"b\\c/', "/tab\there/", "/nul\x00/", "/bell\x07\x1b[31m/", "/line\nbreak/",
           "/café/", "/\u2028\ud800/", "/emoji\U0001f600/"]


@pytest.mark.parametrize("path", HOSTILE)
def test_a_line_is_valid_json_for_any_path(path: str) -> None:
    line = log_line("GET", path, 404, 0.5, "abc", None)
    assert line.isascii() and "\n" not in line and "\r" not in line
    assert json.loads(line) == {"method": "GET", "path": path, "status": 404, "ms": 0.5,
                                "request_id": "abc", "bytes": None}
    odd = log_line('G"E\\T', path, 200, 1.25, None, 10)
    assert json.loads(odd)["method"] == 'G"E\\T'


def test_hostile_request_paths_log_as_json(
        site: Flask, held: tuple[RequestLogHandler, io.StringIO]) -> None:
    handler, stream = held
    client = site.test_client()
    paths = ['/a"b\\c/', "/%00%01%1f%7f/", "/%ff%fe%c3/", "/caf%C3%A9/", "/%0a%0d/"]
    for path in paths:
        assert client.get(path).status_code == 404
    handler.flush()
    text = stream.getvalue()
    assert text.isascii() and len(text.splitlines()) == len(paths)
    logged = [line["path"] for line in _lines(text)]
    assert logged[0] == '/a"b\\c/'
    assert logged[1] == "/\x00\x01\x1f\x7f/"
    assert logged[2] == "/\ufffd\ufffd\ufffd/"  # not UTF-8: replaced, as Flask decodes it
    assert logged[3] == "/café/"
    assert logged[4] == "/\n\r/"


def test_an_exit_on_an_unhandled_error_writes_the_held_lines(tmp_path: Path) -> None:
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from tests.conftest import make_app
app = make_app(Path({str(tmp_path)!r}), LOG_REQUESTS=True, LOG_REQUESTS_FLUSH_MS=3600000)
response = app.test_client().get("/healthz")
print("ID", response.headers["X-Request-ID"], flush=True)
raise RuntimeError("a crash after the request")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**_server_env(tmp_path), "LOG_REQUESTS": "1"})
    assert done.returncode == 1 and "a crash after the request" in done.stderr
    request_id = done.stdout.split("ID ", 1)[1].split()[0]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [(line["path"], line["status"], line["request_id"]) for line in lines] == [
        ("/healthz", 200, request_id)]


def test_gunicorn_workers_write_their_held_lines_when_stopped(tmp_path: Path) -> None:
    env = _server_env(tmp_path)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    settings = {"LOG_REQUESTS": "1", "LOG_REQUESTS_FLUSH_MS": "3600000", "WEB_CONCURRENCY": "1"}
    with gunicorn(tmp_path, settings) as (base, log_file):
        request = urllib.request.Request(base + "/healthz", headers={"X-Request-ID": "stop-1"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        time.sleep(0.5)
        assert '"stop-1"' not in log_file.read_text(errors="replace")  # held, not written
    text = log_file.read_text(errors="replace")  # gunicorn stopped with SIGTERM
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert [(line["path"], line["status"]) for line in lines
            if line["request_id"] == "stop-1"] == [("/healthz", 200)]


def test_lines_go_to_a_pipe_in_writes_of_whole_lines(tmp_path: Path) -> None:
    lines = [log_line("GET", f"/p/{n}/" + "x" * (n % 300), 200, 0.1, f"id{n}", n)
             for n in range(400)]
    pieces = list(_whole_lines(("\n".join(lines) + "\n").encode(), PIPE_BUF))
    assert b"".join(pieces) == ("\n".join(lines) + "\n").encode()
    assert all(len(p) <= PIPE_BUF and p.endswith(b"\n") for p in pieces)
    assert len(pieces) < len(lines) / 10  # far fewer writes than lines
    long = b"a" * 5000 + b"\n"
    assert list(_whole_lines(b"x\n" + long + b"y\n", PIPE_BUF)) == [b"x\n", long, b"y\n"]

    read_end, write_end = os.pipe()
    with open(write_end, "w") as stream, open(read_end, "rb") as source:
        handler = RequestLogHandler(stream, capacity=1 << 20, interval=3600)
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(source.read()))
        reader.start()
        for line in lines:
            handler.add(line)
        handler.flush()
        stream.close()
        reader.join(timeout=30)
    assert got[0].decode().splitlines() == lines
