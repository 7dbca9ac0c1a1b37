"""The comments JSON API and plain form, rule by rule, through the Flask test client.

Every test runs a real app on a fresh database with the seed article and a few extra posts
imported by the CLI. Every response under /api/ is checked against the OpenAPI document the
app serves (status documented, JSON body valid against its schema), as Schemathesis would.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.comments.openapi import OPENAPI
from app.extensions import db
from app.models import Comment
from app.services.comments import moderation
from app.services.comments import tokens as comment_tokens
from app.services.comments.rules import CommentSettings
from app.services.site.queries import utcnow
from tests.conftest import make_app, write
from tests.html import soup

POST = "/posts/the-rise-of-ai-generated-images/"
SECOND = "/posts/second-post/"
DRAFT = "/posts/draft-post/"
NO_COMMENTS = "/posts/no-comments/"
TAG = "/tags/ai/"
ORIGIN = "http://localhost"
SECRET = "test-secret-key-that-is-long-enough-for-tests"  # tests.conftest.make_app's key
BASE = {"COMMENTS_MODERATION": "none", "COMMENTS_MIN_FILL_SECONDS": 0,
        "COMMENTS_RATE_LIMIT": 1000}
LIMITS = CommentSettings()


# -- OpenAPI conformance of every /api/ response ---------------------------------------------


def _operation(method: str, path: str) -> dict[str, Any] | None:
    for template, item in OPENAPI["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = OPENAPI
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Validation errors of instance against a schema of the OpenAPI document."""
    root = {**schema, "components": OPENAPI["components"]}  # so "#/components/..." resolves
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def check_openapi(method: str, path: str, response: TestResponse) -> None:
    """The response is documented for this operation and its body matches the schema."""
    operation = _operation(method, path)
    assert operation is not None, f"{method} {path} is not in the OpenAPI document"
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{method} {path} answered {status}, not documented: {response.data[:300]!r}")
    documented = _resolve(operation["responses"][status])
    assert response.mimetype == "application/json", response.data[:200]
    schema = documented["content"]["application/json"]["schema"]
    errors = schema_errors(schema, response.get_json())
    assert not errors, f"{method} {path} {status} does not match its schema: {errors}"


# -- a site, and clients that remember their cookies -----------------------------------------


