"""Views and likes (Blowfish's showViews / showLikes), counted on this server.

Views: once per reader (network, User-Agent) and post and day, never for a bot, with no
address and no cookie kept; likes: once per browser token, a second press undoes, limited
per network. Both exact under 32 concurrent clients (SQLite, or PostgreSQL + Redis with
BLOG_TEST_DB=postgres BLOG_TEST_CACHE=redis), and the cached pages stay cached meanwhile.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import PageLike, PageStat, view_marks, view_salts
from app.services.stats import daily
from app.services.stats.bots import is_bot
from tests.conftest import make_app, write
from tests.html import soup

HELLO = "/posts/hello/"
QUIET = "/posts/quiet/"
OTHER = "/posts/other/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PASSWORD = "correct horse battery"
HUGO_TOML = ('baseURL = "https://blog.example/"\ntitle = "Counted site"\n'
             "[params.article]\n  showViews = true\n  showLikes = true\n")
CLIENTS = 32
# Each request thread holds two connections (its session's, and the one the site generation
# is read on, held per thread as a gunicorn worker holds it): room for 32 threads at once.
POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 2 * CLIENTS + 2,
                                      "max_overflow": 0}}


def _site(root: Path) -> Path:
    write(root, "hugo.toml", HUGO_TOML)
    write(root, "content/posts/hello.md",
          "---\ntitle: Hello\ndate: 2024-01-02\n---\nSome words.\n")
    write(root, "content/posts/other.md",
          "---\ntitle: Other\ndate: 2024-01-03\n---\nMore words.\n")
    write(root, "content/posts/quiet.md", "---\ntitle: Quiet\ndate: 2024-01-04\n"
          "showViews: false\nshowLikes: false\n---\nNot counted.\n")
    return root


def _import(app: Flask, root: Path) -> None:
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output


def _build(tmp_path: Path, **overrides: object) -> tuple[Flask, Path]:
    settings: dict[str, object] = {"ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD),
                                   "STATS_LIKE_RATE_LIMIT": 1000,
                                   "STATS_VIEW_RATE_LIMIT": 1000}
    settings.update(overrides)
    app = make_app(tmp_path, **settings)
    root = _site(tmp_path / "site")
    _import(app, root)
    return app, root


@pytest.fixture
def site(tmp_path: Path) -> tuple[Flask, Path]:
    """The counted site: two posts following the site's defaults, one that opts out."""
    app, root = _build(tmp_path, **POOL)
    yield app, root
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(site: tuple[Flask, Path]) -> Flask:
    return site[0]


def _client(app: Flask, ip: str = "192.0.2.10") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def view(client: FlaskClient, url: str = HELLO, agent: str = BROWSER) -> TestResponse:
    return client.post("/api/views", json={"url": url}, headers={"User-Agent": agent})


def like(client: FlaskClient, token: str, url: str = HELLO) -> TestResponse:
    return client.post("/api/likes", json={"url": url, "token": token},
                       headers={"User-Agent": BROWSER})


def stats(client: FlaskClient, *urls: str) -> dict[str, Any]:
    response = client.get("/api/stats", query_string=[("url", u) for u in urls])
    assert response.status_code == 200, response.data
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.get_json()["stats"]


def _token(n: int) -> str:
    return f"browser-token-{n:04d}-abcdef"


# -- the page -------------------------------------------------------------------------------


def test_posts_and_cards_hold_empty_counters_that_the_script_fills(app: Flask) -> None:
    client = _client(app)
    post = soup(client.get(HELLO).data)
    views_span = post.select_one('.post-header [data-stat="views"]')
    assert views_span is not None and views_span.has_attr("hidden")
    assert views_span["data-stat-url"] == HELLO and views_span.has_attr("data-count-view")
    assert post.select_one('.post-header [data-stat="likes"]') is not None
    button = post.select_one("button.like-button")
    assert button["data-like-url"] == HELLO and button.has_attr("hidden")
    assert any("js/stats.js" in s["src"] for s in post.select("script[src]"))
    assert not post.find(string=lambda s: s and "views" in s and any(c.isdigit() for c in s))

    quiet = soup(client.get(QUIET).data)
    assert quiet.select("[data-stat]") == [] and quiet.select("button.like-button") == []
    assert not any("js/stats.js" in s["src"] for s in quiet.select("script[src]"))

    home = soup(client.get("/posts/").data)
    card_urls = {el["data-stat-url"] for el in home.select(".card [data-stat]")}
    assert card_urls == {HELLO, OTHER}
    assert not home.select(".card [data-count-view]")  # a list counts no view
    assert any("js/stats.js" in s["src"] for s in home.select("script[src]"))


