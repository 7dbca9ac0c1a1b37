"""A populated site for the backup tests, and helpers to compare every row of two sites."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, insert, select, text

from app.database import configure_engine
from app.extensions import db as _db
from app.models import (
    Comment,
    Page,
    PageLike,
    PageStat,
    RateBucket,
    SiteState,
    ThreadDigestItem,
    ThreadSubscription,
)
from app.services.backup.dump import reflect
from app.services.comments import moderation
from app.services.comments.rules import CommentInput, CommentSettings
from app.services.comments.threads import create_comment, remove
from tests import backends
from tests.conftest import SEED_CONTENT, write

POST = "/posts/the-rise-of-ai-generated-images/"
SECRET = "test-secret-key-that-is-long-enough-for-tests"
OPEN = CommentSettings(moderation="none", rate_limit=1000)
HELD = CommentSettings(moderation="all", rate_limit=1000)
BINARY = bytes(range(256)) * 3 + b"\x00\xff\x00"
EXTRA = """---
title: "Zanzibar notes"
date: 2024-02-29T23:59:58Z
tags: ["Travel", "Ünïcode"]
categories: ["Notes"]
aliases: ["/old/zanzibar/", "/zz.html"]
params: {nested: {list: [1, 2.5, "три", null, true]}, empty: {}}
---

Quuxword lives here: a *unique* word & an ampersand.
"""


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file in `path` (created)."""
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'blog.sqlite3'}"


def comment(text_: str, settings: CommentSettings = OPEN, parent: int | None = None,
            email: str | None = "reader@example.com", url: str = POST) -> Comment:
    """A comment posted the way readers post them."""
    entry = CommentInput(url, parent, "Réader", email, "https://r.example/", text_, bool(email))
    return create_comment(_db.session, entry, "198.51.100.7", SECRET, settings)


def populate(app: Flask, content: Path) -> None:
    """The seed article plus tagged, aliased and binary pages, and comments of every kind."""
    shutil.copytree(SEED_CONTENT, content, dirs_exist_ok=True)
    write(content, "posts/zanzibar.md", EXTRA)
    write(content, "posts/bundle/index.md", '---\ntitle: "Binary bundle"\ntags: [AI]\n---\nHi\n')
    write(content, "posts/bundle/data.bin", BINARY)
    write(content, "posts/draft.md", '---\ntitle: "Draft"\ndraft: true\n---\nSecret.\n')
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        first = comment("First, *published* — ✓")
        reply = comment("A reply", parent=first.id)
        comment("A reply to the reply", parent=reply.id, email=None)
        comment("Held for moderation", HELD, email="new@example.com")
        spam = comment("Buy things", email="spam@example.com")
        moderation.moderate(_db.session, [spam.id], "spam")
        doomed = comment("I will be deleted", email="gone@example.com")
        comment("Keeps the marker", parent=doomed.id)
        remove(_db.session, [doomed])
        comment("On the other post", url="/posts/zanzibar/")
        page_id = first.page_id
        _db.session.add_all([
            Comment(page_id=page_id, thread_url=POST, status="published", author="Old",
                    author_key="k", text_md="Old", text_html="<p>Old</p>",
                    external_id="disqus:42", created_at=datetime(2020, 1, 1, 12, 0, 0, 123456),
                    updated_at=datetime(2021, 6, 1, 8, 30), spam_score=0.123456789012345),
            # An imported reply whose parent has the larger id: restored parents first.
            Comment(id=200, page_id=page_id, thread_url=POST, status="published",
                    author="Parent", author_key="p", created_at=datetime(2019, 5, 5)),
        ])
        _db.session.flush()
        _db.session.add_all([
            Comment(id=100, page_id=page_id, thread_url=POST, parent_id=200, depth=1,
                    status="published", author="Child", author_key="c",
                    created_at=datetime(2019, 5, 6)),
            RateBucket(key="comment:abc", window=28_000_000, count=3),
            RateBucket(key="login:xyz", window=1, count=1),
            SiteState(key="custom", value=7),
            PageStat(url=POST, views=12_345_678_901),  # past 32 bits
            PageLike(key="f" * 64, url=POST, created_at=datetime(2024, 2, 3, 4, 5, 6)),
        ])
        _db.session.commit()
        # A confirmed thread subscriber with a comment waiting for their next digest.
        follower = ThreadSubscription(thread_url=POST, email="follower@example.com",
                                      created_at=datetime(2024, 3, 1, 9, 0, 0, 250000),
                                      confirm_sent_at=datetime(2024, 3, 1, 9, 1),
                                      confirmed_at=datetime(2024, 3, 1, 9, 5), attempts=0)
        _db.session.add(follower)
        _db.session.flush()
        _db.session.add(ThreadDigestItem(subscription_id=follower.id, comment_id=first.id))
        _db.session.commit()