class Client:
    """A browser: its own cookies and network address; checks every API answer."""

    def __init__(self, site: Site, ip: str = "127.0.0.1") -> None:
        self.site = site
        self.http: FlaskClient = site.app.test_client()
        self.http.environ_base["REMOTE_ADDR"] = ip

    def open(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        response = self.http.open(path, method=method, **kwargs)
        if path.startswith("/api/"):
            check_openapi(method, path.split("?")[0], response)
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def thread(self, url: str = POST) -> dict[str, Any]:
        response = self.get("/api/comments", query_string={"url": url})
        assert response.status_code == 200, response.data
        return response.get_json()

    def token(self, url: str = POST) -> str:
        return self.thread(url)["form_token"]

    def comment(self, text: str, url: str = POST, **fields: Any) -> TestResponse:
        """POST /api/comments with a fresh form token unless one is given."""
        body = {"url": url, "text": text, **fields}
        if "form_token" not in body:
            body["form_token"] = self.token(url if str(url).startswith("/posts/") else POST)
        return self.open("POST", "/api/comments", json=body)

    def new(self, text: str, url: str = POST, **fields: Any) -> dict[str, Any]:
        """Post a comment that must be accepted; its JSON."""
        response = self.comment(text, url, **fields)
        assert response.status_code in (201, 202), response.get_json()
        return response.get_json()["comment"]

    def edit(self, comment_id: int, text: str) -> TestResponse:
        return self.open("PATCH", f"/api/comments/{comment_id}", json={"text": text})

    def delete(self, comment_id: int) -> TestResponse:
        return self.open("DELETE", f"/api/comments/{comment_id}")

    def page(self, url: str = POST) -> str:
        response = self.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def form(self, data: dict[str, Any], headers: dict[str, str] | None = None) -> TestResponse:
        return self.http.post("/comments", data=data, headers=headers or {})


class Site:
    """An app on its own database with the content imported."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def client(self, ip: str = "127.0.0.1") -> Client:
        return Client(self, ip)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.app.app_context():
            yield db.session

    def row(self, comment_id: int) -> Comment | None:
        with self.session() as session:
            comment = session.get(Comment, comment_id)
            if comment is not None:
                session.expunge(comment)
            return comment

    def moderate(self, ids: list[int], action: str) -> None:
        with self.session() as session:
            assert moderation.moderate(session, ids, action) == len(ids)

    def age(self, comment_id: int, seconds: float) -> None:
        """Make a comment look `seconds` old."""
        with self.session() as session:
            session.execute(update(Comment).where(Comment.id == comment_id).values(
                created_at=utcnow() - timedelta(seconds=seconds)))
            session.commit()


@pytest.fixture
def content(seed_dir: Path) -> Path:
    """The seed article plus a second post, a draft and a post with comments turned off."""
    write(seed_dir, "posts/second-post/index.md",
          "---\ntitle: Second post\ndate: 2023-09-01\ntags: [AI]\n---\nSecond body.\n")
    write(seed_dir, "posts/draft-post/index.md",
          "---\ntitle: Draft post\ndate: 2023-09-02\ndraft: true\n---\nNot yet.\n")
    write(seed_dir, "posts/no-comments/index.md",
          "---\ntitle: Quiet post\ndate: 2023-09-03\nshowComments: false\n---\nQuiet.\n")
    return seed_dir


@pytest.fixture
def make_site(tmp_path: Path, content: Path) -> Iterator[Callable[..., Site]]:
    made: list[Site] = []

    def make(**overrides: Any) -> Site:
        app = make_app(tmp_path, **{**BASE, **overrides})
        result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
        assert result.exit_code == 0, result.output
        made.append(Site(app))
        return made[-1]

    yield make
    for site in made:
        with site.app.app_context():
            db.engine.dispose()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


@pytest.fixture
def alice(site: Site) -> Client:
    return site.client()


def error_of(response: TestResponse, status: int, field: str | None = None,
             code: str | None = None) -> dict[str, Any]:
    """Assert a JSON error with this status (and field, code); return its body."""
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert body.get("field") == field, body
    if code is not None:
        assert body["code"] == code, body
    return body


# -- threads belong to real posts ------------------------------------------------------------


def test_a_new_thread_is_empty_with_a_form_token(alice: Client) -> None:
    response = alice.get("/api/comments", query_string={"url": POST})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["url"] == POST and body["closed"] is False and body["count"] == 0
    assert body["comments"] == [] and body["form_token"]
    # The trailing slash is optional.
    assert alice.thread(POST.rstrip("/"))["url"] == POST


@pytest.mark.parametrize("url", ["/no/such/post/", DRAFT, TAG, "/tags/", "/posts/", "/",
                                 "posts/the-rise-of-ai-generated-images/"])
def test_only_a_published_post_has_a_thread(alice: Client, url: str) -> None:
    error_of(alice.get("/api/comments", query_string={"url": url}), 404, "url", "not_found")
    token = alice.token()
    error_of(alice.comment("Hello there", url=url, form_token=token), 404, "url", "not_found")


def test_the_url_is_required(alice: Client) -> None:
    error_of(alice.get("/api/comments"), 404, "url", "not_found")
    error_of(alice.open("POST", "/api/comments", json={"text": "Hello", "form_token": "x"}),
             400, "url", "required")


# -- moderation: 201 published, 202 held -----------------------------------------------------


def test_moderation_none_publishes_at_once(alice: Client) -> None:
    response = alice.comment("Published at once", email="a@example.org")
    assert response.status_code == 201
    comment = response.get_json()["comment"]
    assert comment["status"] == "published" and comment["own"] is True
    assert comment["author"] == "Anonymous" and comment["depth"] == 0
    assert comment["text"] == "Published at once"
    assert "comment_auth=" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


def test_moderation_all_holds_everything(make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_MODERATION="all")
    alice = site.client()
    first = alice.comment("First, held", email="a@example.org")
    assert first.status_code == 202
    assert first.get_json()["comment"]["status"] == "pending"
    site.moderate([first.get_json()["comment"]["id"]], "approve")
    assert alice.comment("Second, held too", email="a@example.org").status_code == 202


def test_moderation_first_holds_only_an_authors_first_comment(
        make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_MODERATION="first")
    alice, bob = site.client(), site.client()
    first = alice.comment("My first comment", email="alice@example.org", author="Alice")
    assert first.status_code == 202
    first_id = first.get_json()["comment"]["id"]
    # Still held: another comment before approval is held as well.
    assert alice.comment("Another one", email="alice@example.org").status_code == 202
    site.moderate([first_id], "approve")
    later = alice.comment("After approval", email="ALICE@example.org", author="Alice")
    assert later.status_code == 201
    assert later.get_json()["comment"]["status"] == "published"
    # Someone else's first comment is held; so is an anonymous one.
    assert bob.comment("Bob's first", email="bob@example.org").status_code == 202
    assert bob.comment("Anonymous first", author="Carol").status_code == 202


def test_default_moderation_is_first(tmp_path: Path, content: Path) -> None:
    app = make_app(tmp_path, COMMENTS_MIN_FILL_SECONDS=0)
    assert app.test_cli_runner().invoke(args=["content", "import", str(content)]).exit_code == 0
    client = Client(Site(app))
    assert client.comment("Held by default", email="x@example.org").status_code == 202
    with app.app_context():
        db.engine.dispose()


def test_a_held_comment_is_seen_by_its_author_only(make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_MODERATION="all")
    author, stranger = site.client(), site.client()
    stranger.page(POST)  # the shared page is cached before the comment exists
    held = author.new("Waiting for the moderator", author="Alice")
    assert held["status"] == "pending"

    mine = author.thread()
    assert [c["id"] for c in mine["comments"]] == [held["id"]]
    assert mine["comments"][0]["status"] == "pending" and mine["comments"][0]["own"] is True
    assert mine["count"] == 0  # held comments are not counted
    assert stranger.thread()["comments"] == []

    response = author.get(POST)
    assert response.headers["Cache-Control"] == "private, no-store"
    item = soup(response.data).select_one(f"#comment-{held['id']}")
    assert item is not None and "is-pending" in item["class"]
    assert "Awaiting moderation" in item.get_text()
    assert "Waiting for the moderator" in item.get_text()

    page = stranger.page(POST)
    assert f'id="comment-{held["id"]}"' not in page
    assert "Waiting for the moderator" not in page and "Awaiting moderation" not in page

    site.moderate([held["id"]], "approve")
    assert [c["id"] for c in stranger.thread()["comments"]] == [held["id"]]
    assert "Waiting for the moderator" in stranger.page(POST)


def test_a_comment_marked_as_spam_is_hidden_from_everyone(make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_MODERATION="all")
    author = site.client()
    held = author.new("Buy cheap things")
    site.moderate([held["id"]], "spam")
    assert author.thread()["comments"] == []
    assert "Buy cheap things" not in author.page(POST)


# -- threading, depth cap, order -------------------------------------------------------------


def test_replies_nest_and_deeper_replies_attach_at_the_last_level(alice: Client) -> None:
    top = alice.new("Level 0")
    one = alice.new("Level 1", parent_id=top["id"])
    two = alice.new("Level 2", parent_id=one["id"])
    deeper = alice.new("Reply to level 2", parent_id=two["id"])
    assert (top["depth"], one["depth"], two["depth"]) == (0, 1, 2)
    assert deeper["depth"] == 2
    assert deeper["parent_id"] == one["id"]  # attached beside the comment it answers
    assert deeper["reply_to_id"] == two["id"]  # and it remembers which one it answers
    assert two["reply_to_id"] == two["parent_id"] == one["id"]

    tree = alice.thread()["comments"]
    assert [c["id"] for c in tree] == [top["id"]]
    assert [c["id"] for c in tree[0]["replies"]] == [one["id"]]
    assert [c["id"] for c in tree[0]["replies"][0]["replies"]] == [two["id"], deeper["id"]]
    assert tree[0]["replies"][0]["replies"][1]["replies"] == []

    page = soup(alice.page())
    item = page.select_one(f"#comment-{deeper['id']}")
    assert item["data-depth"] == "2"
    assert item.find_parent("li")["id"] == f"comment-{one['id']}"
    assert page.select_one(f"#comment-{top['id']}").find_parent("li") is None


def test_the_depth_limit_is_a_setting(make_site: Callable[..., Site]) -> None:
    alice = make_site(COMMENTS_MAX_DEPTH=2).client()
    top = alice.new("Level 0")
    one = alice.new("Level 1", parent_id=top["id"])
    two = alice.new("Reply to level 1", parent_id=one["id"])
    assert (one["depth"], two["depth"]) == (1, 1)
    assert two["parent_id"] == top["id"] and two["reply_to_id"] == one["id"]


def test_a_depth_limit_of_one_makes_a_flat_thread(make_site: Callable[..., Site]) -> None:
    alice = make_site(COMMENTS_MAX_DEPTH=1).client()
    top = alice.new("Flat thread")
    reply = alice.new("A reply becomes a sibling", parent_id=top["id"])
    assert reply["reply_to_id"] == top["id"]
    assert reply["depth"] == 0 and reply["parent_id"] is None
    assert [n["id"] for n in alice.thread()["comments"]] == [top["id"], reply["id"]]


def test_comments_are_sorted_oldest_first_at_every_level(site: Site, alice: Client) -> None:
    a = alice.new("Posted first")
    b = alice.new("Posted second")
    c = alice.new("Posted third")
    r1 = alice.new("Reply one", parent_id=a["id"])
    r2 = alice.new("Reply two", parent_id=a["id"])
    # Make the first of each level the newest: order follows the time, not the id.
    site.age(b["id"], 300)
    site.age(c["id"], 200)
    site.age(a["id"], 100)
    site.age(r2["id"], 50)
    site.age(r1["id"], 10)
    tree = alice.thread()["comments"]
    assert [n["id"] for n in tree] == [b["id"], c["id"], a["id"]]
    assert [n["id"] for n in tree[2]["replies"]] == [r2["id"], r1["id"]]
    page = soup(site.client().page())
    assert [li["id"] for li in page.select("ol.comment-list > li")] == [
        f"comment-{b['id']}", f"comment-{c['id']}", f"comment-{a['id']}"]


def test_a_reply_needs_a_published_comment_of_the_same_post(make_site: Callable[..., Site]
                                                           ) -> None:
    site = make_site(COMMENTS_MODERATION="first")
    alice = site.client()
    held = alice.new("Held first comment", email="new@example.org")
    assert held["status"] == "pending"
    error_of(alice.comment("Reply to a held one", parent_id=held["id"]), 400, "parent_id",
             "bad_parent")
    site.moderate([held["id"]], "approve")
    elsewhere = alice.new("On the second post", url=SECOND, email="new@example.org")
    error_of(alice.comment("Reply across posts", parent_id=elsewhere["id"]), 400, "parent_id",
             "bad_parent")
    error_of(alice.comment("Reply to nothing", parent_id=999_999), 400, "parent_id")
    for bad in ("abc", "1.5x", [1], {"id": 1}):
        error_of(alice.comment("Bad parent", parent_id=bad), 400, "parent_id")
    assert alice.comment("Fine reply", parent_id=str(held["id"])).status_code in (201, 202)


# -- counts ----------------------------------------------------------------------------------


def test_counts_endpoint_and_the_counts_on_home_and_tag_pages(site: Site, alice: Client
                                                             ) -> None:
    reader = site.client()
    home_before = soup(reader.page("/"))
    assert home_before.select_one(f'a.card-comments[href="{POST}#comments"]').get_text() == (
        "0 comments")
    alice.new("One")
    kept = alice.new("Two")
    alice.new("Reply", parent_id=kept["id"])
    gone = alice.new("Three, deleted")
    assert alice.delete(gone["id"]).status_code == 200
    alice.new("On the second post", url=SECOND)

    response = alice.get("/api/comments/counts",
                         query_string={"url": [POST, SECOND.rstrip("/"), DRAFT, "/nope/"]})
    assert response.status_code == 200
    assert response.get_json() == {"counts": {POST: 3, SECOND.rstrip("/"): 1, DRAFT: 0,
                                              "/nope/": 0}}
    assert alice.get("/api/comments/counts").get_json() == {"counts": {}}
    assert alice.thread()["count"] == 3

    for listing in ("/", TAG):
        cards = soup(reader.page(listing))
        assert cards.select_one(f'a.card-comments[href="{POST}#comments"]').get_text() == (
            "3 comments"), listing
        assert cards.select_one(f'a.card-comments[href="{SECOND}#comments"]').get_text() == (
            "1 comment"), listing
    post_page = soup(reader.page(POST))
    assert post_page.select_one("#comments-title .comment-count").get_text() == "(3)"


def test_counts_take_at_most_100_urls(alice: Client) -> None:
    urls = [f"/p{n}/" for n in range(150)]
    counts = alice.get("/api/comments/counts", query_string={"url": urls}).get_json()["counts"]
    assert len(counts) == 100


# -- Markdown subset and sanitization --------------------------------------------------------

MARKDOWN = """*emphasis* and **strong** and ~~struck~~ and `code`

- one
- two

1. first
2. second

> quoted

```
fenced <b>block</b>
```

[a link](https://example.org/page)"""

ATTACKS = """<script>alert(1)</script>

<img src=x onerror=alert(2)>

[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=)

<a href="javascript:alert(4)" onclick="alert(5)">raw</a> <iframe src="https://evil.example"></iframe>

<svg onload=alert(6)></svg> <style>body{display:none}</style>"""


def _assert_safe(html: str) -> None:
    tree = soup(html)
    assert not tree.find(["script", "img", "iframe", "svg", "style", "object", "embed"])
    for tag in tree.find_all(True):
        assert not any(name.lower().startswith("on") for name in tag.attrs), tag
        assert set(tag.attrs) <= {"href", "rel"}, tag
    for link in tree.find_all("a"):
        assert link.get("rel") == ["nofollow", "ugc", "noopener"], link
        if link.get("href"):
            assert re.match(r"^(https?:|mailto:)", link["href"]), link


def test_markdown_subset_is_rendered_once_and_stored_with_its_source(site: Site,
                                                                     alice: Client) -> None:
    comment = alice.new(MARKDOWN)
    tree = soup(comment["html"])
    assert tree.select_one("p em").get_text() == "emphasis"
    assert tree.select_one("p strong").get_text() == "strong"
    assert tree.select_one("p del").get_text() == "struck"
    assert tree.select_one("p code").get_text() == "code"
    assert [li.get_text() for li in tree.select("ul > li")] == ["one", "two"]
    assert [li.get_text() for li in tree.select("ol > li")] == ["first", "second"]
    assert tree.select_one("blockquote p").get_text() == "quoted"
    assert tree.select_one("pre code").get_text() == "fenced <b>block</b>\n"
    link = tree.select_one('a[href="https://example.org/page"]')
    assert link.get_text() == "a link" and link["rel"] == ["nofollow", "ugc", "noopener"]
    _assert_safe(comment["html"])
    row = site.row(comment["id"])
    assert row.text_md == MARKDOWN and row.text_html == comment["html"]
    preview = alice.open("POST", "/api/comments/preview", json={"text": MARKDOWN})
    assert preview.status_code == 200 and preview.get_json()["html"] == comment["html"]
    assert comment["html"] in alice.page()


def test_html_and_script_urls_are_neutralised(site: Site, alice: Client) -> None:
    comment = alice.new(ATTACKS, website="https://ok.example.org")
    _assert_safe(comment["html"])
    assert "&lt;script&gt;" in comment["html"]  # shown as text, not run
    preview = alice.open("POST", "/api/comments/preview", json={"text": ATTACKS})
    _assert_safe(preview.get_json()["html"])
    page = soup(site.client().page())
    item = page.select_one(f"#comment-{comment['id']}")
    _assert_safe(item.select_one(".comment-body").decode_contents())
    author_link = item.select_one(".comment-author a")
    assert author_link["href"] == "https://ok.example.org"
    assert author_link["rel"] == ["nofollow", "ugc", "noopener"]
    assert not page.find("script", string=re.compile("alert"))


def test_author_name_is_escaped_on_the_page(site: Site, alice: Client) -> None:
    comment = alice.new("Hello", author='<img src=x onerror=alert(1)>"Bob"')
    assert comment["author"] == '<img src=x onerror=alert(1)>"Bob"'  # stored raw, JSON-safe
    item = soup(site.client().page()).select_one(f"#comment-{comment['id']}")
    assert item.find("img") is None
    assert item.select_one(".comment-author").get_text() == '<img src=x onerror=alert(1)>"Bob"'


# -- fields: every limit names its field -----------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"author": "a" * (LIMITS.max_author + 1)}, "author"),
    ({"author": 42}, "author"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@localhost"}, "email"),
    ({"email": "a b@example.org"}, "email"),
    ({"email": "@example.org"}, "email"),
    ({"email": "a@" + "b" * 250 + ".org"}, "email"),
    *[({"website": bad}, "website")
      for bad in ("javascript:alert(1)", "data:text/html,hi", "https://example.org:notaport/")],
    ({"website": "ftp://example.org/"}, "website"),
    ({"website": "http://"}, "website"),
    ({"website": "https:///path"}, "website"),
    ({"website": 'https://example.org/"onmouseover="x'}, "website"),
    ({"website": "w" * (LIMITS.max_website + 1)}, "website"),
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "x"}, "text"),
    ({"text": "x" * (LIMITS.max_text + 1)}, "text"),
    ({"text": 12345}, "text"),
    ({"text": "nul\x00byte"}, "text"),
    ({"url": 5}, "url"),
    ({"parent_id": "abc"}, "parent_id"),
    ({"form_token": ""}, "form_token"),
    ({"form_token": 7}, "form_token"),
])
def test_each_limit_gives_a_json_error_naming_the_field(alice: Client, fields: dict[str, Any],
                                                        field: str) -> None:
    body = {"text": "A valid comment", **fields}
    error_of(alice.comment(**body), 400, field)


