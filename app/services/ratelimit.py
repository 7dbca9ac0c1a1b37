"""Sliding-window rate limits whose check and count are atomic.

A key may count at most `limit` events in any `seconds`-long stretch of time: the events
themselves are kept (per millisecond, with how many fell in it) and counted over the last
`seconds` at each hit, so a burst just before and just after a clock boundary cannot add up
to twice the limit, as it could with fixed windows.
"""

from __future__ import annotations

import math
import time
import uuid
import weakref
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, String, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement, Delete

from app.models import RateBucket
from app.services import DbSession

# Check and count in one step inside Redis: concurrent callers cannot both pass the check.
# A sorted set per key holds the accepted events, scored by their time in milliseconds.
_REDIS_HIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


# Where a database's counters are kept when not in it: Redis, per engine (each site's own).
_REDIS_BY_ENGINE: weakref.WeakKeyDictionary[Engine, tuple[Any, str]] = \
    weakref.WeakKeyDictionary()


def configure(engine: Engine, config: Mapping[str, Any]) -> None:
    """Keep the counters of `engine`'s site in Redis when its cache is Redis
    (RATE_LIMIT_STORAGE=redis, the default with CACHE_TYPE=RedisCache), else in the
    database itself."""
    storage = config.get("RATE_LIMIT_STORAGE") or (
        "redis" if config.get("CACHE_TYPE") == "RedisCache" else "database")
    if storage == "redis":
        import redis

        client = redis.Redis.from_url(config["CACHE_REDIS_URL"])
        _REDIS_BY_ENGINE[engine] = (client.register_script(_REDIS_HIT),
                                    config.get("CACHE_KEY_PREFIX", "blog:"))
    elif storage == "database":
        _REDIS_BY_ENGINE.pop(engine, None)
    else:
        raise ValueError("RATE_LIMIT_STORAGE must be 'database' or 'redis'")


def _redis(session: DbSession) -> tuple[Any, str] | None:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return _REDIS_BY_ENGINE.get(engine)


def _ms(now: float | None) -> int:
    return int((now if now is not None else time.time()) * 1000)


def _since(key: str, now_ms: int, seconds: int) -> Any:
    """The key's events still inside the window that ends now."""
    return (RateBucket.key == key) & (RateBucket.window > now_ms - seconds * 1000)


def hit(session: DbSession, key: str, limit: int, seconds: int, now: float | None = None) -> bool:
    """Count one event for key; False (and nothing counted) once the last `seconds` hold `limit`.

    In the database: one INSERT ... SELECT ... WHERE (events in the window) < limit, upserted
    on the millisecond's row, in the caller's transaction (a rolled-back comment does not
    use up the allowance). SQLite runs one writer at a time, so the statement's check and
    count cannot interleave with another's; PostgreSQL first takes a transaction lock on
    the key, so concurrent callers for one key queue up and each sees the others' counts.
    In Redis: one Lua script over a sorted set, shared by every worker and host.
    """
    if limit <= 0:
        return False
    key = f"{key}@{seconds}"  # one key may be limited over several window lengths
    now_ms = _ms(now)
    redis_backend = _redis(session)
    if redis_backend is not None:
        script, prefix = redis_backend
        return bool(script(keys=[f"{prefix}rl:{key}"],
                           args=[now_ms, seconds * 1000, limit, f"{now_ms}:{uuid.uuid4().hex}"]))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    session.execute(_delete_buckets(RateBucket.key == key,
                                    RateBucket.window <= now_ms - seconds * 1000))
    counted = select(func.coalesce(func.sum(RateBucket.count), 0)).where(
        _since(key, now_ms, seconds)).scalar_subquery()
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateBucket).from_select(
        ["key", "window", "count"],
        select(literal(key, String), literal(now_ms, BigInteger), literal(1, Integer))
        .where(counted < limit),
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[RateBucket.key, RateBucket.window],
        set_={"count": RateBucket.count + 1},
    ).returning(RateBucket.count)
    return session.execute(upsert).first() is not None


def retry_after(session: DbSession, key: str, limit: int, seconds: int,
                now: float | None = None) -> int:
    """Whole seconds until `key` may count another event (0 when it may now)."""
    key = f"{key}@{seconds}"
    now_ms = _ms(now)
    redis_backend = _redis(session)
    if redis_backend is not None:
        script, prefix = redis_backend
        events = [(int(score), 1) for _, score in script.registered_client.zrangebyscore(
            f"{prefix}rl:{key}", now_ms - seconds * 1000 + 1, "+inf", withscores=True)]
    else:
        events = list(session.execute(
            select(RateBucket.window, RateBucket.count).where(_since(key, now_ms, seconds))
            .order_by(RateBucket.window)).tuples())
    excess = sum(count for _, count in events) - limit + 1  # events that must leave first
    for at_ms, count in events:
        if excess <= 0:
            break
        excess -= count
        if excess <= 0:
            return max(0, math.ceil((at_ms + seconds * 1000 - now_ms) / 1000))
    return 0


def prune(session: DbSession, seconds: int, now: float | None = None) -> None:
    """Forget events of this window length that no longer count."""
    session.execute(_delete_buckets(RateBucket.key.like(f"%@{seconds}"),
                                    RateBucket.window <= _ms(now) - seconds * 1000))


def current_count(session: DbSession, key: str, seconds: int, now: float | None = None) -> int:
    """Events counted for key over the last `seconds` (for tests and the admin)."""
    key = f"{key}@{seconds}"
    now_ms = _ms(now)
    redis_backend = _redis(session)
    if redis_backend is not None:
        script, prefix = redis_backend
        return int(script.registered_client.zcount(
            f"{prefix}rl:{key}", now_ms - seconds * 1000 + 1, "+inf"))
    value = session.execute(
        select(func.coalesce(func.sum(RateBucket.count), 0)).where(_since(key, now_ms, seconds))
    ).scalar_one()
    return int(value or 0)


def _delete_buckets(*where: ColumnElement[bool]) -> Delete:
    """DELETE of the buckets matching ``where``, as plain SQL: no session objects to update."""
    return delete(RateBucket).where(*where).execution_options(synchronize_session=False)
