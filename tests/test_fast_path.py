"""Cached pages answered before Flask (app/web/fast_path.py): same answer, never stale."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.web.fast_path import forget_cached_pages
from app.web.page_cache import VIEW_PREFIX, local
from app.web.security import HEADERS, content_security_policy
from app.web.style_hashes import style_hashes
from tests.conftest import make_app

POST = "/posts/the-rise-of-ai-generated-images/"
TOKEN = re.compile(rb'name="form_token" value="([^"]+)"')


@pytest.fixture
def site(tmp_path: Path, seed_dir: Path) -> tuple[Flask, list[str]]:
    """The seed imported; the list records every request that reached Flask's views."""
    app = make_app(tmp_path, COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0)
    result = app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    reached: list[str] = []

    @app.before_request
    def _count() -> None:
        from flask import request
        reached.append(request.path)

    return app, reached


def _without_token(body: bytes) -> bytes:
    return TOKEN.sub(b'name="form_token" value=""', body)


def test_a_second_get_is_answered_before_flask_with_the_same_page(
        site: tuple[Flask, list[str]]) -> None:
    app, reached = site
    client = app.test_client()
    first = client.get(POST)
    second = client.get(POST)
    assert first.status_code == second.status_code == 200
    assert reached == [POST]  # the second answer never reached Flask
    assert _without_token(first.data) == _without_token(second.data)
    assert second.headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(second.headers["Content-Length"]) == len(second.data)
    for name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
        assert second.headers[name] == first.headers[name], name
    for name, value in HEADERS.items():
        if name != "Content-Security-Policy":
            assert second.headers[name] == value, name
    # The page's own policy (its carousel's inline style allowed by hash), sent once.
    assert second.headers.getlist("Content-Security-Policy") == [
        content_security_policy(style_hashes(first.get_data(as_text=True)))]
    assert first.headers.getlist("Content-Security-Policy") == second.headers.getlist(
        "Content-Security-Policy")
    assert re.fullmatch(r"[0-9a-f]{32}", second.headers["X-Request-ID"])
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_the_fast_path_form_token_is_fresh_and_accepted(site: tuple[Flask, list[str]]) -> None:
    app, _ = site
    client = app.test_client()
    client.get(POST)
    page = client.get(POST)
    token = TOKEN.search(page.data).group(1).decode()
    posted = client.post("/comments", data={"url": POST, "text": "From a fast page.",
                                           "author": "Ann", "form_token": token},
                         headers={"Origin": "http://localhost"})
    assert posted.status_code == 303, posted.data[:300]
    assert "From a fast page." in client.get(posted.headers["Location"]).get_data(as_text=True)


def test_conditional_head_and_gzip_requests(site: tuple[Flask, list[str]]) -> None:
    app, reached = site
    client = app.test_client()
    etag = client.get(POST).headers["ETag"]
    again = client.get(POST, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    head = client.head(POST)
    assert head.status_code == 200 and head.data == b""
    zipped = client.get(POST, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert b"The Rise of AI-Generated Images" in gzip.decompress(zipped.data)
    assert reached == [POST]


def test_an_import_is_seen_on_the_next_request(site: tuple[Flask, list[str]],
                                               seed_dir: Path) -> None:
    app, reached = site
    client = app.test_client()
    assert b"A freshly added line" not in client.get(POST).data
    page = seed_dir / "posts" / "the-rise-of-ai-generated-images" / "index.md"
    page.write_text(page.read_text() + "\nA freshly added line.\n")
    runner: FlaskCliRunner = app.test_cli_runner()
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    assert b"A freshly added line" in client.get(POST).data
    assert reached == [POST, POST]


def test_requests_that_may_differ_go_to_flask(site: tuple[Flask, list[str]]) -> None:
    app, reached = site
    client: FlaskClient = app.test_client()
    client.get(POST)
    client.get(POST + "?utm_source=feed")
    client.get(POST, headers={"Host": "other.example"})
    client.set_cookie("comment_auth", "anything")
    client.get(POST)
    assert reached == [POST] * 4


def test_a_comment_from_this_browser_is_shown_to_it_not_served_from_the_fast_path(
        tmp_path: Path, seed_dir: Path) -> None:
    app = make_app(tmp_path, COMMENTS_MODERATION="all", COMMENTS_MIN_FILL_SECONDS=0)
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    author, stranger = app.test_client(), app.test_client()
    stranger.get(POST)
    page = author.get(POST)
    token = TOKEN.search(page.data).group(1).decode()
    posted = author.post("/comments", data={"url": POST, "text": "Awaiting a moderator.",
                                           "author": "Ann", "form_token": token},
                         headers={"Origin": "http://localhost"})
    assert posted.status_code == 303
    assert b"Awaiting a moderator." in author.get(POST).data
    assert b"Awaiting a moderator." not in stranger.get(POST).data


def test_forgotten_pages_are_built_again(site: tuple[Flask, list[str]]) -> None:
    """What the benchmarks of uncached views call between requests."""
    app, reached = site
    client = app.test_client()
    first = client.get(POST)
    with app.app_context():
        assert any(key.startswith(VIEW_PREFIX) for key in local().items)
    forget_cached_pages(app)
    with app.app_context():
        assert not any(key.startswith(VIEW_PREFIX) for key in local().items)
    again = client.get(POST)
    assert reached == [POST, POST]  # the fast path no longer had it
    assert again.status_code == 200
    assert _without_token(again.data) == _without_token(first.data)
    client.get(POST)
    assert reached == [POST, POST]  # and cached it again


def test_the_fast_path_can_be_turned_off(tmp_path: Path, seed_dir: Path) -> None:
    app = make_app(tmp_path, PAGE_FAST_PATH=False)
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    reached: list[str] = []
    app.before_request(lambda: reached.append("x"))
    client = app.test_client()
    assert client.get(POST).status_code == client.get(POST).status_code == 200
    assert reached == ["x", "x"]