def test_values_at_the_limits_are_accepted(alice: Client) -> None:
    comment = alice.new("x" * LIMITS.max_text, author="a" * LIMITS.max_author,
                        email="someone@example.org", website="example.org/about")
    assert len(comment["text"]) == LIMITS.max_text
    assert comment["author"] == "a" * LIMITS.max_author
    assert comment["website"] == "https://example.org/about"
    assert alice.new("ok", author="", email="", website="")["author"] == "Anonymous"


def test_a_website_near_the_limit_still_fits_its_column(site: Site, alice: Client) -> None:
    """https:// is added to a bare host: the stored value must still fit its column (500)."""
    bare_max = "w" * (LIMITS.max_website - len("https://") - 4) + ".org"
    assert alice.new("Longest bare address", website=bare_max)["website"] == "https://" + bare_max
    website = "w" * (LIMITS.max_website - 4) + ".org"  # exactly the limit, without a scheme
    response = alice.comment("Long address", website=website)
    if response.status_code == 400:
        error_of(response, 400, "website")
    else:
        assert response.status_code == 201
        assert len(site.row(response.get_json()["comment"]["id"]).website) <= 500


def test_the_honeypot_must_stay_empty(alice: Client) -> None:
    error_of(alice.comment("I am a bot", homepage="https://spam.example"), 400, "homepage",
             "honeypot")
    assert alice.comment("I am human", homepage="").status_code == 201


