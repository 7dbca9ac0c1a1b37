"""Measurements made inside this process with the app itself: render time, uncached views.

Target 3 calls `render(body, options)` exactly as a cache miss does
(`options_for(page, settings)` of the stored seed article) and bare Python-Markdown with the
yardstick's extensions (bench/baseline_markdown.py) on the same body with its shortcodes (and
the Disqus partial line) removed.

Target 5 calls the app through Flask's test client (no HTTP, no gunicorn): before every
timed request the page-cache entries (`view:` keys, in the per-process LRU and in the shared
cache) are dropped, so each request builds its page as after an LRU eviction; rendered
bodies and the visibility bounds stay cached, as they do in a running worker.
"""

from __future__ import annotations

import gc
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import baseline_markdown

_SHORTCODE_RE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_PARTIAL_RE = re.compile(r"^\s*\{\{-?\s*(partial|template)\s.*?\}\}\s*$", re.MULTILINE)


def best_of_pair(first: Callable[[], object], second: Callable[[], object],
                 repeat: int) -> tuple[list[float], list[float]]:
    """Times (s, time.perf_counter) of repeat calls of each, alternating, GC off while timing.

    Alternating call by call lets both see the same machine: on a shared machine the load
    changes from second to second, and a block of one then a block of the other would
    compare different moments.
    """
    first()  # warm-up: first-call imports and caches
    second()
    times: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            for fn, found in ((first, times[0]), (second, times[1])):
                start = time.perf_counter()
                fn()
                found.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return times


def make_app(db_url: str, secret: str) -> Any:
    """The blog app on db_url, request logging off."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret,
                       "LOG_REQUESTS": False})


@dataclass(frozen=True)
class RenderTiming:
    """Target 3's figures."""

    full_s: float  # best of repeat
    bare_s: float
    median_ratio: float  # the median of the call-by-call ratios
    body_chars: int
    shortcodes_removed: int
    repeat: int


def render_timing(app: Any, url_path: str, repeat: int) -> RenderTiming:
    """Best-of-repeat render() of a stored page versus bare Markdown on the same body."""
    from app.extensions import db
    from app.render.pipeline import render_html
    from app.services.site.queries import find_page
    from app.services.site.rendering import options_for
    from app.web.site import for_app

    with app.app_context():
        page = find_page(db.session, url_path)
        if page is None:
            raise RuntimeError(f"no published page at {url_path}")
        body, options = page.body, options_for(page, for_app(app))
    bare_body, removed = _SHORTCODE_RE.subn("", _PARTIAL_RE.sub("", body))
    converter = baseline_markdown.converter()

    def bare() -> str:
        converter.reset()
        return converter.convert(bare_body)

    full, bare_times = best_of_pair(lambda: render_html(body, options), bare, repeat)
    ratios = [f / b for f, b in zip(full, bare_times, strict=True)]
    return RenderTiming(min(full), min(bare_times), statistics.median(ratios), len(body),
                        removed, repeat)


def drop_page_cache(app: Any) -> None:
    """Forget every cached page, in this process and in the shared cache."""
    from app.web.fast_path import forget_cached_pages

    forget_cached_pages(app)


@dataclass(frozen=True)
class Latency:
    """Per-request times of one kind of view, in milliseconds."""

    label: str
    urls: tuple[str, ...]
    ms: tuple[float, ...]
    sizes: tuple[int, ...]

    def pct(self, q: float) -> float:
        """The q-th percentile (nearest rank)."""
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]

    def line(self) -> str:
        """One line for the report."""
        return (f"{self.label:<28} n={len(self.ms):<4} p50 {self.pct(50):6.1f} ms  "
                f"p90 {self.pct(90):6.1f}  p99 {self.pct(99):6.1f}  max {max(self.ms):6.1f}  "
                f"mean {statistics.fmean(self.ms):6.1f}  ({max(self.sizes)} bytes)")


def uncached_latency(app: Any, label: str, urls: list[str], count: int,
                     drop: bool = True, budget_s: float = 60.0) -> Latency:
    """count GETs cycling through urls, each after dropping the page cache; 3 untimed first.

    Stops early (with at least 20 requests) once budget_s seconds have gone by.
    """
    client = app.test_client()
    for url in urls[:3]:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
    times: list[float] = []
    sizes: list[int] = []
    deadline = time.monotonic() + budget_s
    for number in range(count):
        if number >= 20 and time.monotonic() > deadline:
            break
        url = urls[number % len(urls)]
        if drop:
            drop_page_cache(app)
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        sizes.append(len(body))
    return Latency(label, tuple(urls), tuple(times), tuple(sizes))


@dataclass(frozen=True)
class MarkdownFloor:
    """Target 4's floor: what bare Python-Markdown alone costs for the generated posts."""

    sample: int
    ms_per_post: float  # median over the sample, one converter reset per call
    posts: int
    cores: int

    @property
    def one_core_s(self) -> float:
        """Converting every post on one core."""
        return self.ms_per_post * self.posts / 1000

    @property
    def all_cores_s(self) -> float:
        """The same spread perfectly over every core (no parse, no store, no start-up)."""
        return self.one_core_s / self.cores


def markdown_floor(paths: list[Any], posts: int, cores: int) -> MarkdownFloor:
    """Bare Python-Markdown (the yardstick's extensions) on the bodies of the sampled files."""
    from app.content.frontmatter import split_front_matter

    bodies = [split_front_matter(path.read_text(encoding="utf-8")).body for path in paths]
    converter = baseline_markdown.converter()

    def convert(body: str) -> object:
        converter.reset()
        return converter.convert(body)

    return MarkdownFloor(len(bodies), _median_ms(convert, bodies), posts, cores)


def _median_ms(call: Callable[[str], object], bodies: list[str]) -> float:
    """The median time of call(body) over the bodies, after one warm-up, collector off."""
    call(bodies[0])
    times = []
    gc.collect()
    gc.disable()
    try:
        for body in bodies:
            start = time.perf_counter()
            call(body)
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(times) * 1000


def renderer_ms_per_post(paths: list[Any]) -> float:
    """The app's renderer (render(), as the import calls it) per generated post, median."""
    from app.content.frontmatter import split_front_matter
    from app.render.pipeline import render

    bodies = [split_front_matter(path.read_text(encoding="utf-8")).body for path in paths]
    return _median_ms(render, bodies)
