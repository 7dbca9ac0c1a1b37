"""HTTP-side measurements: page weight, sequential timed GETs, wrk scripts for mixed load."""

from __future__ import annotations

import gzip
import http.client
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from inproc import Latency
from servers import fetch


class _Assets(HTMLParser):
    """Stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        rel = found.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel and found.get("href"):
            self.urls.append(("css", found["href"]))
        elif tag == "link" and "modulepreload" in rel and found.get("href"):
            self.urls.append(("js", found["href"]))
        elif tag == "script" and found.get("src"):
            self.urls.append(("js", found["src"]))


@dataclass(frozen=True)
class Asset:
    """One resource of a page: raw and gzip-6 sizes."""

    kind: str
    url: str
    raw: int
    gzipped: int


def page_weight(base: str, path: str) -> list[Asset]:
    """The page and every CSS/JS file it links, each gzip-compressed at level 6."""
    status, _, html = fetch(base + path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    parser = _Assets()
    parser.feed(html.decode())
    assets = [Asset("html", path, len(html), len(gzip.compress(html, 6)))]
    seen: set[str] = set()
    for kind, url in parser.urls:
        absolute = urljoin(base + path, url)
        if urlsplit(absolute).netloc != urlsplit(base).netloc or absolute in seen:
            continue  # only same-origin files (nothing else is reachable here)
        seen.add(absolute)
        status, _, data = fetch(absolute)
        if status != 200:
            raise RuntimeError(f"GET {url}: {status}")
        assets.append(Asset(kind, url, len(data), len(gzip.compress(data, 6))))
    return assets


def bump_generation(db_path: Path) -> None:
    """What every import does: the site generation + 1, so every cached page is stale."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        conn.execute("UPDATE site_state SET value = value + 1 WHERE key = 'generation'")


def timed_gets(port: int, label: str, urls: list[str], count: int,
               before: Callable[[], None] | None = None, budget_s: float = 60.0) -> Latency:
    """count sequential GETs over one keep-alive connection (reopened when closed).

    Stops early (with at least 20 requests) once budget_s seconds have gone by.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[float] = []
    sizes: list[int] = []
    for url in urls[:3]:  # warm-up, untimed
        conn.request("GET", url)
        conn.getresponse().read()
    deadline = time.monotonic() + budget_s
    for number in range(count):
        if number >= 20 and time.monotonic() > deadline:
            break
        url = urls[number % len(urls)]
        if before is not None:
            before()
        start = time.perf_counter()
        try:
            conn.request("GET", url)
            response = conn.getresponse()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}")
        sizes.append(len(body))
    conn.close()
    return Latency(label, tuple(urls), tuple(times), tuple(sizes))


def wrk_paths_script(path: Path, urls: list[str], seed: int = 1) -> Path:
    """A wrk Lua script that requests urls in a shuffled, repeatable order."""
    quoted = ",\n".join(f'  "{u}"' for u in urls)
    path.write_text(f"""-- written by bench/web.py: mixed requests
local paths = {{
{quoted}
}}
local i = 0
function setup(thread)
  i = i + 1
  thread:set("offset", i * 7919)
end
function init(args)
  math.randomseed({seed} + offset)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
""")
    return path
