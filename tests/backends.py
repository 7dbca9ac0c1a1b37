"""Which real servers the suite runs on: SQLite + SimpleCache by default, or PostgreSQL/Redis.

BLOG_TEST_DB=postgres runs every app-level test on PostgreSQL (a database of its own per
test run, schema reset per test); BLOG_TEST_CACHE=redis puts the cache in Redis (a key prefix
per test). When those servers are absent the tests skip with the reason, except in CI
(CI=true), where their absence is an error.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

PG_ADMIN_URL = os.environ.get("BLOG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BLOG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_pg_database: str | None = None


def use_postgres() -> bool:
    """True when the suite was asked to run on PostgreSQL."""
    return os.environ.get("BLOG_TEST_DB", "sqlite") == "postgres"


def use_redis() -> bool:
    """True when the suite was asked to cache in Redis."""
    return os.environ.get("BLOG_TEST_CACHE", "simple") == "redis"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"required test service unavailable in CI: {reason}")
    pytest.skip(reason)


def _pg_connect(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {url}: {exc}")
        raise


def _base(url: str) -> str:
    return url.rsplit("/", 1)[0]


def postgres_url() -> str:
    """A fresh, empty PostgreSQL database for this test (created once per run)."""
    global _pg_database
    if _pg_database is None:
        name = f"blogtest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with _pg_connect(PG_ADMIN_URL) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _pg_database = name
    url = f"{_base(PG_ADMIN_URL)}/{_pg_database}"
    with _pg_connect(url) as conn:
        # Earlier tests' apps may still hold connections (and locks): end them first.
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database() -> None:
    """Remove this run's database at the end of the session."""
    global _pg_database
    if _pg_database is None:
        return
    with _pg_connect(PG_ADMIN_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_pg_database}" WITH (FORCE)')
    _pg_database = None


def database_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh database for one test."""
    if use_postgres():
        return postgres_url()
    return f"sqlite:///{tmp_path / 'blog.sqlite3'}"


def cache_config() -> dict[str, object]:
    """flask-caching settings for one test (a private key prefix on Redis)."""
    if not use_redis():
        return {"CACHE_TYPE": "SimpleCache"}
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": f"blogtest:{uuid.uuid4().hex}:"}


def cache_config_env() -> dict[str, str]:
    """The cache settings of this run as environment variables, for subprocesses."""
    return {key: str(value) for key, value in cache_config().items()}
