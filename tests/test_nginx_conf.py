"""deploy/nginx-blog.conf is a configuration nginx accepts (`nginx -t`), and its micro-cache
never replays a request id; skipped where nginx is not installed. bench/nginx.py
runs it under load (target 2 of bench/run)."""

from __future__ import annotations

import getpass
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.shared import ROOT

DEPLOY = ROOT / "deploy" / "nginx-blog.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _config(tmp_path: Path) -> Path:
    """The deploy site file with a cache folder and a port of this test, inside a minimal
    main configuration (as /etc/nginx/nginx.conf would include it)."""
    site = DEPLOY.read_text()
    site = re.sub(r"proxy_cache_path\s+/var/cache/nginx/blog\b",
                  f"proxy_cache_path {tmp_path / 'cache'}", site)
    site = re.sub(r"^\s*listen\s+\[::\]:80;\n", "", site, flags=re.M)
    site = re.sub(r"listen\s+80;", "listen 127.0.0.1:18080;", site)
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {name}_temp_path {tmp_path / name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""{user}pid {tmp_path / 'nginx.pid'};
error_log {tmp_path / 'error.log'};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
{temp}
{site}
}}
""")
    return conf


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_accepts_the_deploy_configuration(tmp_path: Path) -> None:
    conf = _config(tmp_path)
    assert NGINX is not None
    done = subprocess.run([NGINX, "-t", "-p", f"{tmp_path}/", "-c", str(conf),
                           "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr



class _Upstream(http.server.BaseHTTPRequestHandler):
    """Stands in for the app: a shareable page that carries, as the app does, the request id
    nginx sent it."""

    given: list[str] = []  # the request ids nginx sent

    def do_GET(self) -> None:
        self.given.append(self.headers.get("X-Request-ID", "none"))
        body = b"<!doctype html><title>page</title><p>cached page</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=0, s-maxage=60")
        self.send_header("X-Request-ID", self.headers.get("X-Request-ID", "none"))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_a_cached_page_never_replays_another_request_s_id(tmp_path: Path) -> None:
    """A page served from nginx's micro-cache does not carry the request id of the request
    that filled the cache (the app's id stays in nginx; nginx logs its own), and the app is
    given nginx's id for the request it answers."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = _free_port()
    conf = _config(tmp_path)
    conf.write_text(conf.read_text()
                    .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream.server_port};")
                    .replace("listen 127.0.0.1:18080;", f"listen 127.0.0.1:{port};"))
    assert NGINX is not None
    server = subprocess.Popen([NGINX, "-p", f"{tmp_path}/", "-c", str(conf), "-e",
                               str(tmp_path / "error.log"), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = []
        deadline = time.monotonic() + 10
        while len(seen) < 3:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/posts/a/",
                                            timeout=5) as response:
                    seen.append((response.headers["X-Cache-Status"],
                                 response.headers.get_all("X-Request-ID")))
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert [status for status, _ in seen] == ["MISS", "HIT", "HIT"]
        assert [found for _, found in seen] == [None, None, None], seen
        assert _Upstream.given and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in _Upstream.given)
    finally:
        server.terminate()
        server.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
