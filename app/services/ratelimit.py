"""Fixed-window rate limits whose check and count are one atomic statement."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import RateBucket


def window_number(seconds: int, now: float | None = None) -> int:
    """The index of the current window of `seconds` length."""
    return int((now if now is not None else time.time()) // seconds)


def hit(session: Session, key: str, limit: int, seconds: int, now: float | None = None) -> bool:
    """Count one event for key; False (and nothing counted) once the window holds `limit`.

    One INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit RETURNING: the database
    serialises concurrent callers on the row, so a burst cannot slip past the limit. It runs
    in the caller's transaction, so a rolled-back comment does not use up the allowance.
    """
    if limit <= 0:
        return False
    key = f"{key}@{seconds}"  # one key may be limited over several window lengths
    window = window_number(seconds, now)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateBucket).values(key=key, window=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateBucket.key, RateBucket.window],
        set_={"count": RateBucket.count + 1},
        where=RateBucket.count < limit,
    ).returning(RateBucket.count)
    return session.execute(statement).first() is not None


def prune(session: Session, seconds: int, now: float | None = None) -> None:
    """Forget windows of this length older than the previous one."""
    current = window_number(seconds, now)
    session.execute(
        RateBucket.__table__.delete().where(RateBucket.key.like(f"%@{seconds}"),
                                            RateBucket.window < current - 1)
    )


def current_count(session: Session, key: str, seconds: int, now: float | None = None) -> int:
    """Events counted for key in the current window (for tests and the admin)."""
    window = window_number(seconds, now)
    value = session.execute(
        select(RateBucket.count).where(RateBucket.key == f"{key}@{seconds}",
                                       RateBucket.window == window)
    ).scalar_one_or_none()
    return int(value or 0)