# -- views ----------------------------------------------------------------------------------


def test_a_reader_is_counted_once_a_day_per_post(app: Flask) -> None:
    reader = _client(app, "192.0.2.10")
    first, again = view(reader), view(reader)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == {"counted": True, "views": 1}
    assert again.get_json() == {"counted": False, "views": 1}
    # Same network (a /24), same browser: the same reader.
    assert view(_client(app, "192.0.2.99")).get_json() == {"counted": False, "views": 1}
    # Another browser, another network, another post: each counts.
    assert view(reader, agent=BROWSER + " other").get_json()["views"] == 2
    assert view(_client(app, "198.51.100.7")).get_json()["views"] == 3
    assert view(reader, OTHER).get_json() == {"counted": True, "views": 1}
    assert stats(reader, HELLO, OTHER, QUIET, "/nowhere/") == {
        HELLO: {"views": 3, "likes": 0}, OTHER: {"views": 1, "likes": 0}, QUIET: {}}


def test_nothing_personal_is_stored_and_the_salt_goes_with_the_day(app: Flask) -> None:
    reader = _client(app, "203.0.113.45")
    assert view(reader).get_json()["counted"] is True
    with app.app_context():
        dump = repr([tuple(r) for name in ("page_stats", "view_marks", "view_salts",
                                            "rate_buckets", "page_likes")
                     for r in db.session.execute(text(f"SELECT * FROM {name}"))])
        assert "203.0.113" not in dump and "Firefox" not in dump
        today = datetime.now(UTC)
        tomorrow = today + timedelta(days=1)
        session = db.session
        # The same reader is new tomorrow; yesterday's salt and marks are gone then.
        assert daily.first_today(session, "203.0.113.0/24", BROWSER, HELLO, today) is False
        assert daily.first_today(session, "203.0.113.0/24", BROWSER, HELLO, tomorrow) is True
        session.commit()
        if daily._redis(session) is None:
            days = set(session.execute(select(view_salts.c.day)).scalars())
            assert days == {tomorrow.date()}
            assert set(session.execute(select(view_marks.c.day)).scalars()) == {
                tomorrow.date()}


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0)", "curl/8.5.0", "Wget/1.21",
    "python-requests/2.32", "Mozilla/5.0 (X11; Linux) HeadlessChrome/120.0 Safari/537.36",
    "Mozilla/5.0 AhrefsBot", "SomeCrawler/1.0", "spider", "",
])
def test_a_bot_is_never_counted(app: Flask, agent: str) -> None:
    assert is_bot(agent)
    client = _client(app)
    for _ in range(2):
        response = view(client, agent=agent)
        assert response.status_code == 200
        assert response.get_json() == {"counted": False, "views": 0}
    with app.app_context():
        assert db.session.execute(select(PageStat)).first() is None
        assert daily._redis(db.session) is not None or \
            db.session.execute(select(view_marks)).first() is None
    assert not is_bot(BROWSER)


def test_a_post_that_shows_no_counts_counts_nothing(app: Flask) -> None:
    client = _client(app)
    assert view(client, QUIET).get_json() == {"counted": False, "views": 0}
    refused = like(client, _token(1), QUIET)
    assert refused.status_code == 404 and refused.get_json()["code"] == "not_found"
    assert view(client, "/posts/missing/").status_code == 404
    assert client.post("/api/views", data="url=/posts/hello/").status_code == 415


