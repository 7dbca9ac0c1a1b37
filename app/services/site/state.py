"""The counters of `site_state`; chief among them the site generation number, bumped on
every change and read by every worker."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, cast

from sqlalchemy import event, select, update
from sqlalchemy.engine import CursorResult, Engine

from app.models import SiteState
from app.services import DbSession

GENERATION = "generation"


def read_counter(session: DbSession, key: str) -> int:
    """A counter of `site_state` (0 before it was first bumped)."""
    value = session.execute(
        select(SiteState.value).where(SiteState.key == key)
    ).scalar_one_or_none()
    return int(value or 0)


def bump_counter(session: DbSession, key: str) -> None:
    """Increment a counter inside the caller's transaction (atomic: one UPDATE)."""
    result = cast(CursorResult[Any], session.execute(  # DML runs return a cursor's result
        update(SiteState).where(SiteState.key == key).values(value=SiteState.value + 1)
    ))
    if result.rowcount == 0:
        session.add(SiteState(key=key, value=1))


def get_generation(session: DbSession) -> int:
    """The current site generation (0 before the first import)."""
    return read_counter(session, GENERATION)


def bump_generation(session: DbSession) -> None:
    """Increment the generation inside the caller's transaction."""
    bump_counter(session, GENERATION)


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
        if held is not None and held[0] is engine:
            return held[1]
        if held is not None:  # another engine's (a test's second app): let it go
            with contextlib.suppress(Exception):
                held[1].invalidate()
        raw = engine.raw_connection()
        driver = getattr(raw, "driver_connection", None)
        if engine.dialect.name == "postgresql" and driver is not None:
            raw.rollback()
            driver.autocommit = True
        self._local.held = (engine, raw)
        if not event.contains(engine, "engine_disposed", self._engine_disposed):
            event.listen(engine, "engine_disposed", self._engine_disposed)
        return raw

    def _engine_disposed(self, engine: Engine) -> None:
        # The engine closed its pool and made a new one: the connection held from the old
        # pool is closed now too (left to the garbage collector, it would go unclosed).
        held = getattr(self._local, "held", None)
        if held is not None and held[0] is engine:
            self._local.held = None
            with contextlib.suppress(Exception):
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
