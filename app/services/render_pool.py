"""Rendering many pages at once: in worker processes when there are enough of them.

Rendering is pure CPU work on values (app/render), so an import that renders hundreds of
pages hands them to a pool of forked processes, one per core, and gets the results back in
order. Small imports render in this process: a pool costs more than it saves for them.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from app.render.pipeline import Rendered, RenderOptions, render, render_digest
from app.render.shortcodes.parser import ShortcodeSyntaxError

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
                             mp_context=context) as pool:
        yield from pool.map(render_one, jobs, chunksize=CHUNK)


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()