def test_views_are_limited_per_network(tmp_path: Path) -> None:
    app, _ = _build(tmp_path, STATS_VIEW_RATE_LIMIT=3)
    client = _client(app)
    answers = [view(client, agent=f"{BROWSER} {n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert stats(client, HELLO) == {HELLO: {"views": 3, "likes": 0}}


# -- likes ----------------------------------------------------------------------------------


def test_a_like_toggles_per_browser(app: Flask) -> None:
    client = _client(app)
    assert like(client, _token(1)).get_json() == {"liked": True, "likes": 1}
    assert like(client, _token(2)).get_json() == {"liked": True, "likes": 2}
    assert like(client, _token(1)).get_json() == {"liked": False, "likes": 1}  # undone
    assert like(client, _token(1)).get_json() == {"liked": True, "likes": 2}
    assert stats(client, HELLO)[HELLO]["likes"] == 2
    for bad in ("short", "x" * 65, "has space in it!!", 12, None):
        response = client.post("/api/likes", json={"url": HELLO, "token": bad})
        assert response.status_code == 400 and response.get_json()["code"] == "invalid"
    foreign = client.post("/api/likes", json={"url": HELLO, "token": _token(3)},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert stats(client, HELLO)[HELLO]["likes"] == 2
    with app.app_context():  # the token itself is never stored
        keys = db.session.execute(select(PageLike.key)).scalars().all()
        assert len(keys) == 2 and not any("browser-token" in k for k in keys)


def test_likes_are_limited_per_network(tmp_path: Path) -> None:
    app, _ = _build(tmp_path, STATS_LIKE_RATE_LIMIT=3)
    client = _client(app)
    answers = [like(client, _token(n)).status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    limited = like(client, _token(9))
    assert limited.get_json()["code"] == "rate_limited"
    assert stats(client, HELLO)[HELLO]["likes"] == 3
    assert like(_client(app, "198.51.100.1"), _token(9)).status_code == 200  # another network


# -- concurrency ----------------------------------------------------------------------------


def _all_at_once(work: Callable[[int], TestResponse]) -> list[TestResponse]:
    """`work(i)` for i < 32, on 32 threads released together."""
    gate = threading.Barrier(CLIENTS)

    def run(i: int) -> TestResponse:
        gate.wait()
        return work(i)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(run, range(CLIENTS)))


def test_32_concurrent_readers_and_likers_are_counted_exactly(app: Flask) -> None:
    readers = [_client(app, f"10.{i}.0.1") for i in range(CLIENTS)]
    first = _all_at_once(lambda i: view(readers[i]))
    assert [r.status_code for r in first] == [200] * CLIENTS
    assert all(r.get_json()["counted"] for r in first)
    assert sorted(r.get_json()["views"] for r in first) == list(range(1, CLIENTS + 1))
    again = _all_at_once(lambda i: view(readers[i]))
    assert not any(r.get_json()["counted"] for r in again)

    liked = _all_at_once(lambda i: like(readers[i], _token(i)))
    assert [r.status_code for r in liked] == [200] * CLIENTS
    assert all(r.get_json()["liked"] for r in liked)
    assert stats(readers[0], HELLO) == {HELLO: {"views": CLIENTS, "likes": CLIENTS}}
    # Half undo their like while the other half like the other post.
    mixed = _all_at_once(lambda i: like(readers[i], _token(i), HELLO if i % 2 else OTHER))
    assert [r.status_code for r in mixed] == [200] * CLIENTS
    assert stats(readers[0], HELLO, OTHER) == {
        HELLO: {"views": CLIENTS, "likes": CLIENTS // 2},
        OTHER: {"views": 0, "likes": CLIENTS // 2}}


def test_32_concurrent_likes_from_one_network_stop_at_the_limit(tmp_path: Path) -> None:
    app, _ = _build(tmp_path, STATS_LIKE_RATE_LIMIT=5, **POOL)
    answers = _all_at_once(lambda i: like(_client(app, "192.0.2.1"), _token(i)))
    assert Counter(r.status_code for r in answers) == {200: 5, 429: CLIENTS - 5}
    assert stats(_client(app), HELLO)[HELLO]["likes"] == 5
    with app.app_context():
        db.engine.dispose()


# -- the page cache and the fast path --------------------------------------------------------


def test_cached_pages_stay_cached_and_identical_while_counts_change(app: Flask) -> None:
    reached: list[str] = []

    @app.before_request
    def _record() -> None:
        reached.append(request.path)

    reader = _client(app)
    first = reader.get(HELLO)
    assert reader.get(HELLO).status_code == 200
    assert reached == [HELLO]  # the second answer came from the fast path
    for n in range(5):
        view(_client(app, f"10.0.{n}.1"))
        like(reader, _token(n))
    assert stats(reader, HELLO) == {HELLO: {"views": 5, "likes": 5}}
    later = _client(app, "198.51.100.3").get(HELLO)
    assert reached.count(HELLO) == 1  # counting invalidated nothing
    strip = TOKEN_PATTERN.sub
    assert strip(b"", later.data) == strip(b"", first.data)


TOKEN_PATTERN = __import__("re").compile(rb'name="form_token" value="[^"]+"')


# -- what keeps the counts -------------------------------------------------------------------


def _count_some(app: Flask) -> None:
    client = _client(app)
    view(client)
    view(_client(app, "198.51.100.3"))
    view(client, OTHER)
    like(client, _token(1))


def test_counts_survive_a_reimport_and_a_post_removed_and_restored(
        site: tuple[Flask, Path]) -> None:
    app, root = site
    _count_some(app)
    write(root, "content/posts/hello.md",
          "---\ntitle: Hello again\ndate: 2024-01-02\n---\nOther words now.\n")
    _import(app, root)
    client = _client(app)
    assert stats(client, HELLO, OTHER) == {HELLO: {"views": 2, "likes": 1},
                                           OTHER: {"views": 1, "likes": 0}}
    moved = root / "content/posts/hello.md"
    body = moved.read_text()
    moved.unlink()
    _import(app, root)
    assert stats(client, HELLO) == {}  # gone from the site, not from the counts
    write(root, "content/posts/hello.md", body)
    _import(app, root)
    assert stats(client, HELLO) == {HELLO: {"views": 2, "likes": 1}}
    assert like(client, _token(1)).get_json() == {"liked": False, "likes": 0}  # still its like


def test_counts_survive_a_backup_and_restore(site: tuple[Flask, Path], tmp_path: Path) -> None:
    app, _ = site
    _count_some(app)
    archive = tmp_path / "site.backup"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["site", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    view(_client(app, "10.9.9.9"))  # after the backup: the restore takes it away
    like(_client(app), _token(7))
    result = runner.invoke(args=["site", "restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    client = _client(app)
    assert stats(client, HELLO, OTHER) == {HELLO: {"views": 2, "likes": 1},
                                           OTHER: {"views": 1, "likes": 0}}
    assert like(client, _token(1)).get_json() == {"liked": False, "likes": 0}


# -- the admin's lists -----------------------------------------------------------------------


def _ranked(app: Flask) -> None:
    for n in range(3):
        view(_client(app, f"10.1.{n}.1"), OTHER)
    view(_client(app), HELLO)
    for n in range(2):
        like(_client(app), _token(n), HELLO)


def test_the_admin_page_lists_the_most_read_and_most_liked(app: Flask) -> None:
    _ranked(app)
    client = app.test_client()
    assert client.get("/admin/stats").status_code in (302, 303)  # login first
    token = soup(client.get("/admin/login").data).select_one(
        'input[name="csrf_token"]')["value"]
    logged = client.post("/admin/login", data={"csrf_token": token, "password": PASSWORD},
                         headers={"Origin": "http://localhost"})
    assert logged.status_code == 303
    page = soup(client.get("/admin/stats").data)
    read = [[td.get_text(strip=True) for td in tr.select("td")]
            for tr in page.select("#most-read-table tbody tr")]
    liked = [[td.get_text(strip=True) for td in tr.select("td")]
             for tr in page.select("#most-liked-table tbody tr")]
    assert read == [["1", "Other", "3", "0"], ["2", "Hello", "1", "2"]]
    assert liked == [["1", "Hello", "1", "2"]]
    assert page.select_one('a[href="/admin/stats"]') is not None


def test_the_cli_lists_the_most_read_and_most_liked(app: Flask) -> None:
    _ranked(app)
    result = app.test_cli_runner().invoke(args=["site", "stats", "--limit", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Most read"
    assert lines[1].split() == ["1.", "3", "views", "0", "likes", OTHER, "Other"]
    assert lines[2].split() == ["2.", "1", "views", "2", "likes", HELLO, "Hello"]
    assert lines[3] == "Most liked"
    assert lines[4].split() == ["1.", "1", "views", "2", "likes", HELLO, "Hello"]
    assert len(lines) == 5
