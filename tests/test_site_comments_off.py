"""A site-wide `[params.article] showComments = false` (hugo.toml, imported by the CLI) closes
comments everywhere at once: the post hides them, the API refuses new ones and the comment
feeds leave them out. A post's own front matter still overrides the site's default."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from tests.conftest import make_app, write
from tests.html import soup

POST = "/posts/hello/"
CHATTY = "/posts/chatty/"
HUGO_TOML = 'baseURL = "https://blog.example/"\ntitle = "Quiet site"\n'
COMMENTS_OFF = "[params.article]\n  showComments = false\n"


def _import(runner: FlaskCliRunner, root: Path) -> None:
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A Hugo site: one post following the site's default, one that asks for comments."""
    site = tmp_path / "site"
    write(site, "hugo.toml", HUGO_TOML)
    write(site, "content/posts/hello.md",
          "---\ntitle: Hello\ndate: 2024-01-02\n---\nSome words.\n")
    write(site, "content/posts/chatty.md",
          "---\ntitle: Chatty\ndate: 2024-01-03\nshowComments: true\n---\nTalk to me.\n")
    return site


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0,
                    COMMENTS_RATE_LIMIT=1000)


def _post_comment(client: FlaskClient, url: str, text: str) -> TestResponse:
    thread = client.get("/api/comments", query_string={"url": url})
    assert thread.status_code == 200, thread.data
    return client.post("/api/comments", json={"url": url, "text": text, "author": "Ann",
                                              "form_token": thread.get_json()["form_token"]})


def _feed_texts(client: FlaskClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return [entry.content[0].value for entry in feedparser.parse(response.data).entries]


def test_site_wide_show_comments_false_closes_page_api_and_feeds(
        app: Flask, runner: FlaskCliRunner, root: Path) -> None:
    client = app.test_client()
    _import(runner, root)
    # Comments are on by default: the post shows them, takes one and lists it.
    assert soup(client.get(POST).get_data(as_text=True)).select_one("#comments") is not None
    assert _post_comment(client, POST, "BEFORE-TEXT said while open").status_code == 201
    assert any("BEFORE-TEXT" in text for text in _feed_texts(client, "/comments.xml"))
    assert client.get(POST + "comments.xml").status_code == 200

    write(root, "hugo.toml", HUGO_TOML + COMMENTS_OFF)
    _import(runner, root)

    page = soup(client.get(POST).get_data(as_text=True))
    assert page.select_one("#comments") is None and page.select_one("#comment-form") is None
    assert page.select_one('link[type="application/atom+xml"]') is None
    refused = _post_comment(client, POST, "AFTER-TEXT said while closed")
    assert refused.status_code == 403 and refused.mimetype == "application/json"
    assert refused.get_json()["code"] == "closed"
    assert refused.get_json()["error"] == "comments are closed on this post"
    assert not any("BEFORE-TEXT" in text or "AFTER-TEXT" in text
                   for text in _feed_texts(client, "/comments.xml"))
    assert client.get(POST + "comments.xml").status_code == 404
    thread = client.get("/api/comments", query_string={"url": POST}).get_json()
    assert thread["closed"] is True and thread["count"] == 0 and thread["comments"] == []

    # A post whose front matter says showComments: true keeps its comments.
    assert soup(client.get(CHATTY).get_data(as_text=True)).select_one("#comments") is not None
    assert _post_comment(client, CHATTY, "CHATTY-TEXT still welcome").status_code == 201
    assert any("CHATTY-TEXT" in text for text in _feed_texts(client, "/comments.xml"))
    assert any("CHATTY-TEXT" in text for text in _feed_texts(client, CHATTY + "comments.xml"))
    thread = client.get("/api/comments", query_string={"url": CHATTY}).get_json()
    assert thread["closed"] is False and thread["count"] == 1
