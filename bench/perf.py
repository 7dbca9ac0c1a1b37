"""Performance benchmark of the blog (issues 6 and 17): prints each figure, each ratio, a table.

    bench/run                  # installs wrk, nginx and hugo, then runs this
    bench/run --quick          # a smoke test: 1,000 posts, 3 s wrk runs (or BENCH_QUICK=1)
    bench/run --posts 2000     # another size for the generated site (or BENCH_POSTS=2000)
    bench/run --rounds 7       # alternating wrk rounds per ratio (default 5; BENCH_ROUNDS)

Run from the repository root with .venv/bin/python. Everything it starts it stops (and
bench/run's trap stops what is left if this process dies). Output files: bench/out/.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ modules
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the app

import phase_seed
import phase_site
from report import Run, guarded, heading, python_version, say, table
from servers import OUT, PIDS, Wrk, tool_version


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def settings(argv: list[str] | None = None) -> Run:
    """The run's sizes from the command line, else BENCH_QUICK, BENCH_POSTS, BENCH_ROUNDS."""
    parser = argparse.ArgumentParser(
        prog="bench/run", description="The blog's performance benchmark (bench/README.md).")
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("BENCH_QUICK", "") not in {"", "0"},
                        help="a smoke test: 1,000 posts unless --posts, 3 s wrk runs")
    parser.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_POSTS", 0)),
                        help="posts in the generated site (default 10,000; 1,000 with --quick)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)),
                        help="alternating wrk rounds behind each ratio (default 5)")
    args = parser.parse_args(argv)
    posts = args.posts or (1000 if args.quick else 10_000)
    wrk = Wrk(2, 16, 3 if args.quick else 8)
    return Run(quick=args.quick, posts=posts, wrk=wrk, rounds=max(1, args.rounds), workers=2,
               secret=secrets.token_urlsafe(48))


def header(run: Run) -> None:
    """The configuration of this run."""
    heading("Configuration")
    say(f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.platform()}); "
        "the load generator runs on the same cores; other work may run at the same time "
        "(see the load averages)")
    say(f"sizes: {run.posts} generated posts{' (BENCH_QUICK)' if run.quick else ''}; "
        f"gunicorn {run.workers} sync workers; {run.wrk.describe()}, {run.rounds} rounds")
    say(f"python {python_version()}; gunicorn {version('gunicorn')}; flask {version('flask')};"
        f" markdown {version('markdown')}; sqlalchemy {version('sqlalchemy')}; "
        f"sqlite {__import__('sqlite3').sqlite_version}")
    say(f"{tool_version(['nginx', '-v'])}; {tool_version(['wrk', '-v'])}; "
        f"{tool_version([phase_site.hugo_binary(), 'version'])[:60]}")


def main() -> int:
    """Run every target; exit 1 when one fails."""
    run = settings()  # --help answers here, before anything starts
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    OUT.mkdir(parents=True, exist_ok=True)
    PIDS.unlink(missing_ok=True)
    try:
        header(run)
        guarded(run, [1, 2, 8, 10], phase_seed.run_seed, run)
        guarded(run, [3, 4, 5, 6, 7, 9], phase_site.run_site, run)
    finally:
        run.servers.stop_all()
    table(run)
    return 0 if all(v.passed is not False for v in run.verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
