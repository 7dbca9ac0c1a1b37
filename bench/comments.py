"""Comments under load: many concurrent writers, then reads of a post with 200 comments.

    .venv/bin/python bench/comments.py [--posts 1000] [--clients 16] [--read-seconds 10]
    .venv/bin/python bench/comments.py --large-thread [10000] [--clients 16]

Starts gunicorn (sync workers, 2 x CPUs by default, the repository's gunicorn.conf.py) on a
fresh SQLite database in a temporary folder, with the seed content plus one extra post.

1. Writes: N comments with distinct texts posted to POST /api/comments by C concurrent
   clients (threads, one http.client connection each, reused whenever the server keeps it
   open). Prints comments stored per second, p50/p95 latency and losses: accepted (201/202)
   but missing from the database, 5xx answers, connection errors.
2. Reads: a post is given 200 comments (mixed nesting) through the API, then C clients read
   for R seconds each: the post page as readers get it (server-rendered thread, shared page
   cache), the post page as its author gets it (own comments: rendered on every request),
   and GET /api/comments?url= (JSON thread, built on every request).
3. Prints Isso's figures measured in the reference (about 100 posts/s; about 10 reads/s of
   a 50-comment thread) and the ratios.

`--large-thread N` measures only a long thread instead: READ_POST is given N comments (40 %
top-level, the rest replies nested up to the depth cap) written straight into the database
before gunicorn starts, and C clients read its first page (the post's URL: the page cache,
answered by the fast path), a middle page (`?comments=P`: cached under its own key), and
the API's first page (`GET /api/comments?url=...`: built on every request). Prints requests
per second, p50 and p99, the time of the very first (uncached) render, and the query plans
of a page's two queries (EXPLAIN QUERY PLAN). Isso took 11 s for a 1,000-comment thread.

Everything it starts it stops; the temporary folder is removed (unless --keep).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
POST = "/posts/the-rise-of-ai-generated-images/"
READ_POST = "/posts/bench-thread/"
ISSO_WRITES_PER_S = 100.0  # comments-anchors.md section 2: 97-108 POST /new per second
ISSO_READS_PER_S = 10.0  # ... 10.5 GET /?uri= per second, 50-comment threads
THREAD_SIZE = 200
ISSO_LARGE_THREAD_S = 11.0  # Isso #15: 11 s to answer a 1,000-comment thread
LARGE_ROOT_SHARE = 0.4  # of a --large-thread thread's comments, the top-level ones


@dataclass
class Result:
    """What one request gave."""

    status: int  # 0: connection error
    seconds: float
    body: bytes = b""


@dataclass
class Run:
    """Requests of one phase."""

    results: list[Result] = field(default_factory=list)
    wall: float = 0.0

    def statuses(self) -> Counter[int]:
        return Counter(r.status for r in self.results)

    def percentile_ms(self, q: int) -> float:
        """The q-th percentile latency of the answered requests, in ms."""
        times = sorted(r.seconds * 1000 for r in self.results if r.status)
        if len(times) < 2:
            return times[0] if times else 0.0
        return statistics.quantiles(times, n=100, method="inclusive")[q - 1]

    def latencies_ms(self) -> tuple[float, float]:
        times = sorted(r.seconds * 1000 for r in self.results if r.status)
        if not times:
            return 0.0, 0.0
        if len(times) == 1:
            return times[0], times[0]
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        return cuts[49], cuts[94]


class Client:
    """One connection, reopened when the server closes it (gunicorn sync workers do)."""

    def __init__(self, port: int, cookie: str | None = None) -> None:
        self.port = port
        self.cookie = cookie
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: object | None = None) -> Result:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.will_close:
                    self.connection.close()
                return Result(response.status, time.perf_counter() - started, payload)
            except (http.client.HTTPException, OSError):
                self.connection.close()
                # A kept-alive connection the server had closed: retry once at once, but
                # never retry a POST that may have been received.
                if attempt == 2 or method != "GET":
                    return Result(0, time.perf_counter() - started)
        return Result(0, time.perf_counter() - started)

    def close(self) -> None:
        self.connection.close()


# -- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FLASK_DEBUG", None)
    env.update({
        "SECRET_KEY": "bench-comments-secret-key-" + "b" * 40,
        "DATABASE_URL": f"sqlite:///{tmp / 'blog.sqlite3'}",
        "FLASK_APP": "wsgi",
        "CACHE_TYPE": "SimpleCache",
        "COMMENTS_MODERATION": "none",
        "COMMENTS_MIN_FILL_SECONDS": "0",
        "COMMENTS_RATE_LIMIT": "1000000",
        "COMMENTS_RATE_WINDOW": "3600",
        "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
    })
    return env


def _setup(tmp: Path, env: dict[str, str]) -> None:
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    post = content / "posts" / "bench-thread" / "index.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ntitle: A busy thread\ndate: 2024-01-01\ntags: [bench]\n---\n\n"
                    + "A post that readers discuss at length.\n\n" * 5, encoding="utf-8")
    for args in (["db", "upgrade"], ["content", "import", str(content)]):
        done = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _start(tmp: Path, env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    log = (tmp / "gunicorn.log").open("wb")
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        client = Client(port)
        try:
            if client.request("GET", "/").status == 200:
                return proc, port
        finally:
            client.close()
        time.sleep(0.2)
    _stop(proc)
    sys.exit("gunicorn did not start:\n" + (tmp / "gunicorn.log").read_text(errors="replace"))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# -- phases ----------------------------------------------------------------------------------


def _form_token(port: int, url: str) -> str:
    client = Client(port)
    try:
        result = client.request("GET", f"/api/comments?url={url}")
    finally:
        client.close()
    if result.status != 200:
        sys.exit(f"GET /api/comments answered {result.status}")
    return json.loads(result.body)["form_token"]


def write_phase(port: int, posts: int, clients: int) -> tuple[Run, list[tuple[int, str]]]:
    """POST `posts` comments from `clients` threads; (run, accepted (id, text) pairs)."""
    token = _form_token(port, POST)
    counter = iter(range(posts))
    lock = threading.Lock()
    run = Run()
    accepted: list[tuple[int, str]] = []
    gate = threading.Barrier(clients + 1)

    def worker() -> None:
        client = Client(port)
        gate.wait()
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                text = f"Benchmark comment {n}: *concurrent* writers, [a link](https://example.org/{n})"
                result = client.request("POST", "/api/comments",
                                        {"url": POST, "text": text, "form_token": token})
                with lock:
                    run.results.append(result)
                    if result.status in (201, 202):
                        accepted.append((json.loads(result.body)["comment"]["id"], text))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - started
    return run, accepted


def build_thread(port: int, size: int) -> str:
    """Give READ_POST `size` comments, mixed nesting; returns an author cookie."""
    token = _form_token(port, READ_POST)
    rng = random.Random(20261128)
    ids: list[int] = []
    cookie = ""
    for n in range(size):
        parent = rng.choice(ids) if ids and rng.random() < 0.6 else None
        text = (f"Thread comment {n}. Some **Markdown** with `code`, a list:\n\n"
                f"- point one\n- point two\n\n> a quote\n\n[source](https://example.org/{n})")
        body = {"url": READ_POST, "text": text, "form_token": token,
                "author": f"Reader {n % 37}", "email": f"reader{n % 37}@example.org"}
        if parent is not None:
            body["parent_id"] = parent
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/api/comments", body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        if response.status not in (201, 202):
            sys.exit(f"building the thread: {response.status} {payload[:200]!r}")
        ids.append(json.loads(payload)["comment"]["id"])
        if n == size - 1:  # the author of the last comment: may still edit it
            cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        connection.close()
    return cookie


def read_phase(port: int, path: str, clients: int, seconds: float,
               cookie: str | None = None) -> Run:
    """GET `path` from `clients` threads for `seconds`."""
    run = Run()
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker() -> None:
        client = Client(port, cookie)
        local: list[Result] = []
        gate.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                local.append(client.request("GET", path))
        finally:
            client.close()
            with lock:
                run.results.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - started
    return run


def insert_large_thread(database: Path, size: int, seed: int = 20261206) -> tuple[int, int]:
    """Write `size` comments on READ_POST straight into the database, as the API would
    store them (published, nested under their parents up to depth 2); (top-level, pages
    of 50)."""
    rng = random.Random(seed)
    start = time.time() - size * 60  # one a minute, the newest now
    html = ("<p>A comment in a <strong>long</strong> thread, with <code>code</code> and "
            "<a href=\"https://example.org/\" rel=\"nofollow ugc noopener\">a link</a>.</p>")
    with sqlite3.connect(database, timeout=30) as db:
        page_id = db.execute("SELECT id FROM pages WHERE url_path = ?", (READ_POST,)).fetchone()[0]
        depth: dict[int, tuple[int, int | None]] = {}  # id -> (depth, parent)
        roots = 0
        next_id = (db.execute("SELECT max(id) FROM comments").fetchone()[0] or 0) + 1
        rows = []
        for n in range(size):
            comment_id = next_id + n
            parent = None
            if depth and rng.random() >= LARGE_ROOT_SHARE:
                parent = comment_id - 1 - min(int(rng.expovariate(1 / 200)), len(depth) - 1)
                while depth[parent][0] >= 2:  # reply_placement: one level up at the cap
                    parent = depth[parent][1]
            level = 0 if parent is None else depth[parent][0] + 1
            depth[comment_id] = (level, parent)
            roots += parent is None
            created = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(start + n * 60))
            rows.append((comment_id, page_id, READ_POST, parent, parent, level, "published",
                         False, f"Reader {n % 97}", None, f"{n % 97:064x}", None,
                         f"Comment {n} in a long thread", html, False, "", None, created))
        db.executemany(
            "INSERT INTO comments (id, page_id, thread_url, parent_id, reply_to_id, depth, "
            "status, deleted, author, email, author_key, website, text_md, text_html, notify, "
            "client_key, external_id, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return roots, -(-roots // 50)


PLANS = """
import sys
from sqlalchemy import select, text
from wsgi import app
from app.extensions import db
from app.models import Page
from app.services.comments.threads import replies_statement, roots_statement
with app.app_context():
    page_id = db.session.execute(select(Page.id).where(Page.url_path == sys.argv[1])).scalar_one()
    per_page = app.config["COMMENTS_PER_PAGE"]
    roots = roots_statement(page_id, (), per_page * (int(sys.argv[2]) - 1), per_page)
    ids = list(db.session.execute(roots).scalars())
    replies = replies_statement(ids, ())
    for name, statement in (("roots of a page", roots), ("their replies", replies)):
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        print(f"  {name}:")
        for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)):
            print("    " + row[-1])
