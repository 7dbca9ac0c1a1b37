"""Re-import rows of issue 17: one file changed, the whole `flask content import` command;
one file saved under `flask content import --watch`, until the page is what the site serves.

For bench/run (target 4) and by hand:

    .venv/bin/python bench/reimport.py SITE DATABASE_URL [--rounds N] [--root REPO]

SITE is a generated site (bench/sitegen.py) already imported into the database once.
`--root` runs another checkout's code (such as main's, for a before/after comparison); give
two, `--root A --root B`, to alternate them round by round on the same site (each with its own
database: DATABASE_URL is then a comma-separated pair).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import sitegen

ROOT = Path(__file__).resolve().parents[1]


def _env(database_url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GUNICORN_", "CACHE_", "SITE_", "FLASK_"))
           and k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SECRET_KEY=secret, DATABASE_URL=database_url, FLASK_APP="wsgi",
               LOG_REQUESTS="0", CACHE_TYPE="SimpleCache", PYTHONUNBUFFERED="1")
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reimport_once(site: Path, database_url: str, secret: str, number: int | None = None,
                  note: str = "", root: Path = ROOT) -> tuple[float, str, float]:
    """One post changed (a paragraph appended; None: changed already), then the whole
    `flask content import` command timed: (wall seconds, its summary line, CPU seconds:
    user + system, what a busy shared machine disturbs least)."""
    if number is not None:
        sitegen.touch_post(site, number, note)
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([str(root / ".venv/bin/flask"), "content", "import",
                           str(site / "content")], cwd=root, env=_env(database_url, secret),
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"import failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1], _children_cpu() - cpu


def startup_once(database_url: str, secret: str, root: Path = ROOT) -> tuple[float, float]:
    """`flask content import --help`: Python, the imports and create_app, no import:
    (wall seconds, CPU seconds)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run([str(root / ".venv/bin/flask"), "content", "import", "--help"], cwd=root,
                   env=_env(database_url, secret), capture_output=True, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def _process_cpu(pid: int) -> float:
    """A running process's CPU seconds (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sqlite_file(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        raise ValueError("the watch measurement reads an SQLite database")
    return database_url.removeprefix("sqlite:///")


def save_to_visible(site: Path, database_url: str, secret: str, rounds: int,
                    root: Path = ROOT, settle: float = 1.0) -> tuple[list[float], list[float]]:
    """Under `flask content import --watch` (file events where the OS has them): a post
    saved (written whole, as an editor does: a temporary file renamed over it), then the time
    until the database the site reads holds the new text (the import's transaction, which
    bumps the generation, committed: the next request serves it). One figure per round,
    and the watcher's CPU seconds for each (from /proc: Linux)."""
    proc = subprocess.Popen([str(root / ".venv/bin/flask"), "content", "import", "--watch",
                             str(site / "content")], cwd=root, env=_env(database_url, secret),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 600
        while not any(" added, " in line for line in lines):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the watcher did not import:\n" + "\n".join(lines))
            time.sleep(0.05)
        database = sqlite3.connect(_sqlite_file(database_url))
        figures, cpu = [], []
        for round_number in range(rounds):
            time.sleep(settle)  # an editor's pause between saves
            number = 1 + (round_number * 37) % 1000
            path = sitegen.post_path(site, number)
            marker = f"watchmark{time.time_ns()}"
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(path.read_text() + f"\n{marker}\n")
            used = _process_cpu(proc.pid)
            start = time.perf_counter()
            os.replace(temporary, path)
            source = f"posts/{path.name}"
            while True:
                row = database.execute("SELECT instr(body, ?) FROM pages WHERE source_path = ?",
                                       (marker, source)).fetchone()
                if row and row[0]:
                    break
                if time.perf_counter() - start > 60:
                    raise RuntimeError("the save was not imported:\n" + "\n".join(lines[-20:]))
                time.sleep(0.002)
            figures.append(time.perf_counter() - start)
            time.sleep(0.2)  # the run's last output and the session's release
            cpu.append(_process_cpu(proc.pid) - used)
        database.close()
        return figures, cpu
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spread(values: Sequence[float]) -> str:
    """Median with the range, in seconds."""
    return (f"median {statistics.median(values):.3f} s (min {min(values):.3f}, "
            f"max {max(values):.3f}, n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("database_urls")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", type=Path, action="append")
    parser.add_argument("--secret", default=os.environ.get("SECRET_KEY", "bench-" + "s" * 40))
    parser.add_argument("--no-watch", action="store_true")
    args = parser.parse_args()
    roots = args.root or [ROOT]
    urls = args.database_urls.split(",")
    if len(urls) != len(roots):
        raise SystemExit("one database URL per --root")
    times: dict[int, list[float]] = {i: [] for i in range(len(roots))}
    cpus: dict[int, list[float]] = {i: [] for i in range(len(roots))}
    starts: dict[int, list[float]] = {i: [] for i in range(len(roots))}
    start_cpus: dict[int, list[float]] = {i: [] for i in range(len(roots))}
    sitegen.touch_post(args.site, 4999, "warm")
    for root, url in zip(roots, urls, strict=True):  # warm: parse caches written
        reimport_once(args.site, url, args.secret, root=root)
    for round_number in range(args.rounds):
        # one change per round, which each checkout imports in turn
        sitegen.touch_post(args.site, 5000 + round_number, f"round {round_number}")
        for i, (root, url) in enumerate(zip(roots, urls, strict=True)):
            seconds, summary, cpu = reimport_once(args.site, url, args.secret, root=root)
            if " 1 updated" not in summary:
                raise SystemExit(f"{root}: expected one page updated: {summary}")
            times[i].append(seconds)
            cpus[i].append(cpu)
            wall, cpu = startup_once(url, args.secret, root)
            starts[i].append(wall)
            start_cpus[i].append(cpu)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for i, root in enumerate(roots):
        print(f"{root}: re-import, one file changed (whole command): wall {spread(times[i])}; "
              f"CPU {spread(cpus[i])}")
        print(f"{root}:   start-up (flask content import --help): wall {spread(starts[i])}; "
              f"CPU {spread(start_cpus[i])}")
    if not args.no_watch:
        for root, url in zip(roots, urls, strict=True):
            figures, cpu_used = save_to_visible(args.site, url, args.secret, args.rounds, root)
            print(f"{root}: --watch, save to visible: wall {spread(figures)}; watcher CPU "
                  f"{spread(cpu_used)}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
