"""deploy/nginx-blog.conf adapted to a benchmark run, plus a static twin of the same page.

The site file is copied with only what a run must change: the listen address, the upstream
port, the proxy cache folder and the static folder. Every substitution must match, so a
change to the deploy file that the benchmark no longer understands fails loudly.
The copy goes inside a minimal main configuration with a second server that serves the
page's bytes as a static file, with the deploy file's own file-serving settings (sendfile,
open file cache, keep-alive: STATIC_SETTINGS), so the baseline is nginx at its best, not a
server configured less well. Access logs are off in both servers.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

from servers import ROOT

DEPLOY = ROOT / "deploy" / "nginx-blog.conf"
# The deploy server's directives that make a file fast to send, copied into the static twin.
STATIC_SETTINGS = ("sendfile", "tcp_nopush", "tcp_nodelay", "open_file_cache",
                   "open_file_cache_valid", "open_file_cache_min_uses",
                   "open_file_cache_errors", "keepalive_requests")


def static_settings(text: str) -> str:
    """The STATIC_SETTINGS lines of the deploy file, as written there."""
    lines = [line.strip() for line in text.splitlines()
             if line.strip().split(" ", 1)[0] in STATIC_SETTINGS]
    return "\n".join(f"        {line}" for line in lines)


def adapt_site(text: str, port: int, upstream_port: int, cache_dir: Path,
               static_dir: Path) -> str:
    """The deploy site file with this run's ports and folders."""
    rules = [
        (r"proxy_cache_path\s+/var/cache/nginx/blog\b", f"proxy_cache_path {cache_dir}"),
        (r"server\s+127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        (r"^\s*listen\s+\[::\]:80;\n", ""),
        (r"listen\s+80;", f"listen 127.0.0.1:{port};"),
        (r"alias\s+/srv/blog/static/;", f"alias {static_dir}/;"),
    ]
    for pattern, replacement in rules:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count == 0:
            raise RuntimeError(f"{DEPLOY}: no match for {pattern!r}; update bench/nginx.py")
    return text


def write_config(prefix: Path, port: int, static_port: int, upstream_port: int,
                 static_root: Path, workers: int) -> Path:
    """Write prefix/nginx.conf (and the folders it uses); returns its path."""
    for sub in ("cache", "tmp", "logs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    site = adapt_site(DEPLOY.read_text(), port, upstream_port, prefix / "cache",
                      ROOT / "static")
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {name}_temp_path {prefix / 'tmp' / name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = f"""# Written by bench/nginx.py for one benchmark run: deploy/nginx-blog.conf inside.
{user}worker_processes {workers};
daemon off;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'logs' / 'error.log'} warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    access_log off;
{temp}

    # ---- deploy/nginx-blog.conf, adapted ----
{site}
    # ---- the same page as a static file ----
    server {{
        listen 127.0.0.1:{static_port};
        root {static_root};
        index index.html;
{static_settings(DEPLOY.read_text())}
    }}
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(conf)
    return path


def argv(prefix: Path, conf: Path) -> list[str]:
    """The nginx command line: foreground, our prefix, config and error log."""
    return ["nginx", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "logs" /
                                                                    "error.log")]