def test_a_form_sent_too_fast_is_refused(make_site: Callable[..., Site],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(COMMENTS_MIN_FILL_SECONDS=3)
    alice = site.client()
    token = alice.token()
    error_of(alice.comment("Too quick", form_token=token), 400, "form_token", "too_fast")
    later = time.time() + 3.5
    monkeypatch.setattr(comment_tokens, "time", SimpleNamespace(time=lambda: later))
    assert alice.comment("Patient enough", form_token=token).status_code == 201


def test_forged_stale_and_foreign_form_tokens_are_refused(site: Site, alice: Client) -> None:
    error_of(alice.comment("Forged", form_token="not-a-token"), 400, "form_token")
    real_id = int(alice.token().split(".")[0])
    other_key = comment_tokens.form_token("another-secret-that-is-long-enough-too", real_id)
    error_of(alice.comment("Other key", form_token=other_key), 400, "form_token")
    tampered = alice.token().rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAAAA"
    error_of(alice.comment("Tampered", form_token=tampered), 400, "form_token")
    error_of(alice.comment("Token of another post", form_token=alice.token(SECOND)), 400,
             "form_token")
    old = time.time() - comment_tokens.FORM_TOKEN_MAX_AGE - 10
    stale = comment_tokens.form_token(SECRET, real_id, now=old)
    error_of(alice.comment("Stale", form_token=stale), 400, "form_token", "expired")
    fresh = comment_tokens.form_token(SECRET, real_id, now=time.time() - 60)
    assert alice.comment("Signed right", form_token=fresh).status_code == 201


def test_too_many_links_are_refused(alice: Client) -> None:
    three = " ".join(f"[l{n}](https://example.org/{n})" for n in range(LIMITS.max_links))
    assert alice.comment(three).status_code == 201
    error_of(alice.comment(three + " and https://bare.example.org"), 400, "text",
             "too_many_links")
    comment = alice.new("Only text so far")
    error_of(alice.edit(comment["id"], three + " [one more](https://x.example)"), 400, "text",
             "too_many_links")


def test_the_link_limit_is_a_setting(make_site: Callable[..., Site]) -> None:
    alice = make_site(COMMENTS_MAX_LINKS=0).client()
    error_of(alice.comment("see https://example.org"), 400, "text", "too_many_links")


def test_a_body_over_64_kib_is_a_json_413(alice: Client) -> None:
    body = {"url": POST, "text": "hello", "form_token": alice.token(),
            "padding": "x" * LIMITS.max_body}
    error_of(alice.open("POST", "/api/comments", json=body), 413, None, "too_large")
    error_of(alice.open("POST", "/api/comments/preview", json={"text": "x" * 70_000}), 413)
    comment = alice.new("Short")
    error_of(alice.open("PATCH", f"/api/comments/{comment['id']}",
                        json={"text": "x" * 70_000}), 413)
    # Over the app-wide MAX_CONTENT_LENGTH too: still JSON.
    huge = json.dumps({"text": "x" * (2 * 1024 * 1024)})
    error_of(alice.open("POST", "/api/comments", data=huge,
                        content_type="application/json"), 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_a_body_that_is_not_json_is_a_415(alice: Client, content_type: str | None) -> None:
    data = json.dumps({"url": POST, "text": "hello", "form_token": alice.token()})
    kwargs: dict[str, Any] = {"data": data}
    if content_type:
        kwargs["content_type"] = content_type
    error_of(alice.open("POST", "/api/comments", **kwargs), 415, None, "unsupported_media")
    error_of(alice.open("POST", "/api/comments/preview", **kwargs), 415)
    comment = alice.new("Editable")
    error_of(alice.open("PATCH", f"/api/comments/{comment['id']}", **kwargs), 415)


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "null", "{bad json", "\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_400(alice: Client, data: str) -> None:
    error_of(alice.open("POST", "/api/comments", data=data, content_type="application/json"),
             400, None, "bad_json")
    error_of(alice.open("POST", "/api/comments/preview", data=data,
                        content_type="application/json"), 400)


def test_preview_checks_its_text(alice: Client) -> None:
    error_of(alice.open("POST", "/api/comments/preview", json={"text": 5}), 400, "text")
    error_of(alice.open("POST", "/api/comments/preview", json={}), 400, "text")
    error_of(alice.open("POST", "/api/comments/preview",
                        json={"text": "x" * (LIMITS.max_text + 1)}), 400, "text")


def test_the_same_text_twice_is_a_409(alice: Client) -> None:
    first = alice.comment("Exactly this", author="Al")
    assert first.status_code == 201
    error_of(alice.comment("Exactly this", author="Al"), 409, "text", "duplicate")
    assert alice.comment("Exactly this", url=SECOND, author="Al").status_code == 201


def test_a_closed_post_refuses_comments_with_403(site: Site, alice: Client) -> None:
    kept = alice.new("Before closing")
    with site.session() as session:
        moderation.set_closed(session, POST, True)
    assert alice.thread()["closed"] is True
    error_of(alice.comment("After closing"), 403, None, "closed")
    error_of(alice.comment("A reply", parent_id=kept["id"]), 403, None, "closed")
    page = soup(site.client().page())
    assert page.select_one(".comments-closed") is not None
    assert page.select_one("#comment-form") is None
    # showComments: false in the front matter closes a post too.
    error_of(alice.comment("Quiet please", url=NO_COMMENTS), 403, None, "closed")


# -- rate limit ------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_after_the_allowed_number(
        make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_RATE_LIMIT=3, COMMENTS_RATE_WINDOW=3600)
    alice, neighbour, stranger = site.client(), site.client("127.0.0.9"), site.client("10.1.2.3")
    # Refused comments do not use up the allowance.
    error_of(alice.comment("x"), 400, "text")
    error_of(alice.comment("Bot", homepage="y"), 400, "homepage")
    for n in range(3):
        assert alice.comment(f"Allowed {n}").status_code == 201
    error_of(alice.comment("One too many"), 429, None, "rate_limited")
    # The limit is per network (/24): a neighbour shares it, another network does not.
    error_of(neighbour.comment("Same network"), 429, None, "rate_limited")
    assert stranger.comment("Other network").status_code == 201
    with site.session() as session:
        assert session.query(Comment).count() == 4


# -- editing and deleting your own comment ---------------------------------------------------


def test_the_author_edits_within_the_window(site: Site, alice: Client) -> None:
    comment = alice.new("Frist!")
    response = alice.edit(comment["id"], "  First, *really*  ")
    assert response.status_code == 200
    edited = response.get_json()["comment"]
    assert edited["text"] == "First, *really*"
    assert edited["html"] == "<p>First, <em>really</em></p>"
    assert edited["updated_at"] is not None
    row = site.row(comment["id"])
    assert row.text_md == "First, *really*" and row.updated_at is not None
    assert "(edited)" in alice.page()
    error_of(alice.edit(comment["id"], "x"), 400, "text")
    error_of(alice.edit(comment["id"], "x" * (LIMITS.max_text + 1)), 400, "text")
    error_of(alice.open("PATCH", f"/api/comments/{comment['id']}", json={"txt": "hi"}), 400,
             "text")


def test_without_the_cookie_nobody_edits_or_deletes(site: Site, alice: Client) -> None:
    comment = alice.new("Mine")
    for other in (site.client(), site.client("10.9.9.9")):
        error_of(other.edit(comment["id"], "Hijacked"), 403, None, "forbidden")
        error_of(other.delete(comment["id"]), 403, None, "forbidden")
    forged = site.client()
    forged.http.set_cookie("comment_auth", "WzEsMiwzXQ.forged")
    error_of(forged.edit(comment["id"], "Hijacked"), 403)
    # Bob's own cookie does not cover Alice's comment.
    bob = site.client()
    bob.new("Bob's")
    error_of(bob.edit(comment["id"], "Hijacked"), 403, None, "forbidden")
    assert site.row(comment["id"]).text_md == "Mine"
    error_of(alice.edit(987_654, "Nothing"), 404, None, "not_found")
    error_of(alice.delete(987_654), 404, None, "not_found")


def test_after_the_window_the_author_cannot_edit_or_delete(site: Site, alice: Client) -> None:
    comment = alice.new("Old news")
    site.age(comment["id"], LIMITS.edit_window + 5)
    error_of(alice.edit(comment["id"], "Changed"), 403, None, "expired")
    error_of(alice.delete(comment["id"]), 403, None, "expired")
    assert site.row(comment["id"]).text_md == "Old news"


def test_the_edit_window_is_a_setting(make_site: Callable[..., Site]) -> None:
    site = make_site(COMMENTS_EDIT_WINDOW=1)
    alice = site.client()
    comment = alice.new("Quick")
    assert alice.edit(comment["id"], "Quick edit").status_code == 200
    time.sleep(1.2)
    error_of(alice.edit(comment["id"], "Too late"), 403, None, "expired")
    error_of(alice.delete(comment["id"]), 403, None, "expired")


def test_deleting_a_leaf_removes_it(site: Site, alice: Client) -> None:
    comment = alice.new("Regret")
    response = alice.delete(comment["id"])
    assert response.status_code == 200
    assert response.get_json() == {"deleted": True, "comment": None}
    assert site.row(comment["id"]) is None
    assert alice.thread()["comments"] == []
    error_of(alice.delete(comment["id"]), 404)


def test_deleting_a_comment_with_replies_leaves_a_marker(site: Site, alice: Client) -> None:
    bob = site.client()
    top = alice.new("I will vanish", author="Alice", email="alice@example.org",
                    website="https://alice.example")
    reply = bob.new("But my reply stays", parent_id=top["id"], author="Bob")
    response = alice.delete(top["id"])
    assert response.status_code == 200
    marker = response.get_json()["comment"]
    assert marker["deleted"] is True and marker["id"] == top["id"]
    assert marker["author"] is None and marker["website"] is None
    assert marker["html"] == "" and marker["avatar"] is None and "text" not in marker

    tree = bob.thread()["comments"]
    assert [n["id"] for n in tree] == [top["id"]] and tree[0]["deleted"] is True
    assert [n["id"] for n in tree[0]["replies"]] == [reply["id"]]
    assert bob.thread()["count"] == 1

    row = site.row(top["id"])
    assert row.deleted and row.text_md == "" and row.text_html == ""
    assert row.email is None and row.website is None and row.author == ""

    page = soup(bob.page())
    item = page.select_one(f"#comment-{top['id']}")
    assert "This comment was deleted." in item.get_text()
    assert "I will vanish" not in item.get_text() and "Alice" not in item.get_text()
    assert item.select_one(f"#comment-{reply['id']}") is not None
    error_of(alice.edit(top["id"], "Back again"), 409, None, "deleted")
    error_of(alice.delete(top["id"]), 409, None, "deleted")


# -- email is never exposed ------------------------------------------------------------------


def _fingerprints(email: str) -> list[bytes]:
    forms = {email, email.lower(), email.strip().lower()}
    prints = [form.encode() for form in forms]
    for form in forms:
        for name in ("md5", "sha1", "sha256"):
            digest = hashlib.new(name, form.encode()).hexdigest()
            prints += [digest.encode(), digest.upper().encode()]
    return prints


def test_the_email_never_appears_in_any_response(site: Site) -> None:
    email = "Secret.Person@Example.org"
    author, reader = site.client(), site.client()
    seen: list[bytes] = []

    def keep(response: TestResponse) -> TestResponse:
        seen.append(response.get_data())
        seen.append(str(response.headers).encode())
        return response

    first = keep(author.comment("Hello with an email", email=email, notify=True,
                                author="Secret"))
    cid = first.get_json()["comment"]["id"]
    keep(author.comment("A reply with an email", email=email, parent_id=cid))
    keep(author.open("PATCH", f"/api/comments/{cid}", json={"text": "Edited, email hidden"}))
    for client in (author, reader):
        keep(client.get("/api/comments", query_string={"url": POST}))
        keep(client.get(POST))
        keep(client.get("/"))
        keep(client.get(TAG))
        keep(client.get(f"/comments/{cid}/reply"))
    keep(author.get(f"/comments/{cid}/edit"))
    for feed in ("/comments.xml", POST + "comments.xml"):
        assert b"A reply with an email" in keep(reader.get(feed)).data, feed
    keep(author.get("/api/comments/counts", query_string={"url": POST}))
    keep(author.get("/api/openapi.json"))
    keep(author.form({"url": POST, "text": "Form with email", "email": email,
                      "form_token": author.token()}, {"Origin": ORIGIN}))
    keep(author.open("DELETE", f"/api/comments/{cid}"))
    keep(author.get("/api/comments", query_string={"url": POST}))
    blob = b"\n".join(seen)
    assert b"Hello with an email" in blob  # the collection did catch the comment
    for fingerprint in _fingerprints(email):
        assert fingerprint not in blob, fingerprint
    assert blob.count(b"Secret.Person") == 0


# -- the plain HTML form (no JavaScript) -----------------------------------------------------


def _form_token_from_page(client: Client, url: str = POST) -> str:
    field = soup(client.page(url)).select_one('#comment-form input[name="form_token"]')
    assert field is not None and field["value"]
    return field["value"]


def test_the_plain_form_posts_and_redirects_to_the_comment(site: Site) -> None:
    reader = site.client()
    token = _form_token_from_page(reader)
    response = reader.form({"url": POST, "text": "Posted *without* JavaScript",
                            "author": "Plain", "form_token": token}, {"Origin": ORIGIN})
    assert response.status_code == 303
    with site.session() as session:
        cid = session.execute(select(Comment.id).where(
            Comment.text_md == "Posted *without* JavaScript")).scalar_one()
    assert response.headers["Location"].endswith(f"{POST}#comment-{cid}")
    assert "comment_auth=" in response.headers["Set-Cookie"]
    page = soup(reader.page())
    assert page.select_one(f"#comment-{cid} .comment-body em").get_text() == "without"
    # A reply through the same form, with a Referer instead of an Origin.
    reply = reader.form({"url": POST, "text": "A plain reply", "parent_id": str(cid),
                         "form_token": _form_token_from_page(reader)},
                        {"Referer": ORIGIN + POST})
    assert reply.status_code == 303
    assert soup(reader.page()).select_one(f"#comment-{cid} .comment-replies") is not None


def test_the_plain_form_refuses_cross_site_posts(site: Site) -> None:
    reader = site.client()
    data = {"url": POST, "text": "Cross-site attempt", "form_token": _form_token_from_page(reader)}
    for headers in ({}, {"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Referer": "https://evil.example/page"},
                    {"Origin": "http://localhost.evil.example"}):
        response = reader.form(data, headers)
        assert response.status_code == 403, headers
        assert response.mimetype == "text/html"
        assert "cross-site request refused" in response.get_data(as_text=True)
    with site.session() as session:
        assert session.query(Comment).count() == 0


def test_the_plain_form_shows_field_errors_accessibly(site: Site) -> None:
    reader = site.client()
    response = reader.form({"url": POST, "text": "Nice", "website": "ftp://example.org/",
                            "form_token": _form_token_from_page(reader)}, {"Origin": ORIGIN})
    assert response.status_code == 400
    page = soup(response.data)
    alert = page.select_one('[role="alert"]')
    assert "website must be an http or https address" in alert.get_text()
    field = page.select_one("#comment-website")
    assert field["aria-invalid"] == "true" and field["value"] == "ftp://example.org/"
    assert page.select_one("#comment-text").get_text() == "Nice"  # the text is kept
    bad_post = reader.form({"url": DRAFT, "text": "Nice", "form_token": "x"}, {"Origin": ORIGIN})
    assert bad_post.status_code == 404


# -- OpenAPI ---------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_31(alice: Client) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.versions import consts, get_spec_version

    document = alice.get("/api/openapi.json").get_json()
    assert document == json.loads(json.dumps(OPENAPI))
    assert get_spec_version(document) == consts.OPENAPIV31
    validate(document)


def test_every_api_route_is_documented_and_nothing_else(site: Site) -> None:
    routes: set[tuple[str, str]] = set()
    for rule in site.app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in OPENAPI["paths"].items()
                  for method in item if method in {"get", "post", "patch", "delete", "put"}}
    assert routes == documented


