"""SQLite's write-ahead log after a large write: copied into the database and emptied."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)


def truncate_wal(engine: Engine) -> bool:
    """Checkpoint the WAL and truncate it to zero bytes; True when that was done.

    A large import leaves its whole transaction in the WAL (about 190 MB for 10,000 posts).
    SQLite would copy it back at the next commit past its auto-checkpoint size, so that a
    comment posted later would pay for it, and the file keeps its size for as long as a
    connection is open (always, under gunicorn). Doing it here puts the cost on the import
    and gives the disk space back. Waits (the busy timeout) only for reads already running;
    a no-op on other databases.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    try:
        with engine.connect() as conn:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except OperationalError:  # what was written is committed; SQLite checkpoints later
        log.warning("WAL checkpoint after the import failed", exc_info=True)
        return False
    return not busy
