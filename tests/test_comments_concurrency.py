"""The comment rate limit under real concurrency: gunicorn, 4 sync workers, one SQLite file.

Isso checks its rate limit outside its write lock, so a burst of concurrent posts slips
past it (measured: limit 2, 5 accepted). Here the check and the insert are one transaction,
so a burst from one client stores exactly the allowed number, and a large burst of allowed
posts loses nothing and never hits "database is locked".
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
POST = "/posts/the-rise-of-ai-generated-images/"
STARTUP_TIMEOUT = 30.0
COMMAND_TIMEOUT = 120


@dataclass
class LiveServer:
    """A gunicorn serving a fresh SQLite database."""

    host: str
    port: int
    database: Path
    log: Path

    def request(self, method: str, path: str, body: object | None = None,
                headers: dict[str, str] | None = None,
                timeout: float = 60) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json"} if data is not None else {}
            all_headers.update(headers or {})
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def form_token(self) -> str:
        status, body = self.request("GET", f"/api/comments?url={POST}")
        assert status == 200, body
        return json.loads(body)["form_token"]

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql).fetchall()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FLASK_DEBUG", None)
    env.update({
        "SECRET_KEY": "concurrency-tests-secret-key-" + "c" * 40,
        "DATABASE_URL": f"sqlite:///{tmp / 'blog.sqlite3'}",
        "FLASK_APP": "wsgi",
        "PYTHONUNBUFFERED": "1",
        "CACHE_TYPE": "SimpleCache",
        "COMMENTS_MODERATION": "none",
        "COMMENTS_MIN_FILL_SECONDS": "0",
        "COMMENTS_RATE_WINDOW": "3600",
        **extra,
    })
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT, check=False)
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(args)}` exited {result.returncode}\n{result.stdout}\n"
                    f"{result.stderr}", pytrace=False)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextmanager
def live_server(tmp: Path, **settings: str) -> Iterator[LiveServer]:
    """gunicorn (4 sync workers) on a fresh SQLite file in tmp, with COMMENTS_* settings."""
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    env = _env(tmp, **settings)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    port = _free_port()
    log = tmp / "gunicorn.log"
    env.update({"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "4",
                "GUNICORN_ACCESS_LOG": str(tmp / "access.log")})
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        server = LiveServer("127.0.0.1", port, tmp / "blog.sqlite3", log)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start\n{server.log_text()}", pytrace=False)
            try:
                if server.request("GET", "/", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield server
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """At most 7 comments per client network per hour."""
    with live_server(tmp_path_factory.mktemp("strict"), COMMENTS_RATE_LIMIT="7") as server:
        yield server


@pytest.fixture(scope="module")
def roomy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A rate limit (1000 per hour) that a 300-post burst stays under."""
    with live_server(tmp_path_factory.mktemp("roomy"), COMMENTS_RATE_LIMIT="1000") as server:
        yield server


def _burst(server: LiveServer, posts: int, threads: int) -> list[tuple[int, bytes, str]]:
    """`posts` comments with distinct texts from `threads` threads released together."""
    token = server.form_token()
    gate = threading.Barrier(threads)

    def post(n: int) -> tuple[int, bytes, str]:
        if n < threads:
            gate.wait(timeout=30)
        text = f"Concurrent comment number {n}"
        status, body = server.request("POST", "/api/comments",
                                      {"url": POST, "text": text, "form_token": token})
        return status, body, text

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(post, range(posts)))


def test_a_burst_from_one_client_stores_exactly_the_allowed_number(
        strict_server: LiveServer) -> None:
    server = strict_server
    results = _burst(server, posts=60, threads=30)
    statuses = Counter(status for status, _, _ in results)
    assert statuses[201] + statuses[202] == 7, statuses
    assert statuses[429] == 53, statuses
    assert not [s for s in statuses if s >= 500], statuses
    for status, body, _ in results:
        if status == 429:
            assert json.loads(body)["code"] == "rate_limited"
    accepted = sorted(json.loads(body)["comment"]["id"] for status, body, _ in results
                      if status in (201, 202))
    stored = [row[0] for row in server.rows("SELECT id FROM comments ORDER BY id")]
    assert stored == accepted and len(stored) == 7
    assert server.rows("SELECT sum(count) FROM rate_buckets") == [(7,)]
    assert "database is locked" not in server.log_text()
    assert "Traceback" not in server.log_text()


def test_a_large_burst_of_allowed_posts_loses_nothing(roomy_server: LiveServer) -> None:
    server = roomy_server
    results = _burst(server, posts=300, threads=32)
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {201: 300}, statuses
    accepted = {json.loads(body)["comment"]["id"]: text for _, body, text in results}
    assert len(accepted) == 300  # 300 distinct ids
    stored = dict(server.rows(
        "SELECT id, text_md FROM comments WHERE text_md LIKE 'Concurrent comment number %'"))
    assert stored == accepted  # every 201 stored exactly once, with its own text
    assert "database is locked" not in server.log_text()
    assert "Traceback" not in server.log_text()


def test_a_chunked_body_over_64_kib_is_refused(roomy_server: LiveServer) -> None:
    server = roomy_server
    body = json.dumps({"url": POST, "text": "Chunked", "form_token": server.form_token(),
                       "padding": "x" * 200_000}).encode()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("POST", "/api/comments", body=iter([body[:1000], body[1000:]]),
                           headers={"Content-Type": "application/json"},
                           encode_chunked=True)
        response = connection.getresponse()
        status = response.status
        response.read()
    finally:
        connection.close()
    assert status == 413
