"""Rate limits hold across workers and hosts: a burst gets exactly the limit.

In Redis (shared by two apps standing for two hosts) and in the database (PostgreSQL under
BLOG_TEST_DB=postgres, where a per-key transaction lock queues concurrent callers).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from flask import Flask

from app.extensions import db
from app.services import ratelimit
from tests import backends
from tests.conftest import make_app


@pytest.fixture
def hosts(tmp_path: Path) -> list:
    try:
        redis.Redis.from_url(backends.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        backends.unavailable(f"Redis not reachable at {backends.REDIS_URL}: {exc}")
    prefix = f"blogtest:{uuid.uuid4().hex}:"
    # Two apps on two databases stand for two hosts: only Redis is shared.
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    return [make_app(tmp_path / name, CACHE_TYPE="RedisCache",
                     CACHE_REDIS_URL=backends.REDIS_URL, CACHE_KEY_PREFIX=prefix,
                     RATE_LIMIT_STORAGE="redis") for name in ("a", "b")]


def test_redis_limit_counts_and_resets(hosts: list) -> None:
    with hosts[0].app_context():
        now = 2_000_000.0
        assert [ratelimit.hit(db.session, "k", 2, 60, now) for _ in range(3)] == [
            True, True, False]
        assert ratelimit.current_count(db.session, "k", 60, now) == 2
        assert ratelimit.hit(db.session, "k", 2, 60, now + 60) is True


def test_a_burst_across_two_hosts_gets_exactly_the_limit(hosts: list) -> None:
    limit, key = 7, f"burst-{uuid.uuid4().hex}"

    def one(index: int) -> bool:
        with hosts[index % 2].app_context():
            return ratelimit.hit(db.session, key, limit, 3600)

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(200)))
    assert results.count(True) == limit
    with hosts[1].app_context():
        assert ratelimit.current_count(db.session, key, 3600) == limit


def test_a_burst_across_a_window_boundary_gets_no_more_than_the_limit(hosts: list) -> None:
    """Ten attempts in 0.45 s around the moment a fixed window would restart: five pass."""
    key = f"edge-{uuid.uuid4().hex}"
    boundary = 60 * 30_000_000.0
    times = [boundary - 0.25 + i * 0.05 for i in range(10)]
    results = []
    for i, at in enumerate(times):
        with hosts[i % 2].app_context():
            results.append(ratelimit.hit(db.session, key, 5, 60, at))
    assert results == [True] * 5 + [False] * 5
    with hosts[0].app_context():
        assert ratelimit.retry_after(db.session, key, 5, 60, boundary + 1) == 59
        assert ratelimit.hit(db.session, key, 5, 60, times[0] + 59.999) is False
        assert ratelimit.hit(db.session, key, 5, 60, times[0] + 60) is True


@pytest.fixture
def database_app(tmp_path: Path) -> Iterator[Flask]:
    """Counters in the database (PostgreSQL under BLOG_TEST_DB=postgres, else SQLite)."""
    app = make_app(tmp_path, RATE_LIMIT_STORAGE="database")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_concurrent_burst_in_the_database_gets_exactly_the_limit(database_app: Flask) -> None:
    """Each hit in its own transaction, 32 at a time: the key's lock lets 7 through."""
    limit, key = 7, f"burst-{uuid.uuid4().hex}"

    def one(_: int) -> bool:
        with database_app.app_context():
            allowed = ratelimit.hit(db.session, key, limit, 3600)
            db.session.commit()
            return allowed

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(120)))
    assert results.count(True) == limit
    with database_app.app_context():
        assert ratelimit.current_count(db.session, key, 3600) == limit


def test_a_burst_across_a_boundary_in_the_database(database_app: Flask) -> None:
    boundary = 60 * 30_000_000.0
    times = [boundary - 0.25 + i * 0.05 for i in range(10)]
    with database_app.app_context():
        results = [ratelimit.hit(db.session, "edge", 5, 60, at) for at in times]
        db.session.commit()
        assert results == [True] * 5 + [False] * 5
        assert ratelimit.retry_after(db.session, "edge", 5, 60, boundary + 1) == 59
