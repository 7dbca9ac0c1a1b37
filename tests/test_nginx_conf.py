"""deploy/nginx-blog.conf is a configuration nginx accepts (`nginx -t`); skipped where nginx
is not installed. bench/nginx.py runs it for real (target 2 of bench/run)."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
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

