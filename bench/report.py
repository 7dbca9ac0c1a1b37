"""The run's settings, its printed report and the final PASS/FAIL table."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from servers import OUT, ROOT, VENV_BIN, Servers, Wrk

POST = "/posts/the-rise-of-ai-generated-images/"
T = TypeVar("T")


# The rows of issue 17's table, in its order, then the targets of issue 6 it kept.
ROWS = {
    1: "cached post page / precomputed Flask page (default settings, log on)",
    2: "post page via deploy/ nginx / nginx static",
    3: "one file changed, flask content import",
    4: "one file saved, visible under --watch",
    5: "uncached home / tag / page 50, p99",
    6: "worker peak RSS, after mixed load / after generation bumps",
    7: "import of the generated posts / hugo",
    8: "seed render / bare Markdown (issue 6)",
    9: "search, p99 (issue 6)",
    10: "post page weight, compressed (issue 6)",
}


@dataclass
class Verdict:
    """One target: what was measured against what was asked."""

    number: int
    name: str
    figure: str
    target: str
    passed: bool | None  # None: not measured


@dataclass(frozen=True)
class Ratio:
    """A ratio measured in several alternating rounds: the median and the spread."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median of the rounds' ratios."""
        return statistics.median(self.values)

    def describe(self) -> str:
        """E.g. `0.934 (0.90-0.97, 5 rounds)` (three decimals: 0.849 fails >= 0.85)."""
        return (f"{self.median:.3f} ({min(self.values):.2f}-{max(self.values):.2f}, "
                f"{len(self.values)} rounds)")


@dataclass
class Run:
    """Settings and shared state of one benchmark run."""

    quick: bool
    posts: int
    wrk: Wrk
    rounds: int
    workers: int
    secret: str
    servers: Servers = field(default_factory=Servers)
    verdicts: list[Verdict] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def env(self, db: Path, log: bool = False, **extra: str) -> dict[str, str]:
        """The environment of every app process: this run's database, no request logs
        unless `log` (then LOG_REQUESTS is left to the app's default: on)."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GUNICORN_", "CACHE_", "SITE_", "FLASK_"))
               and k not in {"DATABASE_URL", "REDIS_URL", "BIND", "PORT", "WEB_CONCURRENCY"}}
        env.update(SECRET_KEY=self.secret, DATABASE_URL=f"sqlite:///{db}", FLASK_APP="wsgi",
                   WEB_CONCURRENCY=str(self.workers), CACHE_TYPE="SimpleCache", **extra)
        if log:
            env.pop("LOG_REQUESTS", None)
        else:
            env["LOG_REQUESTS"] = "0"
        return env

    def flask(self, db: Path, *args: str) -> tuple[float, str]:
        """Run `flask <args>` on db; (wall seconds, output). Raises on failure."""
        start = time.perf_counter()
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                              env=self.env(db), capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed (exit status {done.returncode}, "
                               f"after {seconds:.0f} s):\n{done.stdout}{done.stderr}")
        return seconds, done.stdout + done.stderr

    def fresh_db(self, name: str) -> Path:
        """An empty, migrated SQLite file under bench/out."""
        db = OUT / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        self.flask(db, "db", "upgrade")
        return db

    def verdict(self, number: int, figure: str, target: str, passed: bool | None,
                name: str = "") -> None:
        """Record a target's result (row `number` of ROWS) and print it."""
        self.verdicts.append(Verdict(number, name or ROWS[number], figure, target, passed))
        say(f"  => row {number}: {figure} (goal {target}): {label(passed)}")


def guarded(run: Run, targets: list[int], fn: Callable[..., T], *args: Any) -> T | None:
    """fn(*args); when it raises, print why and record its targets as failed, go on."""
    try:
        return fn(*args)
    except Exception as exc:  # one broken target must not hide the others
        say(f"!! {fn.__name__} failed: {exc}")
        say(traceback.format_exc(limit=8))
        measured = {v.number for v in run.verdicts}
        for number in targets:
            if number not in measured:
                run.verdict(number, "error", "(see above)", False)
        return None


def label(passed: bool | None) -> str:
    """PASS, FAIL or n/a."""
    return "n/a" if passed is None else ("PASS" if passed else "FAIL")


def say(text: str = "") -> None:
    """Print now (the output is piped into tee)."""
    print(text, flush=True)


def heading(text: str) -> None:
    """A section title with the load average at that moment."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    say()
    say(f"== {text}  [load average {load}]")


def table(run: Run) -> None:
    """The final PASS/FAIL table."""
    heading("Results")
    if run.quick or run.posts != 10_000:
        say(f"(a reduced run: {run.posts} posts, {run.wrk.describe()}; targets 3-7 are set "
            "for 10,000 posts)")
    measured = {v.number for v in run.verdicts}
    missing = [Verdict(n, name, "not measured", "", False) for n, name in ROWS.items()
               if n not in measured]
    rows = sorted([*run.verdicts, *missing], key=lambda v: v.number)
    width = max(len(v.name) for v in rows)
    fig = max(len(v.figure) for v in rows)
    goal = max(len(v.target) for v in rows)
    for v in rows:
        say(f"{v.number:>2}. {v.name:<{width}}  {v.figure:<{fig}}  goal {v.target:<{goal}}  "
            f"{label(v.passed)}")
    failed = sum(1 for v in rows if v.passed is False)
    say(f"{len(rows) - failed} of {len(rows)} pass; "
        f"total time {time.monotonic() - run.started:.0f} s; "
        f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def python_version() -> str:
    """This interpreter's version."""
    return sys.version.split()[0]
