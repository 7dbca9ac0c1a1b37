"""Atom feeds of comments: the site's latest and each post's, published comments only."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db as _db
from app.models import Comment, Page
from app.services.comments import moderation
from app.services.comments.rules import CommentInput, CommentSettings
from app.services.comments.threads import create_comment, remove
from tests.conftest import write

POST = "/posts/the-rise-of-ai-generated-images/"
OTHER = "/posts/second-post/"
TITLE = "The Rise of AI-Generated Images: A Creative Revolution"
SECRET = "test-secret-key-that-is-long-enough-for-tests"
OPEN = CommentSettings(moderation="none", rate_limit=1000)
HELD = CommentSettings(moderation="all", rate_limit=1000)
ATOM = "application/atom+xml; charset=utf-8"


def _comment(text: str, url: str = POST, settings: CommentSettings = OPEN,
             author: str = "Reader", email: str | None = "reader@example.com",
             parent_id: int | None = None) -> Comment:
    entry = CommentInput(url, parent_id, author, email, "https://reader.example/", text, False)
    return create_comment(_db.session, entry, "198.51.100.7", SECRET, settings)


@pytest.fixture
def site(app: Flask, runner: FlaskCliRunner, seed_dir: Path) -> dict[str, int]:
    """Two posts and a draft, with comments of every kind."""
    write(seed_dir, "posts/second-post.md",
          '---\ntitle: "Second post"\ndate: 2023-09-02\n---\n\nBody two.\n')
    write(seed_dir, "posts/draft-post.md",
          '---\ntitle: "Draft"\ndate: 2023-09-03\ndraft: true\n---\n\nDraft.\n')
    write(seed_dir, "posts/quiet-post.md",
          '---\ntitle: "Quiet"\ndate: 2023-09-04\nshowComments: false\n---\n\nQuiet.\n')
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    with app.app_context():
        first = _comment("First, with a [link](https://example.org/) and *émphasis* ✓",
                         author='Zoë <b>"&</b>', email="zoe@private.example")
        reply = _comment("A reply to the first", parent_id=first.id, author="Bob",
                         email="bob@private.example")
        pending = _comment("PENDING-TEXT awaiting moderation", settings=HELD,
                           email="held@private.example")
        spam = _comment("SPAM-TEXT buy now", email="spam@private.example")
        moderation.moderate(_db.session, [spam.id], "spam")
        doomed = _comment("DELETED-TEXT soon gone", email="gone@private.example")
        _comment("Answer to the deleted one", parent_id=doomed.id, author="Carol", email=None)
        remove(_db.session, [doomed])
        other = _comment("On the second post", url=OTHER, author="Dan\x0bControl", email=None)
        _db.session.commit()
        return {"first": first.id, "reply": reply.id, "pending": pending.id,
                "spam": spam.id, "deleted": doomed.id, "other": other.id}


def _parse(client: FlaskClient, url: str) -> tuple[bytes, feedparser.FeedParserDict]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == ATOM
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return response.data, feed


def test_site_feed_lists_published_comments(client: FlaskClient, site: dict[str, int]) -> None:
    _raw, feed = _parse(client, "/comments.xml")
    assert feed.feed.title == "Recent comments on AI Images Blog"
    assert feed.feed.id == "http://localhost/comments.xml"
    links = [e.link for e in feed.entries]
    assert len(links) == 4  # first, reply, the deleted one's answer, other post
    assert f"http://localhost{POST}#comment-{site['first']}" in links
    assert f"http://localhost{OTHER}#comment-{site['other']}" in links
    for entry in feed.entries:
        assert entry.id.startswith("tag:localhost,")
        assert entry.title.startswith("Comment by ") and " on " in entry.title
        assert entry.published and entry.updated
    newest = feed.entries[0]
    assert newest.link.endswith(f"#comment-{site['other']}")
    assert newest.author == "DanControl"  # a control character cannot break the XML


def test_feeds_never_show_email_pending_spam_or_deleted(client: FlaskClient,
                                                        site: dict[str, int]) -> None:
    for url in ("/comments.xml", POST + "comments.xml"):
        raw, feed = _parse(client, url)
        text = raw.decode("utf-8")
        assert "@private.example" not in text and "@" not in text.replace("xmlns", "")
        for secret_text in ("PENDING-TEXT", "SPAM-TEXT", "DELETED-TEXT"):
            assert secret_text not in text
        links = {e.link.rsplit("#comment-", 1)[1] for e in feed.entries}
        assert not {str(site[k]) for k in ("pending", "spam", "deleted")} & links


def test_post_feed_escapes_and_sanitizes(client: FlaskClient, site: dict[str, int]) -> None:
    _raw, feed = _parse(client, POST + "comments.xml")
    assert feed.feed.title == f"Comments on {TITLE}"
    assert feed.feed.link == "http://localhost" + POST
    assert len(feed.entries) == 3
    first = next(e for e in feed.entries if e.link.endswith(f"#comment-{site['first']}"))
    assert first.title == f'Comment by Zoë <b>"&</b> on {TITLE}'
    assert first.author_detail.name == 'Zoë <b>"&</b>'
    assert first.author_detail.href == "https://reader.example/"
    content = first.content[0]
    assert content.type == "text/html"
    assert '<a href="https://example.org/" rel="nofollow ugc noopener">link</a>' in content.value
    assert "<em>émphasis</em> ✓" in content.value


def test_post_feed_only_for_published_posts(client: FlaskClient, site: dict[str, int]) -> None:
    assert client.get("/posts/no-such-post/comments.xml").status_code == 404
    assert client.get("/posts/draft-post/comments.xml").status_code == 404
    assert client.get("/posts/quiet-post/comments.xml").status_code == 404  # comments hidden
    assert client.get("/posts/comments.xml").status_code == 404  # a section, not a post
    missing = client.get("/posts/no-such-post/comments.xml")
    assert missing.mimetype == "text/html"
    _raw, feed = _parse(client, OTHER.rstrip("/") + "/comments.xml")
    assert [e.link for e in feed.entries] == [f"http://localhost{OTHER}#comment-{site['other']}"]


def test_empty_post_feed_is_valid(app: Flask, runner: FlaskCliRunner, seed_dir: Path,
                                  client: FlaskClient) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    _raw, feed = _parse(client, POST + "comments.xml")
    assert feed.entries == [] and feed.feed.updated


def test_site_feed_keeps_the_50_newest(app: Flask, client: FlaskClient,
                                       site: dict[str, int]) -> None:
    with app.app_context():
        page = _db.session.query(Page).filter_by(url_path=POST).one()
        start = datetime(2030, 1, 1)
        for n in range(55):
            _db.session.add(Comment(page_id=page.id, thread_url=POST, status="published",
                                    author=f"Bulk {n}", author_key="k", text_md=f"n{n}",
                                    text_html=f"<p>n{n}</p>",
                                    created_at=start + timedelta(minutes=n)))
        _db.session.commit()
    _raw, feed = _parse(client, "/comments.xml")
    assert len(feed.entries) == 50
    assert feed.entries[0].author == "Bulk 54" and feed.entries[-1].author == "Bulk 5"
    assert feed.feed.updated.startswith("2030-01-01T00:54:00")


def test_feed_revalidates_with_etag(client: FlaskClient, site: dict[str, int]) -> None:
    first = client.get("/comments.xml")
    assert first.headers.get("ETag")
    again = client.get("/comments.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_post_page_links_its_comment_feed(client: FlaskClient, site: dict[str, int]) -> None:
    html = client.get(POST).get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml" title="Comments" '
            f'href="{POST}comments.xml">') in html
    assert "application/atom+xml" not in client.get("/posts/quiet-post/").get_data(as_text=True)
