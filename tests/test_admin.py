"""The admin moderation page: login, its rate limit, session cookie, CSRF, queue and closing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Comment
from app.services.comments.rules import CommentInput, CommentSettings
from app.services.comments.threads import create_comment
from tests.conftest import (
    ADMIN_PASSWORD,
    SAME_ORIGIN,
    admin_settings,
    csrf_token,
    make_app,
    post_admin_login,
    write,
)
from tests.html import soup

POST = "/posts/hello/"
OTHER = "/posts/second/"
PASSWORD = ADMIN_PASSWORD
ORIGIN = {"Origin": SAME_ORIGIN}
HELD = CommentSettings(moderation="all", rate_limit=1000)


def _build(tmp_path: Path, **overrides: object) -> Flask:
    content = tmp_path / "content"
    write(content, "posts/hello.md", "---\ntitle: Hello\ndate: 2024-01-01\n---\nFirst post.\n")
    write(content, "posts/second.md", "---\ntitle: Second\ndate: 2024-02-01\n---\nMore.\n")
    app = make_app(tmp_path, **admin_settings(COMMENTS_MIN_FILL_SECONDS=0, **overrides))
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app with the admin enabled and two imported posts (`client`: a browser that has
    not logged in; `admin_client`: one that has)."""
    app = _build(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def _comment(app: Flask, text: str, url: str = POST, author: str = "Alice") -> int:
    with app.app_context():
        entry = CommentInput(url, None, author, None, "https://alice.example", text, False)
        comment = create_comment(db.session, entry, "192.0.2.7", app.config["SECRET_KEY"], HELD)
        return comment.id


def _statuses(app: Flask) -> dict[int, str]:
    with app.app_context():
        return {c.id: c.status for c in db.session.query(Comment).all()}


def _post(client: FlaskClient, path: str, data: dict, **headers: str):
    return client.post(path, data=data, headers={**ORIGIN, **headers})


def test_admin_is_absent_without_a_password_hash(tmp_path: Path) -> None:
    app = _build(tmp_path, ADMIN_PASSWORD_HASH="")
    client = app.test_client()
    for path in ("/admin/", "/admin/login", "/admin"):
        assert client.get(path, follow_redirects=True).status_code == 404
    assert client.post("/admin/login", data={"password": PASSWORD},
                       headers=ORIGIN).status_code == 404


def test_a_mangled_hash_is_refused_at_startup(tmp_path: Path) -> None:
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="ADMIN_PASSWORD_HASH"):
        make_app(tmp_path, ADMIN_PASSWORD_HASH="scrypt:32768:8:1")  # '$salt$hash' eaten


def test_queue_and_actions_require_login(client: FlaskClient, app: Flask) -> None:
    response = client.get("/admin/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/login")
    cid = _comment(app, "Anonymous cannot moderate")
    data = {"csrf_token": csrf_token(client), "ids": [cid], "action": "approve"}
    assert _post(client, "/admin/comments", data).status_code == 403
    assert _statuses(app) == {cid: "pending"}


def test_login_page_is_accessible_and_sets_a_strict_cookie(client: FlaskClient) -> None:
    response = client.get("/admin/login")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
    page = soup(response.data)
    field = page.select_one("input[type=password]")
    assert page.select_one(f'label[for="{field["id"]}"]').get_text(strip=True) == "Password"
    assert page.select_one("button[type=submit]").get_text(strip=True) == "Log in"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # SESSION_COOKIE_SECURE is for HTTPS deployments


