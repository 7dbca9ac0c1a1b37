"""Rendering many pages at once: in worker processes when there are enough of them.

Rendering is pure CPU work on values (app/render), so an import that renders hundreds of
pages hands them to a pool of forked processes, one per core, and gets the results back in
order. Small imports render in this process: a pool costs more than it saves for them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from app.content.shortcodes import ShortcodeSyntaxError
from app.render.pipeline import Rendered, RenderOptions, render, render_digest

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
PARALLEL_MIN = 48  # pages; below this a pool's start-up costs more than it saves
CHUNK = 8  # pages per round trip to a worker
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A page rendered, or why it could not be: the line and reason for the report."""

    rendered: Rendered | None
    digest: str = ""
    line: int = 0
    reason: str = ""
    detail: str = ""  # a traceback, for the log, when the failure was unexpected


def render_one(job: tuple[str, RenderOptions]) -> Outcome:
    """Render one body; every failure becomes an Outcome, never an exception."""
    body, options = job
    try:
        return Outcome(render(body, options), render_digest(body, options))
    except ShortcodeSyntaxError as exc:
        return Outcome(None, line=exc.line, reason=exc.reason)
    except RecursionError:
        return Outcome(None, reason="content nests too deeply")
    except Exception as exc:  # one bad page must not abort the import
        return Outcome(None, reason=f"cannot be rendered: {type(exc).__name__}: {exc}",
                       detail=traceback.format_exc())


def render_many(jobs: Sequence[tuple[str, RenderOptions]], workers: int) -> Iterator[Outcome]:
    """Outcomes in the order of jobs; in `workers` processes when there are enough jobs."""
    if workers <= 1 or len(jobs) < PARALLEL_MIN or "fork" not in _methods():
        yield from map(render_one, jobs)
        return
    context = multiprocessing.get_context("fork")  # workers inherit the loaded app code
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs) // CHUNK or 1),
                             mp_context=context, initializer=_detach) as pool:
        yield from pool.map(render_one, jobs, chunksize=CHUNK)


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def _detach() -> None:
    """In a worker: die with the import process, and hold none of its output streams.

    Killed (SIGKILL, a crash), the importer cannot stop its workers; without this they would
    wait forever on their task queue and keep the command's stdout and stderr open, so that
    whoever ran it never sees it end.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the streams are still let go below
        pass
    if os.getppid() == 1:  # the importer died before the line above ran
        os._exit(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(devnull, stream)
    os.close(devnull)
