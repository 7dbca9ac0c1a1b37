"""The counters of `site_state`; chief among them the site generation number, bumped on
every change and read by every worker."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
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


class _DataVersion:
    """SQLite's `PRAGMA data_version` on the held connection: it changes when any other
    connection, in any process, has committed since the last time this connection asked.

    It replaces reading the WAL index (`-shm`) through a mapping of our own: opening and
    closing that file in a process drops every POSIX lock the process holds on it, SQLite's
    included, so another process could then truncate the file under both mappings (SIGBUS).
    The pragma touches nothing behind SQLite's back and costs one statement, no I/O.
    """

    SQL = "PRAGMA data_version"

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def header(self) -> bytes:
        """The data version now, as bytes to compare."""
        cursor = self.raw.cursor()
        try:
            row = cursor.execute(self.SQL).fetchone()
        finally:
            cursor.close()
        return str(row[0]).encode()

    def close(self) -> None:
        """Nothing of its own to let go: the connection is the holder's."""


def _wal_index(raw: Any) -> _DataVersion | None:
    """A change check for an SQLite connection's main database, when it is a file."""
    cursor = raw.cursor()
    try:
        path = next((row[2] for row in cursor.execute("PRAGMA database_list")
                     if row[1] == "main"), "")
    finally:
        cursor.close()
    return _DataVersion(raw) if path else None  # in memory: no other connection sees it


@dataclass
class _Held:
    """A thread's connection for reading the generation, and what it last read."""

    engine: Engine
    raw: Any
    wal: _DataVersion | None = None  # SQLite: its data version, read before each SELECT
    wal_tried: bool = False
    header: bytes = b""  # the data version as it was just before `generation` was read
    generation: int = -1
    read_at: float = 0.0  # time.monotonic() of that read

    def release(self) -> None:
        if self.wal is not None:
            self.wal.close()
        with contextlib.suppress(Exception):
            self.raw.invalidate()


class GenerationReader:
    """Reads the generation on a connection kept for it: microseconds per request, and on
    SQLite about one (a pragma, no SELECT, while nothing changed).

    Every request of every worker asks whether the site changed. Through the ORM that costs
    a session and a statement compilation; here it is one prepared SELECT on a pooled DBAPI
    connection held per thread (autocommit, so PostgreSQL sees each commit at once and no
    transaction stays open). On SQLite the SELECT runs only when `PRAGMA data_version`
    changed since the last one (any commit of another connection changes it), and at least
    every RECHECK_SECONDS whatever it shows: the next request after a commit sees it.
    """

    SQL = "SELECT value FROM site_state WHERE key = 'generation'"
    RECHECK_SECONDS = 1.0  # a SELECT at least this often, whatever the data version shows

    def __init__(self) -> None:
        self._local = threading.local()

    def _connection(self, engine: Engine) -> _Held:
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.engine is engine:
            return held
        if held is not None:  # another engine's (a test's second app): let it go
            held.release()
        raw = engine.raw_connection()
        driver = getattr(raw, "driver_connection", None)
        if engine.dialect.name == "postgresql" and driver is not None:
            raw.rollback()
            driver.autocommit = True
        held = self._local.held = _Held(engine, raw)
        if not event.contains(engine, "engine_disposed", self._engine_disposed):
            event.listen(engine, "engine_disposed", self._engine_disposed)
        return held

    def _engine_disposed(self, engine: Engine) -> None:
        # The engine closed its pool and made a new one: the connection held from the old
        # pool is closed now too (left to the garbage collector, it would go unclosed).
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.engine is engine:
            self._local.held = None
            held.release()

    def read(self, engine: Engine) -> int:
        """The current generation; reconnects once if the held connection went away."""
        held: _Held | None = getattr(self._local, "held", None)
        if (held is not None and held.engine is engine and held.wal is not None
                and held.wal.header() == held.header
                and time.monotonic() - held.read_at < self.RECHECK_SECONDS):
            return held.generation
        for attempt in (1, 2):
            held = self._connection(engine)
            try:
                return self._select(held)
            except Exception:
                self._local.held = None
                held.release()
                if attempt == 2:
                    raise
        return 0  # pragma: no cover - the loop returns or raises

    def _select(self, held: _Held) -> int:
        header = held.wal.header() if held.wal is not None else b""  # before the SELECT
        cursor = held.raw.cursor()
        try:
            cursor.execute(self.SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
        generation = int(row[0]) if row else 0
        if held.wal is None and not held.wal_tried and held.engine.dialect.name == "sqlite":
            held.wal_tried = True  # after a first read
            held.wal = _wal_index(held.raw)
            header = b""  # not read before this SELECT: the next read selects again
        held.header, held.generation, held.read_at = header, generation, time.monotonic()
        return generation


generation_reader = GenerationReader()
