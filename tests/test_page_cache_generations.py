"""The page cache forgets older generations as soon as a request sees a newer one, in this
process, in the fast path and in Redis; and the generation a request sees is the one any
process last committed (the SQLite data-version check), with one copy of each page kept."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.extensions import cache, db
from app.services.site.state import bump_generation, generation_reader, get_generation
from app.web.page_cache import local
from tests import backends
from tests.conftest import make_app

POST = "/posts/the-rise-of-ai-generated-images/"
PAGES = [POST, "/", "/tags/", "/index.xml", "/sitemap.xml"]


def _cache_settings(kind: str) -> dict[str, object]:
    if kind == "simple":
        return {"CACHE_TYPE": "SimpleCache"}
    import redis

    try:
        redis.Redis.from_url(backends.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        backends.unavailable(f"Redis not reachable at {backends.REDIS_URL}: {exc}")
    import uuid

    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": backends.REDIS_URL,
            "CACHE_KEY_PREFIX": f"blogtest:{uuid.uuid4().hex}:"}


def _redis_keys(app: Flask) -> set[str]:
    """Every key of this app's prefix in Redis, without the prefix (the page-index sets
    left out)."""
    import redis

    prefix = app.config["CACHE_KEY_PREFIX"]
    client = redis.Redis.from_url(backends.REDIS_URL)
    try:
        found = {key.decode()[len(prefix):] for key in client.scan_iter(prefix + "*")}
    finally:
        client.close()
    return {key for key in found if not key.startswith(("page-keys:", "page-stamps"))}


def _stored(app: Flask) -> dict[str, set[str]]:
    """What each store holds: this process's page cache, the cache backend, the fast path."""
    with app.app_context():
        backend: Any = cache.cache
        if app.config["CACHE_TYPE"] == "SimpleCache":
            shared = set(backend._cache)  # SimpleCache's own dict
        else:
            shared = _redis_keys(app)
        fast = app.extensions["page_fast_path"]
        return {"local": set(local().items), "backend": shared,
                "fast": {f"{key[3]}@{offer.generation}" for key, offer in fast.entries.items()}}


def _generated(keys: set[str], generation: int) -> set[str]:
    """The keys that name this generation (pages, bodies, their bounds, per-generation
    values: each holds the generation as one of its ':'-separated parts)."""
    return {key for key in keys if str(generation) in key.split(":")
            and not key.startswith("render:")}


@pytest.mark.parametrize("kind", ["simple", "redis"])
def test_after_a_bump_one_request_leaves_no_older_generation_in_any_cache(
        tmp_path: Path, seed_dir: Path, kind: str) -> None:
    app = make_app(tmp_path, **_cache_settings(kind))
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    client = app.test_client()
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get(POST).status_code == 200  # answered by the fast path
    with app.app_context():
        old = get_generation(db.session)
    before = _stored(app)
    assert _generated(before["local"], old) >= {key for key in before["local"]
                                                 if key.startswith(("view:", "body:"))}
    assert len([k for k in before["local"] if k.startswith("view:")]) >= 3
    assert f"{POST}@{old}" in before["fast"]
    if kind == "redis":
        assert {k for k in before["local"] if k.startswith(("view:", "body:", "bounds:"))} <= (
            before["backend"])
    else:  # pages live once, in the process: never a second, pickled copy in SimpleCache
        assert not {k for k in before["backend"] if k.startswith(("view:", "body:"))}

    with app.app_context():
        bump_generation(db.session)
        db.session.commit()
    assert client.get("/about-nothing/").status_code == 404  # one request, any request

    after = _stored(app)
    for store in ("local", "backend"):
        assert _generated(after[store], old) == set(), store
    assert after["fast"] == set()
    assert client.get(POST).status_code == 200
    assert _stored(app)["fast"] == {f"{POST}@{old + 1}"}


def test_one_copy_of_a_page_is_kept_in_the_process(tmp_path: Path, seed_dir: Path) -> None:
    app = make_app(tmp_path, CACHE_TYPE="SimpleCache")
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    client = app.test_client()
    client.get(POST)
    with app.app_context():
        pages = [value for key, value in local().items.items() if key.startswith("view:")]
    offers = list(app.extensions["page_fast_path"].entries.values())
    assert len(pages) == len(offers) == 1
    assert offers[0].entry is pages[0]  # the fast path serves the cached object itself
    entry = pages[0]
    # A page with a comment form: one body, the token of the second in place, no parts kept.
    assert entry.plain == b"" and entry.gzipped is None and len(entry.current) == 1
    assert client.get(POST).data == entry.current[0].body


def test_a_request_during_an_older_generation_caches_nothing_stale(
        tmp_path: Path, seed_dir: Path) -> None:
    """A page built for generation g after g+1 was seen is served, not stored."""
    app = make_app(tmp_path, CACHE_TYPE="SimpleCache")
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    with app.app_context():
        generation = get_generation(db.session)
        local().see(generation + 5)
    assert app.test_client().get(POST).status_code == 200
    with app.app_context():
        assert not [key for key in local().items if key.startswith("view:")]
    assert app.extensions["page_fast_path"].entries == {}


def _bump_elsewhere(database: Path) -> None:
    """Another process commits a new generation (as an import or an admin action does)."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute(\"UPDATE site_state SET value = value + 1 WHERE key = 'generation'\"); "
            "c.commit()")
    subprocess.run([sys.executable, "-c", code, str(database)], check=True, timeout=60)


def test_a_commit_by_another_process_is_seen_on_the_next_read(
        tmp_path: Path, seed_dir: Path) -> None:
    if backends.use_postgres():
        pytest.skip("the data-version check is SQLite's; PostgreSQL reads the row each time")
    app = make_app(tmp_path, CACHE_TYPE="SimpleCache")
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    database = tmp_path / "blog.sqlite3"
    with app.app_context():
        engine = db.engine
        first = generation_reader.read(engine)
        assert [generation_reader.read(engine) for _ in range(3)] == [first] * 3
        for step in range(1, 4):
            _bump_elsewhere(database)
            assert generation_reader.read(engine) == first + step
        with sqlite3.connect(database) as conn:  # and what a checkpoint does is seen too
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _bump_elsewhere(database)
        assert generation_reader.read(engine) == first + 4


def test_the_fast_path_sees_a_commit_by_another_process_on_the_next_request(
        tmp_path: Path, seed_dir: Path) -> None:
    if backends.use_postgres():
        pytest.skip("the other process commits with sqlite3 (PostgreSQL: a SELECT per request)")
    app = make_app(tmp_path, CACHE_TYPE="SimpleCache")
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    reached: list[str] = []
    app.before_request(lambda: reached.append("flask"))
    client = app.test_client()
    client.get(POST)
    client.get(POST)
    assert reached == ["flask"]  # the second from the fast path
    _bump_elsewhere(tmp_path / "blog.sqlite3")
    client.get(POST)
    assert reached == ["flask", "flask"]  # the new generation: built again
    client.get(POST)
    assert reached == ["flask", "flask"]
