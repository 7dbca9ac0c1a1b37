"""Target 1 with the default settings (request log on): cached post page / minimal Flask app.

    .venv/bin/python bench/log_cost.py [--root CHECKOUT] [--rounds 5] [--seconds 8] [--no-log]

Imports content/ into a fresh SQLite database, starts the blog (CHECKOUT's wsgi:app and
gunicorn.conf.py, 2 sync workers, LOG_REQUESTS as the settings default it unless --no-log)
and bench/minimal_app.py returning the same bytes under the same gunicorn.conf.py, then runs
`wrk -t2 -c16` against each in turn, alternating, and prints the median of each and the
median of the per-round ratios, and the CPU time the gunicorn workers spent per request
(utime + stime from /proc: steadier than req/s on a shared machine). CHECKOUT defaults to
this one; point it at a checkout of an older commit to measure "before". Standalone: it
does not touch bench/run or bench/out.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from servers import ROOT, Wrk, children, fetch, free_port, wait_http

POST = "/posts/the-rise-of-ai-generated-images/"
SECRET = "bench-log-cost-secret-key-0123456789abcdefghijklmnop"


def _env(root: Path, tmp: Path, log: bool, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GUNICORN_", "CACHE_", "SITE_", "FLASK_", "LOG_"))
           and k not in {"DATABASE_URL", "REDIS_URL", "BIND", "PORT", "WEB_CONCURRENCY"}}
    env.update(SECRET_KEY=SECRET, DATABASE_URL=f"sqlite:///{tmp / 'blog.sqlite3'}",
               FLASK_APP="wsgi", WEB_CONCURRENCY="2", CACHE_TYPE="SimpleCache",
               INSTANCE_PATH=str(tmp / "instance"), PYTHONPATH=str(root), **extra)
    if not log:
        env["LOG_REQUESTS"] = "0"
    return env


def _start(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _cpu_seconds(master: int) -> float:
    """utime + stime of gunicorn's workers so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in children(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--no-log", action="store_true")
    args = parser.parse_args()
    root: Path = args.root.resolve()
    venv = ROOT / ".venv" / "bin"
    wrk = Wrk(2, 16, args.seconds)
    with tempfile.TemporaryDirectory(prefix="log-cost-") as name:
        tmp = Path(name)
        env = _env(root, tmp, not args.no_log)
        for command in (["db", "upgrade"], ["content", "import", str(root / "content")]):
            subprocess.run([str(venv / "flask"), *command], cwd=root, env=env, check=True,
                           capture_output=True)
        procs = []
        try:
            blog_port, page_port = free_port(), free_port()
            procs.append(_start([str(venv / "gunicorn"), "-c", str(root / "gunicorn.conf.py"),
                                 "wsgi:app"], {**env, "BIND": f"127.0.0.1:{blog_port}"}, root,
                                tmp / "blog.log"))
            wait_http(f"http://127.0.0.1:{blog_port}/__bench_ready__")
            status, _, page = fetch(f"http://127.0.0.1:{blog_port}{POST}")
            assert status == 200
            (tmp / "page.html").write_bytes(page)
            procs.append(_start([str(venv / "gunicorn"), "-c", str(root / "gunicorn.conf.py"),
                                 "--pythonpath", str(ROOT / "bench"), "minimal_app:app"],
                                {**env, "BIND": f"127.0.0.1:{page_port}",
                                 "BENCH_BODY_FILE": str(tmp / "page.html")}, root,
                                tmp / "minimal.log"))
            wait_http(f"http://127.0.0.1:{page_port}/__bench_ready__")
            urls = {"blog": f"http://127.0.0.1:{blog_port}{POST}",
                    "minimal": f"http://127.0.0.1:{page_port}{POST}"}
            for url in urls.values():
                fetch(url)
            found: dict[str, list[float]] = {name: [] for name in urls}
            cpu: dict[str, list[float]] = {name: [] for name in urls}
            masters = {"blog": procs[0].pid, "minimal": procs[1].pid}
            ratios = []
            print(f"root {root}; request log {'off' if args.no_log else 'on (default)'}; "
                  f"{wrk.describe()}; {len(page)} bytes; {args.rounds} rounds alternating")
            for number in range(1, args.rounds + 1):
                for label, url in urls.items():
                    spent = _cpu_seconds(masters[label])
                    result = wrk.run(url)
                    spent = _cpu_seconds(masters[label]) - spent
                    found[label].append(result.requests_per_s)
                    cpu[label].append(spent / max(1, result.requests) * 1e6)
                    print(f"  round {number} {label:<8} {result.line()}  worker CPU "
                          f"{cpu[label][-1]:.0f} us/request", flush=True)
                ratios.append(found["blog"][-1] / found["minimal"][-1])
            blog, minimal = (statistics.median(found[k]) for k in ("blog", "minimal"))
            lines = (tmp / "blog.log").read_text(errors="replace").count('"request_id"')
            print(f"median blog {blog:.0f} req/s, minimal {minimal:.0f} req/s, "
                  f"ratio of medians {blog / minimal:.2f}; per-round ratios "
                  f"{' '.join(f'{r:.2f}' for r in ratios)} (median "
                  f"{statistics.median(ratios):.2f}); request log lines so far {lines}")
            blog_cpu, minimal_cpu = (statistics.median(cpu[k]) for k in ("blog", "minimal"))
            print(f"median worker CPU per request: blog {blog_cpu:.0f} us, minimal "
                  f"{minimal_cpu:.0f} us; minimal / blog = {minimal_cpu / blog_cpu:.2f} "
                  "(the req/s ratio the same CPU would give)")
        finally:
            for proc in reversed(procs):
                _stop(proc)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
