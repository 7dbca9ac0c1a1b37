"""Two app hosts (two gunicorn servers) sharing PostgreSQL and Redis see every change at once.

A comment posted to one appears on the other, a moderation on one shows on the other, and an
import run beside them shows on both on the next request. Runs when BLOG_TEST_DB=postgres
(CI does); skips otherwise.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from tests import backends
from tests.browser.conftest import ROOT, VENV_BIN, _free_port, _run, _server_env, _wait_until_up

pytestmark = pytest.mark.multihost
POST = "/posts/the-rise-of-ai-generated-images/"


class Host:
    """One gunicorn server, with a cookie-keeping HTTP client."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None, method: str | None = None
                ) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {},
                                     method=method)
        try:
            with self.opener.open(req, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> str:
        status, body = self.request(path)
        assert status == 200, (path, status, body[:300])
        return body

    def post_json(self, path: str, payload: dict) -> tuple[int, dict]:
        status, body = self.request(path, json.dumps(payload).encode(),
                                    {"Content-Type": "application/json"})
        return status, json.loads(body)

    def post_form(self, path: str, fields: dict[str, str | list[str]]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.request(path, data, {"Origin": self.base,
                                         "Content-Type": "application/x-www-form-urlencoded"})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Host, Host, dict]]:
    if not backends.use_postgres():
        pytest.skip("multi-host test runs with BLOG_TEST_DB=postgres (as in CI)")
    database = backends.postgres_url()
    tmp = tmp_path_factory.mktemp("multihost")
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    env = _server_env(tmp)
    env.update({
        "DATABASE_URL": database,
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": backends.REDIS_URL,
        "CACHE_KEY_PREFIX": f"blogtest:{uuid.uuid4().hex}:",
        "COMMENTS_MODERATION": "first",
        "COMMENTS_MIN_FILL_SECONDS": "0",
        "COMMENTS_RATE_LIMIT": "1000",
        "ADMIN_PASSWORD_HASH": generate_password_hash("multihost-password"),
        "LOG_REQUESTS": "0",
    })
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    servers, hosts = [], []
    try:
        for _ in range(2):
            port = _free_port()
            server_env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
            log = tmp / f"gunicorn-{port}.log"
            with log.open("w") as log_file:  # the server writes to its own copy of the file
                servers.append(subprocess.Popen(
                    [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                    cwd=ROOT, env=server_env, stdout=log_file, stderr=subprocess.STDOUT))
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, servers[-1], log)
            hosts.append(Host(base))
        yield hosts[0], hosts[1], {"env": env, "content": content}
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _comment(host: Host, text: str) -> tuple[int, dict]:
    _, body = host.request(f"/api/comments?url={POST}")
    token = json.loads(body)["form_token"]
    return host.post_json("/api/comments", {"url": POST, "text": text, "author": "Ada",
                                            "email": "ada@example.org", "form_token": token})


def _admin_login(host: Host) -> str:
    page = host.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, _ = host.post_form("/admin/login", {"password": "multihost-password",
                                                "csrf_token": token})
    assert status in (200, 303), status
    return re.search(r'name="csrf_token" value="([^"]+)"', host.get("/admin/")).group(1)


def test_a_held_comment_approved_on_one_host_shows_on_the_other(
        cluster: tuple[Host, Host, dict]) -> None:
    a, b, _ = cluster
    text = f"Held first comment {uuid.uuid4().hex[:8]}"
    status, body = _comment(a, text)
    assert status == 202, body  # the first comment of an author is held
    comment_id = body["comment"]["id"]
    assert text not in b.get(POST)
    csrf = _admin_login(b)  # moderated on the other host
    status, _ = b.post_form("/admin/comments", {"ids": [str(comment_id)], "action": "approve",
                                                "csrf_token": csrf})
    assert status in (200, 303)
    assert text in a.get(POST) and text in b.get(POST)


def test_a_comment_posted_to_one_host_appears_on_the_other(
        cluster: tuple[Host, Host, dict]) -> None:
    a, b, _ = cluster
    b.get(POST)  # warm b's caches with the page as it is now
    text = f"Published straight away {uuid.uuid4().hex[:8]}"
    status, body = _comment(a, text)  # Ada was approved above: published at once
    assert status == 201, body
    assert text in b.get(POST)
    status, counts = b.request(f"/api/comments/counts?url={POST}")
    assert json.loads(counts)["counts"][POST] >= 2


def test_an_import_beside_them_shows_on_both(cluster: tuple[Host, Host, dict]) -> None:
    a, b, info = cluster
    for host in (a, b):
        assert "Fresh from the CLI" not in host.get("/")
    post = Path(info["content"]) / "posts" / "fresh.md"
    post.write_text("---\ntitle: Fresh from the CLI\ndate: 2024-05-05\n---\nNew text.\n")
    _run([str(VENV_BIN / "flask"), "content", "import", str(info["content"])], info["env"])
    started = time.time()
    for host in (a, b):
        assert "Fresh from the CLI" in host.get("/")
        assert "New text." in host.get("/posts/fresh/")
    assert time.time() - started < 10
