"""Targets 1, 2, 3 and 7: the seed article served, proxied, rendered and weighed."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import inproc
import nginx
import web
from report import POST, Ratio, Run, guarded, heading, say
from servers import OUT, ROOT, WrkResult, children, fetch, free_port, wait_http


def run_seed(run: Run) -> None:
    """Import content/ into a fresh database and measure the seed article."""
    heading("Seed site: content/ imported into a fresh SQLite database")
    db = run.fresh_db("seed.sqlite3")
    seconds, output = run.flask(db, "content", "import", str(ROOT / "content"))
    say(f"flask content import content/: {seconds:.1f} s; {output.strip().splitlines()[-1]}")
    blog_port = free_port()
    # The shipped defaults: the request log on (its lines go to bench/out/logs/).
    blog = run.servers.gunicorn("gunicorn-seed", "wsgi:app", blog_port, run.env(db, log=True))
    base = f"http://127.0.0.1:{blog_port}"
    status, headers, page = fetch(base + POST)
    if status != 200:
        raise RuntimeError(f"GET {POST}: {status}; see {blog.log}")
    page_file = OUT / "page.html"
    page_file.write_bytes(page)
    say(f"GET {POST}: {len(page)} bytes, ETag {headers.get('etag')}, "
        f"Cache-Control {headers.get('cache-control')}")
    guarded(run, [1], target_1, run, blog_port, page_file, len(page))
    guarded(run, [10], target_7, run, base)
    guarded(run, [2], target_2, run, blog_port, page)
    run.servers.stop(blog)
    guarded(run, [8], target_3, run, db)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each still-running process has used so far (a process that
    ended, such as nginx's cache loader a minute after start, is left out)."""
    found: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes present in both."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def _rounds(run: Run, contenders: dict[str, str], once: dict[str, str] | None = None,
            cpu_us: dict[str, list[float]] | None = None, server: int = 0
            ) -> dict[str, list[WrkResult]]:
    """run.rounds rounds; in each, one wrk run of every contender, the order reversed every
    other round (A B, B A, ...) so that neither always runs first. `once`: references run
    a single time, after the first round. With `cpu_us`, the CPU time the workers of the
    `server` process used per request in each run is appended there (microseconds)."""
    found: dict[str, list[WrkResult]] = {name: [] for name in contenders}
    width = max(len(name) for name in [*contenders, *(once or {})])
    for number in range(1, run.rounds + 1):
        order = list(contenders.items())
        for name, url in order if number % 2 else reversed(order):
            workers = children(server) if cpu_us is not None else []
            before = cpu_seconds(workers)
            result = run.wrk.run(url)
            found[name].append(result)
            extra = ""
            if cpu_us is not None and result.requests:
                cpu_us.setdefault(name, []).append(
                    cpu_spent(before, cpu_seconds(workers)) / result.requests * 1e6)
                extra = f"  server CPU {cpu_us[name][-1]:.1f} us/request"
            say(f"  round {number}  {name:<{width}}  {result.line()}{extra}")
        if number == 1:
            for name, url in (once or {}).items():
                result = run.wrk.run(url)
                found[name] = [result]
                say(f"  (once)   {name:<{width}}  {result.line()}")
    for name, results in found.items():
        errors = sum(r.errors for r in results)
        if errors:
            say(f"  !! {name}: {errors} errors or non-2xx/3xx answers")
    return found


def _ratio(found: dict[str, list[WrkResult]], top: str, bottom: str) -> Ratio:
    """top / bottom requests per second, round by round."""
    return Ratio(tuple(a.requests_per_s / b.requests_per_s
                       for a, b in zip(found[top], found[bottom], strict=True)))


