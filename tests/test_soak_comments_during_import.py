"""Soak: 2,000 comments from 32 clients into 4 gunicorn workers while an import runs.

Every accepted comment is stored exactly once, no request fails with a 5xx, nothing is
"database is locked". On SQLite by default; on PostgreSQL (+ Redis) with BLOG_TEST_DB=postgres.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests import backends
from tests.conftest import ROOT
from tests.shared import CORPUS_CONTENT, require
from tests.test_comments_concurrency import POST, VENV_BIN, _free_port, _run, _stop

pytestmark = pytest.mark.slow
POSTS, CLIENTS = 2000, 32


def _request(port: int, method: str, path: str, body: object | None = None
             ) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_comments_during_an_import_are_stored_exactly_once(tmp_path: Path) -> None:
    require(CORPUS_CONTENT)
    database = (backends.postgres_url() if backends.use_postgres()
                else f"sqlite:///{tmp_path / 'blog.sqlite3'}")
    env = {**__import__("os").environ, "SECRET_KEY": "soak-secret-key-" + "s" * 40,
           "DATABASE_URL": database, "FLASK_APP": "wsgi", "COMMENTS_MODERATION": "none",
           "COMMENTS_MIN_FILL_SECONDS": "0", "COMMENTS_RATE_LIMIT": "100000",
           "LOG_REQUESTS": "0", **backends.cache_config_env()}
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "4"},
            stdout=log_file, stderr=subprocess.STDOUT)
    importer = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _request(port, "GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        token = json.loads(_request(port, "GET", f"/api/comments?url={POST}")[1])["form_token"]
        # A large import (the Blowfish corpus, 1,529 pages) runs beside the comment flood.
        corpus = tmp_path / "corpus"
        shutil.copytree(CORPUS_CONTENT, corpus)
        shutil.copytree(ROOT / "content" / "posts", corpus / "posts", dirs_exist_ok=True)
        importer = subprocess.Popen(
            [str(VENV_BIN / "flask"), "content", "import", str(corpus)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        gate = threading.Barrier(CLIENTS)

        def post(n: int) -> tuple[int, bytes, str]:
            if n < CLIENTS:
                gate.wait(timeout=60)
            body = f"Soak comment {n}"
            status, reply = _request(port, "POST", "/api/comments",
                                     {"url": POST, "text": body, "form_token": token})
            return status, reply, body

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(post, range(POSTS)))
        import_output, _ = importer.communicate(timeout=600)
    finally:
        if importer is not None and importer.poll() is None:
            importer.kill()
        _stop(server)
    statuses = Counter(status for status, _, _ in results)
    assert not [s for s in statuses if s >= 500], statuses
    accepted = {json.loads(reply)["comment"]["id"]: body
                for status, reply, body in results if status in (201, 202)}
    assert statuses[201] + statuses[202] == len(accepted)  # one id per accepted post
    engine = create_engine(database.replace("postgresql+psycopg", "postgresql+psycopg"))
    with engine.connect() as connection:
        stored = dict(connection.execute(text(
            "SELECT id, text_md FROM comments WHERE text_md LIKE 'Soak comment %'")).all())
    engine.dispose()
    assert stored == accepted  # every accepted comment stored exactly once, none extra
    assert len(accepted) == POSTS  # the limit was raised: nothing refused
    assert importer.returncode in (0, 1), import_output  # 1: some corpus pages warned
    assert "Traceback" not in import_output
    server_log = log.read_text(errors="replace")
    assert "database is locked" not in server_log and "Traceback" not in server_log
