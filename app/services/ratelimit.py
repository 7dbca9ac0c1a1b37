"""Fixed-window rate limits whose check and count are one atomic statement."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import RateBucket


def window_number(seconds: int, now: float | None = None) -> int:
    """The index of the current window of `seconds` length."""
    return int((now if now is not None else time.time()) // seconds)


# Check and count in one step inside Redis: concurrent callers cannot both pass the check.
_REDIS_HIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= tonumber(ARGV[1]) then return 0 end
current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
"""


def configure(app: Flask) -> None:
    """Keep counters in Redis when the site's cache is Redis (RATE_LIMIT_STORAGE=redis)."""
    storage = app.config.get("RATE_LIMIT_STORAGE") or (
        "redis" if app.config.get("CACHE_TYPE") == "RedisCache" else "database")
    if storage == "redis":
        import redis

        client = redis.Redis.from_url(app.config["CACHE_REDIS_URL"])
        app.extensions["ratelimit_redis"] = (client.register_script(_REDIS_HIT),
                                             app.config.get("CACHE_KEY_PREFIX", "blog:"))
    elif storage != "database":
        raise ValueError("RATE_LIMIT_STORAGE must be 'database' or 'redis'")


def _redis() -> tuple[Any, str] | None:
    return current_app.extensions.get("ratelimit_redis") if has_app_context() else None


def hit(session: Session, key: str, limit: int, seconds: int, now: float | None = None) -> bool:
    """Count one event for key; False (and nothing counted) once the window holds `limit`.

    In the database: one INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit RETURNING;
    the database serialises concurrent callers on the row, so a burst cannot slip past the
    limit, and it runs in the caller's transaction, so a rolled-back comment does not use up
    the allowance. In Redis: one Lua script, shared by every worker and host.
    """
    if limit <= 0:
        return False
    key = f"{key}@{seconds}"  # one key may be limited over several window lengths
    window = window_number(seconds, now)
    redis_backend = _redis()
    if redis_backend is not None:
        script, prefix = redis_backend
        return bool(script(keys=[f"{prefix}rl:{key}:{window}"], args=[limit, seconds * 2]))
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
    redis_backend = _redis()
    if redis_backend is not None:
        script, prefix = redis_backend
        value = script.registered_client.get(f"{prefix}rl:{key}@{seconds}:{window}")
        return int(value or 0)
    value = session.execute(
        select(RateBucket.count).where(RateBucket.key == f"{key}@{seconds}",
                                       RateBucket.window == window)
    ).scalar_one_or_none()
    return int(value or 0)
