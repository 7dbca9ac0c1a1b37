"""Fixtures for end-to-end browser tests: the real blog under gunicorn, and headless Chromium.

``live_server`` sets up a fresh SQLite database in a temporary folder with the same
commands a deployer runs (``flask db upgrade``, ``flask content import content``), then
serves it with gunicorn and ``gunicorn.conf.py``.  ``browser`` launches Debian's Chromium
through Playwright; no browser is ever downloaded and no host other than 127.0.0.1 is
contacted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POST_PATH = "/posts/the-rise-of-ai-generated-images/"
# The pages every page-level audit (axe, the Nu Html Checker) looks at, by name.
AUDITED_PAGES = {
    "home": "/",
    "post": POST_PATH,
    "tag": "/tags/ai/",
    "tags": "/tags/",
    "search": "/search?q=images",
    "search-empty": "/search?q=zzyzx-no-such-word",
    "not-found": "/no-such-page/",
}
STARTUP_TIMEOUT = 20.0  # seconds gunicorn gets to answer its first request
COMMAND_TIMEOUT = 120  # seconds for each set-up command


def block_foreign_hosts(context: Any, base_url: str, blocked: list[str]) -> None:
    """Abort every request of a browser context to a host other than the server's (data:
    and blob: URLs pass), noting each in ``blocked``: a page must never call out."""
    local = urlsplit(base_url).netloc

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == local:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(tmp: Path, port: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SECRET_KEY": "browser-tests-secret-key-" + "k" * 40,
            "DATABASE_URL": f"sqlite:///{tmp / 'blog.sqlite3'}",
            "FLASK_APP": "wsgi",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("FLASK_DEBUG", None)
    if port is not None:
        env["BIND"] = f"127.0.0.1:{port}"
        env["WEB_CONCURRENCY"] = "2"
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    """Run a set-up command from the repository root; fail the session with its output."""
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _wait_until_up(base_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code}"
        except OSError as exc:
            last_error = repr(exc)
        time.sleep(0.1)
    exited = proc.poll()
    _stop(proc)
    state = f"exited with {exited}" if exited is not None else f"no answer in {STARTUP_TIMEOUT}s"
    pytest.fail(
        f"gunicorn at {base_url} {state} (last error: {last_error})\n"
        f"--- gunicorn log ---\n{log.read_text(errors='replace')}",
        pytrace=False,
    )


@contextmanager
def gunicorn(tmp: Path, settings: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """(base URL, log file) of gunicorn with ``gunicorn.conf.py`` on the database in ``tmp``,
    with more environment ``settings``; stopped on leaving."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp / "gunicorn.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env={**_server_env(tmp, port), **(settings or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base_url, proc, log)
        yield base_url, log
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of gunicorn serving a freshly imported ``content/``."""
    tmp = tmp_path_factory.mktemp("live-server")
    setup_env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], setup_env)
    _run([str(VENV_BIN / "flask"), "content", "import", "content"], setup_env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (skipped when it is not installed)."""
    required = os.environ.get("BLOG_REQUIRE_BROWSER") == "1"
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if required:
            pytest.fail(f"BLOG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("BLOG_REQUIRE_BROWSER=1 but playwright is not installed", pytrace=False)
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
