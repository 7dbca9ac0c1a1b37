"""What every SQLite connection of the app is set up with, on the engines that need it.

WAL, a busy timeout under gunicorn's, foreign keys, and `blog_search_text()`, which the
search index's triggers call (migration 0010): an engine that writes pages needs it.
Attached to each engine the app makes (the site's, a backup's target), never globally.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.services.site.search_text import index_text


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=25000")  # under gunicorn's 30 s: writers queue
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # CJK text gets its bigrams in the word index.
    dbapi_connection.create_function("blog_search_text", 1, index_text, deterministic=True)


def configure_engine(engine: Engine) -> Engine:
    """Set up every future connection of a SQLite engine (others are left as they are)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect",
                                                              _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
