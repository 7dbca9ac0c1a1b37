"""Long threads in pages: COMMENTS_PER_PAGE top-level comments a page, each with all its
replies, reachable without JavaScript (links, permalinks) and through the JSON API.

The thread: 120 top-level comments and 180 replies (nested up to the depth cap) on the
seed post, with 25 top-level comments a page: 5 pages, the last one short.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from app.extensions import db
from app.models import Comment, Page
from app.services.comments import moderation
from app.services.comments.rules import CommentSettings, validate
from app.services.comments.threads import create_comment, replies_statement, roots_statement
from tests import backends
from tests.conftest import make_app
from tests.html import soup

POST = "/posts/the-rise-of-ai-generated-images/"
PER_PAGE = 25
ROOTS, REPLIES = 120, 180
PAGES = 5
START = datetime(2026, 1, 1, 12, 0, 0)


@dataclass
class Thread:
    """The app, and the thread as the database holds it."""

    app: Flask
    roots: list[int]  # top-level comments, oldest first
    parent: dict[int, int | None]  # every published comment -> its parent
    spam: int  # a reply marked spam: shown nowhere

    def page_of_root(self, root: int) -> int:
        return self.roots.index(root) // PER_PAGE + 1

    def root_of(self, comment_id: int) -> int:
        while (up := self.parent[comment_id]) is not None:
            comment_id = up
        return comment_id

    def depth(self, comment_id: int) -> int:
        up = self.parent[comment_id]
        return 0 if up is None else 1 + self.depth(up)

    def page_of(self, comment_id: int) -> int:
        return self.page_of_root(self.root_of(comment_id))

    def tree(self, root: int) -> set[int]:
        """A top-level comment and all its published replies."""
        return {c for c in self.parent if self.root_of(c) == root}


@pytest.fixture
def thread(tmp_path: Path, seed_dir: Path) -> Iterator[Thread]:
    app = make_app(tmp_path, COMMENTS_PER_PAGE=PER_PAGE, COMMENTS_MODERATION="none",
                   COMMENTS_MIN_FILL_SECONDS=0, SITE_BASE_URL="http://localhost")
    result = app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    rules = CommentSettings(moderation="none", rate_limit=1_000_000)
    rng = random.Random(16)
    kinds = ["root"] * ROOTS + ["reply"] * REPLIES
    rng.shuffle(kinds)
    kinds.remove("root")
    kinds.insert(0, "root")  # the first comment has nothing to answer
    roots: list[int] = []
    parent: dict[int, int | None] = {}
    with app.app_context():
        for n, kind in enumerate(kinds):
            asked = rng.choice(list(parent)) if kind == "reply" else None
            fields = {"url": POST, "text": f"Comment number {n} on a long thread",
                      "author": f"Reader {n % 11}"}
            if asked is not None:
                fields["parent_id"] = asked
            comment = create_comment(db.session, validate(fields, rules), f"10.0.{n % 200}.1",
                                     app.config["SECRET_KEY"], rules,
                                     now=START + timedelta(minutes=n))
            parent[comment.id] = comment.parent_id  # after the depth cap
            if comment.parent_id is None:
                roots.append(comment.id)
        # A reply marked spam: counted nowhere, shown on no page.
        spam = create_comment(db.session, validate(
            {"url": POST, "text": "Buy cheap pills", "parent_id": roots[60]}, rules),
            "10.9.9.9", app.config["SECRET_KEY"], rules, now=START + timedelta(days=1))
        moderation.moderate(db.session, [spam.id], "spam")
        spam_id = spam.id
        db.session.remove()
    yield Thread(app, roots, parent, spam_id)
    with app.app_context():
        db.engine.dispose()


def _url(number: int) -> str:
    return POST if number == 1 else f"{POST}?comments={number}"


def _html_tree(body: bytes) -> tuple[list[int], dict[int, int | None]]:
    """(top-level ids in order, every shown comment -> the comment it is nested under)."""
    page = soup(body)
    listing = page.select_one("#comments .comment-list")
    assert listing is not None
    tops = [int(li["data-id"]) for li in listing.find_all("li", recursive=False)]
    nested: dict[int, int | None] = {}
    for li in listing.select("li.comment"):
        up = li.find_parent("li", class_="comment")
        nested[int(li["data-id"])] = int(up["data-id"]) if up is not None else None
    return tops, nested


def _api_tree(comments: list[dict]) -> tuple[list[int], dict[int, int | None]]:
    nested: dict[int, int | None] = {}

    def walk(items: list[dict], up: int | None) -> None:
        for item in items:
            nested[item["id"]] = up
            walk(item["replies"], item["id"])

    walk(comments, None)
    return [c["id"] for c in comments], nested


def test_each_page_holds_its_top_level_comments_with_all_their_replies(thread: Thread) -> None:
    client = thread.app.test_client()
    seen: dict[int, int | None] = {}
    for number in range(1, PAGES + 1):
        response = client.get(_url(number))
        assert response.status_code == 200
        tops, nested = _html_tree(response.data)
        assert tops == thread.roots[(number - 1) * PER_PAGE:number * PER_PAGE]
        assert set(nested) == set().union(*(thread.tree(r) for r in tops))
        assert all(nested[c] == thread.parent[c] for c in nested)  # nesting kept
        assert not set(nested) & set(seen)  # no comment on two pages
        seen.update(nested)
        count = soup(response.data).select_one("#comments-title .comment-count")
        assert count.get_text() == f"({ROOTS + REPLIES})"  # the whole thread, every page
        section = soup(response.data).select_one("section#comments")
        assert (section["data-page"], section["data-pages"]) == (str(number), str(PAGES))
    assert set(seen) == set(thread.parent)  # every published comment, and not the spam
    assert thread.spam not in seen
    assert len(tops) == ROOTS - (PAGES - 1) * PER_PAGE


def test_links_without_javascript_reach_every_comment(thread: Thread) -> None:
    client = thread.app.test_client()
    url: str | None = POST
    visited, seen = [], set()
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, url
        visited.append(url)
        seen |= set(_html_tree(response.data)[1])
        nav = soup(response.data).select_one("nav.comment-pages")
        assert nav.select_one('a[aria-current="page"]').get_text() == str(len(visited))
        following = nav.select_one('a[rel="next"]')
        url = following["href"].split("#")[0] if following is not None else None
        if url is not None:
            assert following["href"].endswith("#comments")
    assert visited == [_url(n) for n in range(1, PAGES + 1)]
    assert seen == set(thread.parent)
    last = soup(client.get(_url(PAGES)).data).select_one("nav.comment-pages")
    assert last.select_one('a[rel="prev"]')["href"] == f"{POST}?comments={PAGES - 1}#comments"
    first_link = [a["href"] for a in last.select("a") if a.get_text() == "1"]
    assert first_link == [f"{POST}#comments"]


def test_comment_page_arguments_outside_the_thread(thread: Thread) -> None:
    client = thread.app.test_client()
    page_one = client.get(f"{POST}?comments=1")
    assert page_one.status_code == 301
    assert page_one.headers["Location"] == f"{POST}#comments"
    for bad in (str(PAGES + 1), "0", "-1", "2x", "", "%C2%B2", "9999999"):
        assert client.get(f"{POST}?comments={bad}").status_code == 404, bad
    # On a list page the argument means nothing: the list is served as it is.
    assert client.get("/tags/ai/?comments=2").status_code == 200


def test_a_permalink_lands_on_the_page_that_shows_the_comment(thread: Thread) -> None:
    client = thread.app.test_client()
    deep = max((c for c in thread.parent if thread.page_of(c) == 3), key=thread.depth)
    for comment_id in (thread.roots[0], thread.roots[2 * PER_PAGE], deep, thread.roots[-1]):
        number = thread.page_of(comment_id)
        response = client.get(f"/comments/{comment_id}")
        assert response.status_code == 302
        query = f"?comments={number}" if number > 1 else ""
        assert response.headers["Location"] == f"{POST}{query}#comment-{comment_id}"
        landed = client.get(response.headers["Location"].split("#")[0])
        assert soup(landed.data).select_one(f"#comment-{comment_id}") is not None
    assert thread.page_of(deep) == 3 and thread.depth(deep) == 2  # a reply to a reply
    assert client.get(f"/comments/{thread.spam}").status_code == 404  # hidden
    assert client.get("/comments/999999").status_code == 404


def test_the_api_pages_match_the_html_pages(thread: Thread) -> None:
    client = thread.app.test_client()
    for number in range(1, PAGES + 1):
        data = client.get(f"/api/comments?url={POST}&page={number}").get_json()
        assert (data["page"], data["pages"], data["per_page"]) == (number, PAGES, PER_PAGE)
        assert data["count"] == ROOTS + REPLIES
        assert _api_tree(data["comments"]) == _html_tree(client.get(_url(number)).data)
    assert client.get(f"/api/comments?url={POST}").get_json()["page"] == 1
    on_four = thread.roots[3 * PER_PAGE + 1]
    found = client.get(f"/api/comments?url={POST}&comment={on_four}&page=1").get_json()
    assert found["page"] == 4 and on_four in _api_tree(found["comments"])[0]
    missing = client.get(f"/api/comments?url={POST}&page={PAGES + 1}")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    assert client.get(f"/api/comments?url={POST}&comment={thread.spam}").status_code == 404
    for bad in ("0", "x", "-2", "\u00b2"):
        answer = client.get(f"/api/comments?url={POST}&page={bad}")
        assert answer.status_code == 400 and answer.get_json()["field"] == "page", bad


def test_the_feed_links_each_comment_on_its_page(thread: Thread) -> None:
    client = thread.app.test_client()
    feed = client.get(f"{POST}comments.xml").get_data(as_text=True)
    links = dict((int(cid), href) for href, cid in re.findall(
        r'<link[^>]*href="([^"]*#comment-(\d+))"', feed))
    assert links  # the newest comments: on the last pages
    for comment_id, href in links.items():
        number = thread.page_of(comment_id)
        query = f"?comments={number}" if number > 1 else ""
        assert href == f"http://localhost{POST}{query}#comment-{comment_id}"


def test_the_first_page_stays_on_the_fast_path_and_later_pages_are_cached(
        thread: Thread) -> None:
    app = thread.app
    reached: list[str] = []

    @app.before_request
    def _count() -> None:
        from flask import request
        reached.append(request.full_path)

    client = app.test_client()
    first, again = client.get(POST), client.get(POST)
    assert first.status_code == again.status_code == 200
    assert reached == [POST + "?"]  # the second answer never reached Flask
    second, second_again = client.get(_url(2)), client.get(_url(2))
    assert second.headers["ETag"] == second_again.headers["ETag"] != first.headers["ETag"]
    assert _html_tree(second_again.data) == _html_tree(second.data)
    assert client.get(POST).status_code == 200
    assert reached == [POST + "?", _url(2), _url(2)]  # page 1 still before Flask
    # A new reply on page 2 reaches both pages' readers at once (the count, the reply).
    with app.app_context():
        rules = CommentSettings(moderation="none", rate_limit=1_000_000)
        new = create_comment(db.session, validate(
            {"url": POST, "text": "A late reply", "parent_id": thread.roots[PER_PAGE]}, rules),
            "10.8.8.8", app.config["SECRET_KEY"], rules).id
        db.session.remove()
    assert new in _html_tree(client.get(_url(2)).data)[1]
    count = soup(client.get(POST).data).select_one(".comment-count").get_text()
    assert count == f"({ROOTS + REPLIES + 1})"


def test_the_queries_read_indexes(thread: Thread) -> None:
    """The plans: a page's roots from the thread-roots index, replies by parent_id."""
    app = thread.app
    with app.app_context():
        page_id = db.session.execute(select(Page.id).where(Page.url_path == POST)).scalar_one()
        roots = roots_statement(page_id, (), 2 * PER_PAGE, PER_PAGE)
        replies = replies_statement(thread.roots[:PER_PAGE], ())
        postgres = backends.use_postgres()
        plans = []
        for statement in (roots, replies):
            sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            plans.append(" ".join(str(row) for row in db.session.execute(text(explain + sql))))
        assert db.session.execute(select(Comment.id).where(Comment.page_id == page_id)
                                  .limit(1)).first() is not None
        db.session.remove()
    if postgres:  # with 300 rows PostgreSQL may well prefer a scan: only SQLite is checked
        return
    assert "ix_comments_thread_roots" in plans[0], plans[0]
    assert "ix_comments_parent_id" in plans[1], plans[1]