def rows(app: Flask, only: dict[str, list[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (or `only` these columns), typed by the models, sorted by key."""
    with app.app_context(), _db.engine.connect() as conn:
        assert {t.name for t in reflect(conn)} == set(_db.metadata.tables)  # none left out
        out = {}
        for table in _db.metadata.sorted_tables:
            if only is not None and table.name not in only:
                continue
            names = only[table.name] if only is not None else table.columns.keys()
            key = [names.index(c.name) for c in table.primary_key.columns]
            found = [tuple(r) for r in conn.execute(select(*(table.c[n] for n in names)))]
            out[table.name] = sorted(found, key=lambda r, k=key: [r[i] for i in k])
        return out


def assert_same(source: dict[str, list[tuple]], target: dict[str, list[tuple]]) -> None:
    """Equal rows; only the site generation moves on (past the source's), so caches refresh."""
    assert source.keys() == target.keys()
    for name in source:
        if name == "site_state":
            before, after = dict(source[name]), dict(target[name])
            assert after.pop("generation") > before.pop("generation")
            assert after == before
        else:
            assert target[name] == source[name], name
    assert len(source["comments"]) == 11 and len(source["blobs"]) >= 10
    if "thread_subscriptions" in source:  # (a dump from before migration 0012 has none)
        assert [r[2] for r in source["thread_subscriptions"]] == ["follower@example.com"]
        assert len(source["thread_digest_items"]) == 1
    if "page_stats" in source:  # (a dump from before migration 0014 has no counts)
        assert source["page_stats"] == [(POST, 12_345_678_901)]
        assert [row[:2] for row in source["page_likes"]] == [("f" * 64, POST)]
    if "spam_features" in source:  # (a dump from before migration 0011 has no model)
        # The spam model the "Buy things" decision taught (scores are compared with comments).
        assert ("#docs", 0, 1) in source["spam_features"] and len(source["spam_features"]) > 5


def assert_search_works(app: Flask) -> None:
    """The index holds every page, passes its integrity check, and /search finds a word."""
    with app.app_context():
        count = _db.session.execute(text("SELECT count(*) FROM pages")).scalar()
        assert _db.session.execute(text("SELECT count(*) FROM page_search")).scalar() == count
        if _db.engine.dialect.name == "sqlite":
            _db.session.execute(text(
                "INSERT INTO page_search (page_search, rank) VALUES ('integrity-check', 1)"))
    page = app.test_client().get("/search?q=quuxword").get_data(as_text=True)
    assert "Zanzibar notes" in page


@contextmanager
def pg_database(tag: str) -> Iterator[str]:
    """A fresh PostgreSQL database of our own, dropped afterwards."""
    import psycopg

    name = f"blogtest_{tag}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(backends.PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        backends.unavailable(f"PostgreSQL not reachable at {backends.PG_ADMIN_URL}: {exc}")
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield backends.PG_ADMIN_URL.rsplit("/", 1)[0].replace(
                "postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def writer(url: str) -> Iterator[threading.Event]:
    """A thread adding pages, each with a comment replying to the previous one."""
    stop = threading.Event()
    engine = configure_engine(create_engine(url))  # its page inserts feed the search index
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write_until(stop)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    def write_until(stop: threading.Event) -> None:
        parent, n = None, 0
        while not stop.is_set():
            n += 1
            now = datetime(2024, 1, 1)
            with engine.begin() as conn:
                pid = conn.execute(insert(Page).returning(Page.id).values(
                    source_path=f"w/{n}.md", url_path=f"/w/{n}/", source_hash="h",
                    render_hash="h", imported_at=now, params={})).scalar_one()
                parent = conn.execute(insert(Comment).returning(Comment.id).values(
                    page_id=pid, thread_url=f"/w/{n}/", parent_id=parent, author_key="w",
                    created_at=now)).scalar_one()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert errors == []


@contextmanager
def nothing() -> Iterator[None]:
    """No database: the SQLite side of a parametrized test."""
    yield None