def _median_rps(results: list[WrkResult]) -> float:
    return sorted(r.requests_per_s for r in results)[len(results) // 2]


def target_1(run: Run, blog_port: int, page_file: object, size: int) -> None:
    """Cached post page under gunicorn versus a minimal Flask app with the same bytes."""
    heading("Row 1: cached post page under gunicorn vs a minimal Flask app with its bytes")
    page_port, hello_port = free_port(), free_port()
    extra = ["--pythonpath", str(ROOT / "bench")]
    minimal = run.servers.gunicorn("gunicorn-minimal", "minimal_app:app", page_port,
                                   run.env(OUT / "unused.sqlite3",
                                           BENCH_BODY_FILE=str(page_file)), extra)
    hello = run.servers.gunicorn("gunicorn-hello", "minimal_app:app", hello_port,
                                 run.env(OUT / "unused.sqlite3"), extra)
    status, _, body = fetch(f"http://127.0.0.1:{page_port}{POST}")
    assert status == 200 and len(body) == size, "the minimal app must return the same bytes"
    say(f"gunicorn {run.workers} sync workers each (gunicorn.conf.py, WEB_CONCURRENCY="
        f"{run.workers}, no access log); the blog with its default settings (request log on, "
        f"to its log file), the minimal app has no log; {run.wrk.describe()}, no "
        f"Accept-Encoding; {run.rounds} rounds alternating (order reversed every other "
        "round), the ratio of each round, their median and spread")
    say(f"  blog: GET {POST} ({size} bytes); minimal: minimal_app.py returning those {size} "
        "bytes; hello: minimal_app.py returning 13 bytes")
    found = _rounds(run, {
        "blog": f"http://127.0.0.1:{blog_port}{POST}",
        "minimal": f"http://127.0.0.1:{page_port}{POST}",
    }, once={"hello": f"http://127.0.0.1:{hello_port}/"})
    ratio = _ratio(found, "blog", "minimal")
    say(f"  median: blog {_median_rps(found['blog']):.0f} req/s, minimal "
        f"{_median_rps(found['minimal']):.0f} req/s, hello "
        f"{found['hello'][0].requests_per_s:.0f} req/s (reference, once); blog / minimal "
        f"per round: {' '.join(f'{v:.2f}' for v in ratio.values)}; median {ratio.describe()}")
    errors = sum(r.errors for r in found["blog"])
    run.verdict(1, ratio.describe(), ">= 0.95", ratio.median >= 0.95 and not errors)
    run.servers.stop(hello)
    run.servers.stop(minimal)


def target_2(run: Run, blog_port: int, page: bytes) -> None:
    """The post page through the deploy nginx config versus nginx serving it as a file."""
    heading("Row 2: post page through deploy/nginx-blog.conf vs nginx static file")
    prefix = OUT / "nginx"
    static_root = OUT / "static-page"
    target = static_root / POST.strip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(page)
    proxy_port, static_port = free_port(), free_port()
    conf = nginx.write_config(prefix, proxy_port, static_port, blog_port, static_root,
                              workers=run.workers)
    proc = run.servers.start("nginx", nginx.argv(prefix, conf))
    try:
        wait_http(f"http://127.0.0.1:{static_port}/", timeout=20)
    except RuntimeError:
        raise RuntimeError(f"nginx did not start; see {proc.log}, {prefix}/logs") from None
    proxied = f"http://127.0.0.1:{proxy_port}{POST}"
    static = f"http://127.0.0.1:{static_port}{POST}"
    for _ in range(2):
        status, headers, body = fetch(proxied)
    say(f"nginx {run.workers} worker processes, config {conf} (deploy/nginx-blog.conf with "
        "ports and folders of this run; the static server has the deploy file's sendfile, "
        "open_file_cache and keep-alive settings; access_log off in both servers); "
        f"{run.wrk.describe()}, no Accept-Encoding")
    say(f"  proxied: {status}, {len(body)} bytes, X-Cache-Status {headers.get('x-cache-status')}"
        f"; static: the page's {len(page)} bytes as {target.relative_to(ROOT)}")
    cpu: dict[str, list[float]] = {}
    found = _rounds(run, {"nginx+app": proxied, "nginx static": static}, cpu_us=cpu,
                    server=proc.pid)
    ratio = _ratio(found, "nginx+app", "nginx static")
    say(f"  median: through nginx {_median_rps(found['nginx+app']):.0f} req/s, static "
        f"{_median_rps(found['nginx static']):.0f} req/s; per round: "
        f"{' '.join(f'{v:.2f}' for v in ratio.values)}; median {ratio.describe()}")
    if cpu.get("nginx+app") and cpu.get("nginx static"):
        proxied_us, static_us = (statistics.median(cpu[k]) for k in ("nginx+app",
                                                                         "nginx static"))
        say(f"  nginx workers' CPU per request (less sensitive to other load than req/s; "
            f"wrk's own CPU is not in it): through nginx {proxied_us:.1f} us, static "
            f"{static_us:.1f} us; static / proxied = {static_us / proxied_us:.2f}, the ratio "
            "when nginx alone is the bottleneck")
    errors = sum(r.errors for r in found["nginx+app"])
    run.verdict(2, ratio.describe(), ">= 0.85", ratio.median >= 0.85 and not errors)
    run.servers.stop(proc)


def target_3(run: Run, db: object) -> None:
    """render() of the seed article versus bare Python-Markdown with the same extensions."""
    heading("Row 8: rendering the seed article (cache miss) vs bare Python-Markdown")
    repeat = 15 if run.quick else 60
    app = inproc.make_app(f"sqlite:///{db}", run.secret)
    timing = inproc.render_timing(app, POST, repeat)
    ratio = timing.full_s / timing.bare_s
    say(f"render_html(body, options_for(page, settings)) (what a page-cache miss renders; the text "
        "measures are stored at import) vs bare Python-Markdown with the extensions the app "
        "used before issue 11 (bench/baseline_markdown.py), one instance reset per call, "
        f"{timing.repeat} calls of each, alternating call by call, best of each with "
        "time.perf_counter, GC off while timing")
    say(f"  body {timing.body_chars} characters; for the bare run its {timing.shortcodes_removed}"
        " shortcodes and the Disqus partial line are removed (replaced by nothing)")
    say(f"  render(): {timing.full_s * 1000:.2f} ms; bare Markdown: {timing.bare_s * 1000:.2f} ms;"
        f" ratio {ratio:.2f} (median of the {timing.repeat} call-by-call ratios: "
        f"{timing.median_ratio:.2f})")
    run.verdict(8, f"{ratio:.2f}", "<= 1.25", ratio <= 1.25)


def target_7(run: Run, base: str) -> None:
    """HTML + CSS + JS of the post page, each gzip level 6, images excluded."""
    heading("Row 10: weight of the post page (HTML + CSS + JS, gzip -6, no images)")
    start = time.perf_counter()
    assets = web.page_weight(base, POST)
    for asset in assets:
        say(f"  {asset.kind:<4} {asset.raw:>7} bytes raw  {asset.gzipped:>6} bytes gzip  "
            f"{asset.url}")
    total = sum(a.gzipped for a in assets)
    raw = sum(a.raw for a in assets)
    say(f"  total: {raw} bytes raw, {total} bytes ({total / 1024:.1f} KB) compressed; "
        f"{len(assets)} files ({time.perf_counter() - start:.1f} s)")
    run.verdict(10, f"{total / 1024:.1f} KB", "< 50 KB", total < 50 * 1024)