def test_the_openapi_limits_are_the_rules(alice: Client) -> None:
    schemas = OPENAPI["components"]["schemas"]
    new = schemas["NewComment"]["properties"]
    assert new["text"]["maxLength"] == LIMITS.max_text
    assert new["text"]["minLength"] == LIMITS.min_text
    assert new["author"]["maxLength"] == LIMITS.max_author
    assert new["email"]["maxLength"] == LIMITS.max_email
    assert [b.get("maxLength") for b in new["website"]["anyOf"]] == [
        LIMITS.max_website, LIMITS.max_website - len("https://"), None]
    assert schemas["EditComment"]["properties"]["text"]["maxLength"] == LIMITS.max_text
    assert schemas["Error"]["required"] == ["error", "code"]
    for item in OPENAPI["paths"].values():
        for method, operation in item.items():
            if method in {"post", "patch"} and "requestBody" in operation:
                assert "415" in operation["responses"] and "413" in operation["responses"]


# -- known bugs ------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400(make_site: Callable[..., Site]) -> None:
    alice = make_site(PROPAGATE_EXCEPTIONS=False).client()
    for path in ("/api/comments", "/api/comments/preview"):
        error_of(alice.open("POST", path, data="[" * 50_000, content_type="application/json"),
                 400, None, "bad_json")


