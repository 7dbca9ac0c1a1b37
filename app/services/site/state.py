"""The site generation number: bumped on every change, read by every worker."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, cast

from flask import has_request_context, request
from sqlalchemy import event, select, update
from sqlalchemy.engine import CursorResult, Engine

from app.models import SiteState
from app.services import DbSession

GENERATION = "generation"
REQUEST_GENERATION = "blog.site_generation"  # environ key: read once per request


def get_generation(session: DbSession) -> int:
    """The current site generation (0 before the first import)."""
    value = session.execute(
        select(SiteState.value).where(SiteState.key == GENERATION)
    ).scalar_one_or_none()
    return int(value or 0)


def bump_generation(session: DbSession) -> None:
    """Increment the generation inside the caller's transaction."""
    result = cast(CursorResult[Any], session.execute(  # DML runs return a cursor's result
        update(SiteState).where(SiteState.key == GENERATION).values(value=SiteState.value + 1)
    ))
    if result.rowcount == 0:
        session.add(SiteState(key=GENERATION, value=1))


class GenerationReader:
    """Reads the generation on a connection kept for it: microseconds per request.

    Every request of every worker asks whether the site changed. Through the ORM that costs
    a session and a statement compilation; here it is one prepared SELECT on a pooled DBAPI
    connection held per thread (autocommit, so PostgreSQL sees each commit at once and no
    transaction stays open).
    """

    SQL = "SELECT value FROM site_state WHERE key = 'generation'"

    def __init__(self) -> None:
        self._local = threading.local()

    def _connection(self, engine: Engine) -> Any:
        held = getattr(self._local, "held", None)
        if held is not None:
            if held[0] is engine:
                return held[1]
            self.release()
        raw = engine.raw_connection()
        driver = getattr(raw, "driver_connection", None)
        if engine.dialect.name == "postgresql" and driver is not None:
            raw.rollback()
            driver.autocommit = True
        self._local.held = (engine, raw)
        if not event.contains(engine, "engine_disposed", self._engine_disposed):
            event.listen(engine, "engine_disposed", self._engine_disposed)
        return raw

    def release(self) -> None:
        """Give this thread's connection back to its engine's pool."""
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            held[1].close()

    def _engine_disposed(self, engine: Engine) -> None:
        # The engine's pool, closed, was replaced: close the connection held from it now
        # (left to the garbage collector, it would go unclosed).
        held = getattr(self._local, "held", None)
        if held is not None and held[0] is engine:
            self._local.held = None
            held[1].invalidate()

    def read(self, engine: Engine) -> int:
        """The current generation; reconnects once if the held connection went away."""
        for attempt in (1, 2):
            raw = self._connection(engine)
            try:
                cursor = raw.cursor()
                try:
                    cursor.execute(self.SQL)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                return int(row[0]) if row else 0
            except Exception:
                self._local.held = None
                with contextlib.suppress(Exception):
                    raw.invalidate()
                if attempt == 2:
                    raise
        return 0  # pragma: no cover - the loop returns or raises


generation_reader = GenerationReader()


def request_generation(engine: Engine) -> int:
    """The generation, read once per request (settings, page keys and per-generation values
    all ask for it); outside a request, read each time."""
    if not has_request_context():
        return generation_reader.read(engine)
    # On the request, not on `g`: an app context outlives its requests where a caller (a CLI
    # command, a test) pushed one, and the next request must read the generation again.
    environ = request.environ
    found = environ.get(REQUEST_GENERATION)
    if found is None:
        found = environ[REQUEST_GENERATION] = generation_reader.read(engine)
    return found