def test_a_reply_without_javascript_returns_to_its_page_which_its_author_sees_first_hand(
        thread: Thread) -> None:
    reader = thread.app.test_client()
    token = soup(reader.get(_url(3)).data).select_one(
        '#comment-form input[name="form_token"]')["value"]
    asked = thread.roots[2 * PER_PAGE + 3]  # on page 3
    response = reader.post("/comments", data={
        "url": POST, "text": "A reply from page three", "parent_id": str(asked),
        "form_token": token}, headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    with thread.app.app_context():
        new = db.session.execute(select(Comment.id).where(
            Comment.text_md == "A reply from page three")).scalar_one()
        db.session.remove()
    assert response.headers["Location"] == f"{POST}?comments=3#comment-{new}"
    # Its author may still edit it: page 3 is made for them (not shared), with its Edit link.
    mine = reader.get(_url(3))
    assert mine.headers["Cache-Control"] == "private, no-store"
    item = soup(mine.data).select_one(f"#comment-{asked} #comment-{new}")
    assert item is not None and item.select_one("a.comment-edit") is not None
    assert soup(reader.get(POST).data).select_one(f"#comment-{new}") is None  # not page 1
    assert reader.get(f"{POST}?comments={PAGES + 1}").status_code == 404
    assert reader.get(f"{POST}?comments=1").status_code == 301
    # Another reader gets the shared page 3, with the reply and no Edit link.
    other = soup(thread.app.test_client().get(_url(3)).data).select_one(f"#comment-{new}")
    assert other is not None and other.select_one("a.comment-edit") is None