def test_an_enormous_parent_id_is_a_400(make_site: Callable[..., Site]) -> None:
    alice = make_site(PROPAGATE_EXCEPTIONS=False).client()
    error_of(alice.comment("Reply to the void", parent_id=10**30), 400, "parent_id")


def test_an_enormous_comment_id_is_a_404(make_site: Callable[..., Site]) -> None:
    alice = make_site(PROPAGATE_EXCEPTIONS=False).client()
    alice.new("Something to edit")
    big = "9" * 30
    for method, kwargs in (("PATCH", {"json": {"text": "hello"}}), ("DELETE", {})):
        response = alice.http.open(f"/api/comments/{big}", method=method, **kwargs)
        error_of(response, 404, None, "not_found")


def test_unknown_api_paths_answer_json(alice: Client) -> None:
    for method, path in (("GET", "/api/nothing"), ("GET", "/api/comments/abc"),
                         ("PUT", "/api/comments")):
        response = alice.http.open(path, method=method)
        assert response.status_code in (404, 405)
        assert response.mimetype == "application/json", (method, path)
    # A comment id that is not a whole number matches no route: a JSON 404.
    comment = alice.new("Something")
    for method in ("PATCH", "DELETE"):
        response = alice.open(method, "/api/comments/-1", json={"text": "hello"})
        error_of(response, 404, None, "not_found")
    assert alice.site.row(comment["id"]).text_md == "Something"


def test_a_nul_in_a_url_is_refused_not_a_500(make_site: Callable[..., Site]) -> None:
    alice = make_site(PROPAGATE_EXCEPTIONS=False).client()
    # A NUL in a query string is refused at the edge (PostgreSQL cannot even compare it).
    for path, url in (("/api/comments", "/posts/\x00/"), ("/api/comments/counts", "/\x00/")):
        refused = alice.get(path, query_string={"url": url})
        assert refused.status_code == 400, refused.data
        assert refused.get_json()["code"] == "bad_request"
        assert "NUL" in refused.get_json()["error"]
    response = alice.form({"url": "/po\x00", "text": "hi"}, {"Origin": ORIGIN})
    assert response.status_code == 400  # the form page again, naming the url