def test_secure_cookie_behind_https(tmp_path: Path) -> None:
    app = _build(tmp_path, SESSION_COOKIE_SECURE=True)
    cookie = app.test_client().get("/admin/login", base_url="https://localhost").headers[
        "Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused(client: FlaskClient) -> None:
    response = post_admin_login(client, "not the password")
    assert response.status_code == 401
    assert "Wrong password" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 303


def test_right_password_logs_in_with_a_fresh_session(client: FlaskClient) -> None:
    before = csrf_token(client)
    response = post_admin_login(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    with client.session_transaction() as session:
        assert session["admin"] is True
        assert session["csrf"] != before  # rotated on login
    page = client.get("/admin/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store, private"
    assert "You are logged in." in page.get_data(as_text=True)


def test_login_without_csrf_token_or_from_another_site(client: FlaskClient) -> None:
    token = csrf_token(client)
    no_token = client.post("/admin/login", data={"password": PASSWORD}, headers=ORIGIN)
    assert no_token.status_code == 403
    foreign = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    no_origin = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token})
    assert no_origin.status_code == 403
    assert client.get("/admin/").status_code == 303


def test_login_is_rate_limited_per_network(client: FlaskClient, app: Flask) -> None:
    for _ in range(5):
        assert post_admin_login(client, "guess").status_code == 401
    response = post_admin_login(client)  # the right password, but the 6th attempt in the window
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Try again in" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 303
    # Another network is not affected.
    other = app.test_client()
    assert post_admin_login(other, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 303


def test_queue_lists_pending_comments(admin_client: FlaskClient, app: Flask) -> None:
    _comment(app, "Held for *review*")
    page = soup(admin_client.get("/admin/").data)
    rows = page.select("table.admin-table tbody tr[id^=comment-]")
    assert len(rows) == 1
    text = rows[0].get_text(" ", strip=True)
    assert "Hello" in text and "Alice" in text and "UTC" in text
    assert rows[0].select_one("em").get_text() == "review"  # the stored, sanitized HTML
    assert rows[0].select_one("a[href='https://alice.example']") is not None
    assert page.select_one("table caption") is not None
    assert [b.get_text(strip=True) for b in page.select("#bulk button")] == [
        "Approve", "Mark as spam", "Delete"]
    checkbox = rows[0].select_one("input[type=checkbox]")
    assert page.select_one(f'label[for="{checkbox["id"]}"]') is not None
    assert page.select_one('.admin-tabs a[aria-current="page"]').get_text().startswith("Pending")
    published = soup(admin_client.get("/admin/?status=published").data)
    assert not published.select("tr[id^=comment-]")


def test_bulk_approve_spam_delete(admin_client: FlaskClient, app: Flask) -> None:
    first, second, third = (_comment(app, f"Comment number {n}") for n in (1, 2, 3))
    assert "Comment number 1" not in admin_client.get(POST).get_data(as_text=True)
    token = csrf_token(admin_client, "/admin/")
    response = _post(admin_client, "/admin/comments",
                     {"csrf_token": token, "ids": [first, second], "action": "approve"})
    assert response.status_code == 303
    assert _statuses(app) == {first: "published", second: "published", third: "pending"}
    shown = admin_client.get(POST).get_data(as_text=True)
    assert "Comment number 1" in shown and "Comment number 2" in shown
    assert "Comment number 3" not in shown
    assert "Approved: 2 comments." in admin_client.get(response.headers["Location"]).get_data(
        as_text=True)

    _post(admin_client, "/admin/comments", {"csrf_token": token, "ids": [second], "action": "spam"})
    assert _statuses(app)[second] == "spam"
    assert "Comment number 2" not in admin_client.get(POST).get_data(as_text=True)
    spam = soup(admin_client.get("/admin/?status=spam").data)
    assert [tr["id"] for tr in spam.select("tr[id^=comment-]")] == [f"comment-{second}"]

    _post(admin_client, "/admin/comments",
          {"csrf_token": token, "ids": [first, third], "action": "delete"})
    assert _statuses(app) == {second: "spam"}
    assert "Comment number 1" not in admin_client.get(POST).get_data(as_text=True)


def test_bulk_refuses_unknown_actions_and_empty_selections(admin_client: FlaskClient,
                                                            app: Flask) -> None:
    cid = _comment(app, "Still pending")
    token = csrf_token(admin_client, "/admin/")
    bad = _post(admin_client, "/admin/comments",
                {"csrf_token": token, "ids": [cid], "action": "nuke"})
    assert bad.status_code == 303
    assert "Choose Approve" in admin_client.get("/admin/").get_data(as_text=True)
    for junk in ([], ["x", "9" * 30, "-1"]):
        response = _post(admin_client, "/admin/comments", {"csrf_token": token, "ids": junk,
                                                    "action": "approve"})
        assert response.status_code == 303
        assert "Select at least one" in admin_client.get("/admin/").get_data(as_text=True)
    assert _statuses(app) == {cid: "pending"}


def test_post_without_csrf_token_changes_nothing(admin_client: FlaskClient, app: Flask) -> None:
    cid = _comment(app, "Do not touch")
    for data in ({"ids": [cid], "action": "approve"},
                 {"ids": [cid], "action": "approve", "csrf_token": "forged" * 8}):
        response = _post(admin_client, "/admin/comments", data)
        assert response.status_code == 403
        assert "security token" in response.get_data(as_text=True)
    assert _post(admin_client, "/admin/posts/close",
                 {"url": POST, "closed": "1"}).status_code == 403
    assert _statuses(app) == {cid: "pending"}
    assert "comments-closed" not in admin_client.get(POST).get_data(as_text=True)


def test_post_from_a_foreign_origin_changes_nothing(admin_client: FlaskClient,
                                                    app: Flask) -> None:
    cid = _comment(app, "Do not touch either")
    token = csrf_token(admin_client, "/admin/")
    data = {"csrf_token": token, "ids": [cid], "action": "delete"}
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Origin": "http://localhost.evil.example"}):
        assert admin_client.post("/admin/comments", data=data, headers=headers).status_code == 403
    assert admin_client.post("/admin/comments", data=data).status_code == 403  # neither header
    assert _statuses(app) == {cid: "pending"}


def _api_post(client: FlaskClient, text: str) -> int:
    token = client.get(f"/api/comments?url={POST}").get_json()["form_token"]
    response = client.post("/api/comments", json={"url": POST, "text": text,
                                                  "form_token": token})
    return response.status_code


def test_closing_a_post_refuses_new_comments(admin_client: FlaskClient, app: Flask) -> None:
    page = soup(admin_client.get("/admin/").data)
    row = next(tr for tr in page.select("#posts tbody tr") if tr.th.a["href"] == POST)
    assert row.button.get_text(" ", strip=True) == "Close comments on Hello"
    token = csrf_token(admin_client, "/admin/")
    response = _post(admin_client, "/admin/posts/close", {"csrf_token": token, "url": POST,
                                                    "closed": "1"})
    assert response.status_code == 303
    assert "is closed to new comments" in admin_client.get("/admin/").get_data(as_text=True)
    reader = app.test_client()
    assert _api_post(reader, "Trying to comment on a closed post") == 403
    assert "comments-closed" in reader.get(POST).get_data(as_text=True)

    _post(admin_client, "/admin/posts/close", {"csrf_token": token, "url": POST, "closed": "0"})
    assert _api_post(reader, "Comments are open again") in (201, 202)


def test_closing_an_unknown_post_says_so(admin_client: FlaskClient) -> None:
    token = csrf_token(admin_client, "/admin/")
    _post(admin_client, "/admin/posts/close", {"csrf_token": token, "url": "/nope/", "closed": "1"})
    assert "Nothing changed" in admin_client.get("/admin/").get_data(as_text=True)
    for url, closed in (("/posts/\x00/", "1"), ("/" * 5000, "1"), (POST, "maybe")):
        data = {"csrf_token": token, "url": url, "closed": closed}
        assert _post(admin_client, "/admin/posts/close", data).status_code == 303
        assert "Give a post URL" in admin_client.get("/admin/").get_data(as_text=True)


def test_logout_clears_access_even_for_a_copied_cookie(admin_client: FlaskClient,
                                                       app: Flask) -> None:
    copied = app.test_client()
    copied.set_cookie("session", admin_client.get_cookie("session").value)
    assert copied.get("/admin/").status_code == 200
    response = _post(admin_client, "/admin/logout",
                     {"csrf_token": csrf_token(admin_client, "/admin/")})
    assert response.status_code == 303
    assert admin_client.get("/admin/").status_code == 303
    assert copied.get("/admin/").status_code == 303
    assert _post(admin_client, "/admin/comments", {"action": "approve"}).status_code == 403


def test_hash_password_command(app: Flask) -> None:
    from werkzeug.security import check_password_hash

    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "hash-password"],
                           input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    hashed = next(line for line in result.output.splitlines() if line.startswith("scrypt:"))
    assert check_password_hash(hashed, "a long passphrase")
    short = runner.invoke(args=["admin", "hash-password"], input="short\nshort\n")
    assert short.exit_code != 0