"""


def large_thread(tmp: Path, env: dict[str, str], args: argparse.Namespace) -> int:
    """The --large-thread mode: the first page of a thread of args.large_thread comments."""
    roots, pages = insert_large_thread(tmp / "blog.sqlite3", args.large_thread)
    middle = max(1, pages // 2)
    proc, port = _start(tmp, env, args.workers)
    try:
        client = Client(port)
        cold = client.request("GET", READ_POST)
        cold_middle = client.request("GET", f"{READ_POST}?comments={middle}")
        cold_api = client.request("GET", f"/api/comments?url={READ_POST}")
        client.close()
        if not cold.status == cold_middle.status == cold_api.status == 200:
            sys.exit(f"reading the thread: {cold.status}, {cold_middle.status}, {cold_api.status}")
        shown = len(re.findall(rb'<li class="comment[ "]', cold.body))
        count = re.search(rb'class="comment-count">\((\d+)\)', cold.body)
        print(f"Large thread: {args.large_thread} comments on {READ_POST} ({roots} top-level, "
              f"{pages} pages of 50; page 1 shows {shown} comments, the count says "
              f"{int(count.group(1)) if count else 0}); gunicorn {args.workers} sync workers on "
              f"{os.cpu_count()} CPUs, SQLite (WAL), {args.clients} clients, "
              f"{args.read_seconds:.0f} s each (load average {os.getloadavg()[0]:.1f})")
        print(f"  first, uncached answers: page 1 {cold.seconds * 1000:.0f} ms, page {middle} "
              f"{cold_middle.seconds * 1000:.0f} ms, API page 1 {cold_api.seconds * 1000:.0f} ms")
        rates = {}
        for label, path in ((f"GET {READ_POST} (page 1: fast path)", READ_POST),
                            (f"GET {READ_POST}?comments={middle} (page cache)",
                             f"{READ_POST}?comments={middle}"),
                            (f"GET /api/comments?url={READ_POST} (built per request)",
                             f"/api/comments?url={READ_POST}")):
            run = read_phase(port, path, args.clients, args.read_seconds)
            rates[path] = _read_line(label, run)
            print(f"  {'':<46} p99 {run.percentile_ms(99):7.1f} ms")
        print(f"Isso (#15): {ISSO_LARGE_THREAD_S:.0f} s for one answer of a 1,000-comment thread;"
              f" here page 1 of {args.large_thread}: {rates[READ_POST]:.0f} req/s")
        plans = subprocess.run([str(VENV_BIN / "python"), "-c", PLANS, READ_POST, str(middle)],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                               check=False)
        print("Query plans (EXPLAIN QUERY PLAN), page", middle, "\n" + plans.stdout.rstrip()
              + (plans.stderr[-2000:] if plans.returncode else ""))
        log = (tmp / "gunicorn.log").read_text(errors="replace")
        return 1 if "Traceback" in log or plans.returncode else 0
    finally:
        _stop(proc)


# -- report ----------------------------------------------------------------------------------


def _statuses(run: Run) -> str:
    return ", ".join(f"{status or 'conn-error'} x{count}"
                     for status, count in sorted(run.statuses().items()))


def _read_line(label: str, run: Run) -> float:
    ok = sum(1 for r in run.results if r.status == 200)
    rate = ok / run.wall if run.wall else 0.0
    p50, p95 = run.latencies_ms()
    errors = len(run.results) - ok
    print(f"  {label:<46} {rate:8.1f} req/s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
          f"({ok} x 200{f', {errors} errors: ' + _statuses(run) if errors else ''})")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="comments to post (1000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--read-seconds", type=float, default=10.0,
                        help="seconds for each read measurement (10)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                        help="gunicorn workers (2 x CPUs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--large-thread", type=int, nargs="?", const=10_000, default=0,
                        metavar="N", help="only read the first page of an N-comment thread "
                        "(10000)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-comments-"))
    proc = None
    try:
        env = _env(tmp)
        _setup(tmp, env)
        if args.large_thread:
            return large_thread(tmp, env, args)
        proc, port = _start(tmp, env, args.workers)
        print(f"Comments benchmark: gunicorn {args.workers} sync workers on {os.cpu_count()} "
              f"CPUs, SQLite (WAL), {args.clients} concurrent clients "
              f"(load average at start {os.getloadavg()[0]:.1f})")

        # 1. writes
        run, accepted = write_phase(port, args.posts, args.clients)
        with sqlite3.connect(tmp / "blog.sqlite3", timeout=30) as db:
            stored = dict(db.execute("SELECT id, text_md FROM comments"))
        missing = [cid for cid, text in accepted if stored.get(cid) != text]
        server_errors = sum(1 for r in run.results if r.status >= 500)
        conn_errors = sum(1 for r in run.results if r.status == 0)
        write_rate = len(stored) / run.wall
        p50, p95 = run.latencies_ms()
        print(f"\nWrites: {args.posts} x POST /api/comments")
        print(f"  stored {len(stored)} comments in {run.wall:.2f} s = {write_rate:.1f} "
              f"comments stored per second")
        print(f"  latency p50 {p50:.1f} ms, p95 {p95:.1f} ms; answers: {_statuses(run)}")
        print(f"  losses: {len(missing)} accepted but missing, {server_errors} x 5xx, "
              f"{conn_errors} connection errors; rows stored {len(stored)} for "
              f"{len(accepted)} accepted")

        # 2. a post with 200 comments
        cookie = build_thread(port, THREAD_SIZE)
        page = Client(port).request("GET", READ_POST)
        shown = len(re.findall(rb'<li class="comment[ "]', page.body))
        depths = Counter(re.findall(rb'data-depth="(\d)"', page.body))
        print(f"\nReads of a post with {THREAD_SIZE} comments ({shown} shown on its page; by "
              f"depth {dict(sorted((int(k), v) for k, v in depths.items()))}), "
              f"{args.clients} clients, {args.read_seconds:.0f} s each:")
        page_rate = _read_line(f"GET {READ_POST} (readers: page cache)",
                               read_phase(port, READ_POST, args.clients, args.read_seconds))
        own_rate = _read_line(f"GET {READ_POST} (its author: rendered)",
                              read_phase(port, READ_POST, args.clients, args.read_seconds,
                                         cookie))
        api_rate = _read_line(f"GET /api/comments?url={READ_POST}",
                              read_phase(port, f"/api/comments?url={READ_POST}", args.clients,
                                         args.read_seconds))

        print("\nIsso 0.14 on this kind of machine (comments-anchors.md section 2: werkzeug "
              "threaded, one process):")
        print(f"  about {ISSO_WRITES_PER_S:.0f} posts/s; about {ISSO_READS_PER_S:.0f} reads/s "
              "of a 50-comment thread")
        print(f"  ratio writes: {write_rate / ISSO_WRITES_PER_S:.1f}x")
        print(f"  ratio reads ({THREAD_SIZE}-comment thread vs Isso's 50): "
              f"page {page_rate / ISSO_READS_PER_S:.0f}x, author's page "
              f"{own_rate / ISSO_READS_PER_S:.0f}x, JSON API {api_rate / ISSO_READS_PER_S:.0f}x")
        log = (tmp / "gunicorn.log").read_text(errors="replace")
        locked = log.count("database is locked")
        tracebacks = log.count("Traceback")
        print(f"  server log: {locked} 'database is locked', {tracebacks} tracebacks")
        return 1 if missing or server_errors or conn_errors or locked else 0
    finally:
        if proc is not None:
            _stop(proc)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
