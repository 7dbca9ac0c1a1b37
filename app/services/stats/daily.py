"""Whether a reader is seen for the first time today, keeping no address and no cookie.

A reader is the salted hash of (network, User-Agent, page URL): the network is the /24 or
/64 the comments' rate limits use, never the address; the salt is 32 random bytes made for
the day (never derived from anything, so yesterday's hashes cannot be recomputed); both the
salt and the day's hashes go when the day turns (UTC). They live in the database
(`view_salts`, `view_marks`, which backups skip), or in Redis when the site's rate limits do
(keys that expire at the end of the day): then a view writes only its counter to the database.
"""

from __future__ import annotations

import hashlib
import secrets
import weakref
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.models import view_marks, view_salts
from app.services import DbSession

_REDIS_BY_ENGINE: weakref.WeakKeyDictionary[Engine, tuple[Any, str]] = \
    weakref.WeakKeyDictionary()


def configure(engine: Engine, config: Mapping[str, Any]) -> None:
    """Keep the day's salt and marks of `engine`'s site in Redis when its rate limits are
    there (RATE_LIMIT_STORAGE=redis, the default with CACHE_TYPE=RedisCache), else in the
    database."""
    storage = config.get("RATE_LIMIT_STORAGE") or (
        "redis" if config.get("CACHE_TYPE") == "RedisCache" else "database")
    if storage == "redis":
        import redis

        _REDIS_BY_ENGINE[engine] = (redis.Redis.from_url(config["CACHE_REDIS_URL"]),
                                    config.get("CACHE_KEY_PREFIX", "blog:"))
    else:
        _REDIS_BY_ENGINE.pop(engine, None)


def _redis(session: DbSession) -> tuple[Any, str] | None:
    bind = session.get_bind()
    return _REDIS_BY_ENGINE.get(bind if isinstance(bind, Engine) else bind.engine)


def _end_of(day: date) -> int:
    """The Unix time the day ends (UTC), when its salt and marks expire."""
    return int(datetime.combine(day + timedelta(days=1), time(), UTC).timestamp())


def reader_mark(salt: str, network: str, user_agent: str, url: str) -> str:
    """The salted hash that stands for one reader of one page on one day."""
    return hashlib.sha256("\n".join((salt, network, user_agent, url)).encode()).hexdigest()


def _insert(session: DbSession) -> Any:
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert)


def _database_salt(session: DbSession, day: date) -> str:
    """Today's salt from the database; the first caller of a day makes it and empties
    the tables of earlier days (their salts and marks)."""
    salt = session.execute(select(view_salts.c.salt).where(view_salts.c.day == day)).scalar()
    if salt is not None:
        return str(salt)
    session.execute(_insert(session)(view_salts).values(day=day, salt=secrets.token_hex(32))
                    .on_conflict_do_nothing(index_elements=["day"]))
    session.execute(delete(view_salts).where(view_salts.c.day < day))
    session.execute(delete(view_marks).where(view_marks.c.day < day))
    return str(session.execute(
        select(view_salts.c.salt).where(view_salts.c.day == day)).scalar_one())


def first_today(session: DbSession, network: str, user_agent: str, url: str,
                now: datetime | None = None) -> bool:
    """Mark this reader of `url` as seen today; True only the first time today.

    Atomic: in the database one INSERT ... ON CONFLICT DO NOTHING on the mark (in the
    caller's transaction), in Redis one SET NX.
    """
    day = (now or datetime.now(UTC)).date()
    backend = _redis(session)
    if backend is not None:
        client, prefix = backend
        salt_key = f"{prefix}stats:salt:{day.isoformat()}"
        fresh = secrets.token_hex(32)
        client.set(salt_key, fresh, nx=True, exat=_end_of(day))
        stored = client.get(salt_key)  # None only if the day ended between the two calls
        salt = stored.decode() if stored is not None else fresh
        mark = reader_mark(salt, network, user_agent, url)
        return bool(client.set(f"{prefix}stats:seen:{mark}", 1, nx=True, exat=_end_of(day)))
    mark = reader_mark(_database_salt(session, day), network, user_agent, url)
    inserted = session.execute(
        _insert(session)(view_marks).values(mark=mark, day=day)
        .on_conflict_do_nothing(index_elements=["mark"]).returning(view_marks.c.mark)).first()
    return inserted is not None

