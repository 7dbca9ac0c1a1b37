"""CSRF, signed tokens and cookies, attacked: forged origins, tampered cookies, old tokens.

- the no-JS comment forms refuse a POST without Origin/Referer, or from another site (403),
  and nothing is written;
- the JSON API refuses anything but application/json (415) and answers no CORS preflight;
- the author cookie cannot be forged or tampered with, and the edit window closes (403);
- form tokens are signed, bound to their post and expire;
- the admin refuses POSTs without its CSRF token or from another origin (403), rate-limits
  the login (429, even for the right password), and its session expires;
- cookies are HttpOnly and SameSite, and Secure when the request came over HTTPS;
- SECRET_KEY is refused when missing or weak outside debug and testing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select, update

import app as app_package
from app.config import ConfigError
from app.extensions import db
from app.models import Comment
from app.services.comments import tokens as comment_tokens
from app.services.site.queries import utcnow
from tests.conftest import (
    ADMIN_PASSWORD,
    SAME_ORIGIN,
    admin_settings,
    csrf_token,
    log_in_admin,
    make_app,
    post_admin_login,
    write,
)
from tests.hostile.tally import Tally, report

POST = "/posts/hello/"
OTHER = "/posts/second/"
PASSWORD = ADMIN_PASSWORD
ORIGIN = SAME_ORIGIN
TALLY = Tally("CSRF, tokens and cookies")


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from report(request, TALLY)


def _build(tmp_path: Path, **overrides: object) -> Flask:
    content = tmp_path / "content"
    write(content, "posts/hello.md", "---\ntitle: Hello\ndate: 2024-01-01\n---\nFirst post.\n")
    write(content, "posts/second.md", "---\ntitle: Second\ndate: 2024-02-01\n---\nMore.\n")
    settings = admin_settings(COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0,
                              COMMENTS_RATE_LIMIT=1000)
    settings.update(overrides)
    application = make_app(tmp_path, **settings)
    result = application.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    return application


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Flask]:
    application = _build(tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


def rows(application: Flask) -> int:
    """How many comments are stored."""
    with application.app_context():
        count = db.session.execute(select(func.count()).select_from(Comment)).scalar_one()
        db.session.remove()
    return count


def text_of(application: Flask, comment_id: int) -> str:
    with application.app_context():
        value = db.session.get(Comment, comment_id).text_md
        db.session.remove()
    return value


def token(client: FlaskClient, url: str = POST, **kwargs: Any) -> str:
    response = client.get("/api/comments", query_string={"url": url}, **kwargs)
    assert response.status_code == 200, response.data
    return response.get_json()["form_token"]


def form_data(client: FlaskClient, text: str = "A comment by form.", **extra: str) -> dict:
    return {"url": POST, "text": text, "form_token": token(client), **extra}


def post_api(client: FlaskClient, text: str = "A comment by API.", **kwargs: Any):
    return client.post("/api/comments", json={"url": POST, "text": text,
                                              "form_token": token(client)}, **kwargs)


def own_comment(client: FlaskClient, text: str = "Mine to edit.") -> int:
    response = post_api(client, text)
    assert response.status_code == 201, response.data
    return response.get_json()["comment"]["id"]


def cookies(response: Any) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header line)."""
    found = {}
    for line in response.headers.getlist("Set-Cookie"):
        name = line.split("=", 1)[0]
        found[name] = line
    return found


def flags(line: str) -> set[str]:
    parsed = SimpleCookie()
    parsed.load(line)
    morsel = next(iter(parsed.values()))
    out = {key for key in ("httponly", "secure") if morsel[key]}
    if morsel["samesite"]:
        out.add(f"samesite={morsel['samesite'].lower()}")
    return out


def check(family: str, case: str, ok: bool, detail: str = "") -> None:
    TALLY.record(family, case, [] if ok else [detail or "failed"])
    assert ok, f"{family} / {case}: {detail}"


# -- the comment forms -----------------------------------------------------------------------


@pytest.mark.parametrize(("label", "headers"), [
    ("no Origin, no Referer", {}),
    ("foreign Origin", {"Origin": "https://evil.example"}),
    ("foreign Referer only", {"Referer": "https://evil.example/page"}),
    ("Origin null", {"Origin": "null"}),
    ("same host, other scheme", {"Origin": "https://localhost"}),
    ("same host, other port", {"Origin": "http://localhost:8080"}),
    ("look-alike host", {"Origin": "http://localhost.evil.example"}),
    ("userinfo trick", {"Referer": "http://localhost@evil.example/"}),
])
def test_form_post_from_elsewhere_is_refused(site: Flask, label: str,
                                             headers: dict[str, str]) -> None:
    client = site.test_client()
    before = rows(site)
    response = client.post("/comments", data=form_data(client), headers=headers)
    check("comment form CSRF", f"new comment, {label}",
          response.status_code == 403 and rows(site) == before,
          f"{response.status_code}, rows {before} -> {rows(site)}")


@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize(("label", "headers"), [
    ("no Origin, no Referer", {}),
    ("foreign Origin", {"Origin": "https://evil.example"}),
])
def test_form_edit_and_delete_from_elsewhere_are_refused(site: Flask, action: str, label: str,
                                                         headers: dict[str, str]) -> None:
    client = site.test_client()
    comment_id = own_comment(client)
    response = client.post(f"/comments/{comment_id}/{action}", data={"text": "Changed!"},
                           headers=headers)
    unchanged = text_of(site, comment_id) == "Mine to edit." if rows(site) else False
    check("comment form CSRF", f"{action}, {label}",
          response.status_code == 403 and unchanged, f"{response.status_code}")


def test_form_post_from_this_site_works(site: Flask) -> None:
    """The control: the same form from the same origin is accepted."""
    client = site.test_client()
    response = client.post("/comments", data=form_data(client), headers={"Origin": ORIGIN})
    check("comment form CSRF", "same origin (control)",
          response.status_code == 303 and rows(site) == 1, str(response.status_code))


# -- the JSON API ----------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "content_type"), [
    ("text/plain", "text/plain"),
    ("text/plain with charset", "text/plain; charset=utf-8"),
    ("form-encoded", "application/x-www-form-urlencoded"),
    ("multipart", "multipart/form-data; boundary=x"),
    ("none", None),
    ("json look-alike", "application/jsonp"),
])
def test_api_refuses_what_a_cross_site_form_can_send(site: Flask, label: str,
                                                     content_type: str | None) -> None:
    """Two layers: the foreign Origin is refused (403); without an Origin, the type (415)."""
    client = site.test_client()
    body = f'{{"url": "{POST}", "text": "Simple request", "form_token": "{token(client)}"}}'
    kwargs: dict[str, Any] = {"data": body.encode()}
    if content_type:
        kwargs["content_type"] = content_type
    response = client.post("/api/comments", headers={"Origin": "https://evil.example"}, **kwargs)
    check("JSON API CSRF", f"Content-Type {label}, foreign Origin",
          response.status_code == 403 and response.get_json()["code"] == "foreign_origin"
          and rows(site) == 0,
          f"{response.status_code} {response.data[:100]!r}, rows {rows(site)}")
    response = client.post("/api/comments", **kwargs)
    check("JSON API CSRF", f"Content-Type {label}, no Origin",
          response.status_code == 415 and rows(site) == 0,
          f"{response.status_code} {response.data[:100]!r}, rows {rows(site)}")


FOREIGN_ORIGINS = ["https://evil.example", "http://evil.example", "null", "http://localhost:81",
                   "https://localhost", "http://localhost.evil.example", "http://evil.localhost",
                   "http://[::1", "HTTP://EVIL.EXAMPLE", "http://localhost@evil.example", ""]


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/comments"), ("PATCH", "/api/comments/{id}"),
    ("DELETE", "/api/comments/{id}"), ("POST", "/api/comments/preview")])
def test_api_writes_from_a_foreign_origin_are_refused(site: Flask, origin: str, method: str,
                                                      path: str) -> None:
    """Even with JSON and the author's own cookie: 403 naming the reason, nothing changed."""
    client = site.test_client()
    comment_id = own_comment(client, "Mine, not theirs.")
    body = {"url": POST, "text": "Written from elsewhere", "form_token": token(client)}
    response = client.open(path.format(id=comment_id), method=method, json=body,
                           headers={"Origin": origin})
    data = response.get_json()
    ok = (response.status_code == 403 and data["code"] == "foreign_origin"
          and "Origin" in data["error"] and rows(site) == 1
          and text_of(site, comment_id) == "Mine, not theirs.")
    check("JSON API Origin", f"{method} {path} from {origin!r}", ok,
          f"{response.status_code} {data}, rows {rows(site)}")
    assert ok


@pytest.mark.parametrize("origin", [ORIGIN, None])
def test_api_writes_from_this_site_or_a_non_browser_work(site: Flask,
                                                         origin: str | None) -> None:
    client = site.test_client()
    headers = {"Origin": origin} if origin else {}
    response = client.post("/api/comments", json={"url": POST, "text": "From here.",
                                                  "form_token": token(client)}, headers=headers)
    assert response.status_code == 201, response.data
    comment_id = response.get_json()["comment"]["id"]
    assert client.patch(f"/api/comments/{comment_id}", json={"text": "Edited here."},
                        headers=headers).status_code == 200
    assert client.post("/api/comments/preview", json={"text": "*x*"},
                       headers=headers).status_code == 200
    assert client.delete(f"/api/comments/{comment_id}", headers=headers).status_code == 200


@pytest.mark.parametrize("path", ["/api/comments", "/api/comments/1", "/api/comments/preview"])
def test_api_answers_no_cors_preflight(site: Flask, path: str) -> None:
    """A foreign page's fetch() with JSON needs a preflight; it must not be allowed."""
    response = site.test_client().options(path, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    allowed = {name.lower() for name, _ in response.headers.items()
               if name.lower().startswith("access-control-")}
    check("JSON API CSRF", f"preflight {path}", not allowed, str(allowed))


def test_api_with_json_from_this_site_works(site: Flask) -> None:
    response = post_api(site.test_client())
    check("JSON API CSRF", "application/json (control)", response.status_code == 201,
          str(response.status_code))


# -- the author cookie -----------------------------------------------------------------------

SECRET = "test-secret-key-that-is-long-enough-for-tests"


def _forged_cookies(real: str, comment_id: int) -> list[tuple[str, str]]:
    payload, _, signature = real.rpartition(".")
    other_key = URLSafeSerializer("another-secret-key-of-sufficient-length", salt="comment-auth")
    wrong_salt = URLSafeSerializer(SECRET, salt="something-else")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        ("signed with another key", other_key.dumps([comment_id])),
        ("signed with another salt", wrong_salt.dumps([comment_id])),
        ("signature flipped", f"{payload}.{flipped}"),
        ("signature removed", payload),
        ("unsigned list", f"[{comment_id}]"),
        ("payload swapped", URLSafeSerializer("x" * 40).dumps([1, comment_id]).rpartition(".")[0]
         + "." + signature),
        ("empty", ""),
        ("garbage", "%%%..."),
        ("huge", "A" * 3900),
    ]


@pytest.mark.parametrize("index", range(9))
def test_author_cookie_tampered_cannot_edit(site: Flask, index: int) -> None:
    author = site.test_client()
    comment_id = own_comment(author)
    real = author.get_cookie(comment_tokens.AUTHOR_COOKIE).value
    label, forged = _forged_cookies(real, comment_id)[index]
    attacker = site.test_client()
    attacker.set_cookie(comment_tokens.AUTHOR_COOKIE, forged)
    patch = attacker.patch(f"/api/comments/{comment_id}", json={"text": "Defaced!"})
    delete = attacker.delete(f"/api/comments/{comment_id}")
    form = attacker.post(f"/comments/{comment_id}/edit", data={"text": "Defaced!"},
                         headers={"Origin": ORIGIN})
    statuses = (patch.status_code, delete.status_code, form.status_code)
    check("author cookie", label,
          statuses == (403, 403, 403) and text_of(site, comment_id) == "Mine to edit.",
          f"PATCH/DELETE/form answered {statuses}")


def test_author_cookie_of_one_comment_does_not_open_another(site: Flask) -> None:
    alice, bob = site.test_client(), site.test_client()
    alice_id = own_comment(alice, "Alice wrote this.")
    own_comment(bob, "Bob wrote this.")
    response = bob.patch(f"/api/comments/{alice_id}", json={"text": "Bob was here"})
    check("author cookie", "another author's cookie", response.status_code == 403,
          str(response.status_code))


def test_author_cookie_works_for_its_author(site: Flask) -> None:
    author = site.test_client()
    comment_id = own_comment(author)
    response = author.patch(f"/api/comments/{comment_id}", json={"text": "Fixed typo."})
    check("author cookie", "genuine cookie (control)", response.status_code == 200,
          str(response.status_code))


# -- the edit window -------------------------------------------------------------------------


def _age(site: Flask, comment_id: int, seconds: int) -> None:
    with site.app_context():
        db.session.execute(update(Comment).where(Comment.id == comment_id).values(
            created_at=utcnow() - timedelta(seconds=seconds)))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("how", ["PATCH", "DELETE", "edit form", "delete form"])
def test_edit_window_expired_is_403(site: Flask, how: str) -> None:
    author = site.test_client()
    comment_id = own_comment(author)
    window = site.config["COMMENTS_EDIT_WINDOW"]
    _age(site, comment_id, window + 5)
    if how == "PATCH":
        response = author.patch(f"/api/comments/{comment_id}", json={"text": "Too late."})
    elif how == "DELETE":
        response = author.delete(f"/api/comments/{comment_id}")
    else:
        action = "edit" if how == "edit form" else "delete"
        response = author.post(f"/comments/{comment_id}/{action}", data={"text": "Too late."},
                               headers={"Origin": ORIGIN})
    still = rows(site) == 1 and text_of(site, comment_id) == "Mine to edit."
    check("edit window", how, response.status_code == 403 and still,
          f"{response.status_code}, unchanged={still}")
    if how == "PATCH":
        assert response.get_json()["code"] == "expired"


def test_edit_window_just_inside_still_works(site: Flask) -> None:
    author = site.test_client()
    comment_id = own_comment(author)
    _age(site, comment_id, site.config["COMMENTS_EDIT_WINDOW"] - 30)
    response = author.patch(f"/api/comments/{comment_id}", json={"text": "Just in time."})
    check("edit window", "inside the window (control)", response.status_code == 200,
          str(response.status_code))


# -- form tokens -----------------------------------------------------------------------------


def _minted(site: Flask, page_url: str, age: float) -> str:
    with site.test_request_context():
        from app.services.site.queries import find_page

        page_id = find_page(db.session, page_url).id
        db.session.remove()
    return comment_tokens.form_token(site.config["SECRET_KEY"], page_id, time.time() - age)


@pytest.mark.parametrize(("label", "make", "code"), [
    ("older than 7 days", lambda s: _minted(s, POST, 8 * 24 * 3600), "expired"),
    ("for another post", lambda s: _minted(s, OTHER, 10), "invalid"),
    ("from the future", lambda s: _minted(s, POST, -3600), "too_fast"),
    ("forged signature", lambda s: _minted(s, POST, 10)[:-4] + "AAAA", "invalid"),
    ("other secret", lambda s: comment_tokens.form_token("z" * 48, 1, time.time() - 10),
     "invalid"),
    ("not a token", lambda s: "1.2", "invalid"),
    ("missing", lambda s: "", "required"),
])
def test_form_token_forged_or_stale_is_refused(site: Flask, label: str, make: Any,
                                               code: str) -> None:
    client = site.test_client()
    value = make(site)
    response = client.post("/api/comments", json={"url": POST, "text": "Token test.",
                                                  "form_token": value})
    body = response.get_json()
    check("form tokens", label,
          response.status_code == 400 and body.get("field") == "form_token" and rows(site) == 0,
          f"{response.status_code} {body}")
    if code in ("expired", "too_fast"):
        assert body["code"] == code


def test_form_token_too_fast_with_a_fill_time(tmp_path: Path) -> None:
    application = _build(tmp_path, COMMENTS_MIN_FILL_SECONDS=30)
    client = application.test_client()
    response = post_api(client)
    check("form tokens", "sent before the minimum fill time",
          response.status_code == 400 and response.get_json()["code"] == "too_fast",
          str(response.status_code))


# -- the admin -------------------------------------------------------------------------------


@pytest.fixture
def app(site: Flask) -> Flask:
    """The app of conftest's admin_client: this module's site."""
    return site


ADMIN_POSTS = [
    ("/admin/comments", {"action": "delete", "ids": "1"}),
    ("/admin/posts/close", {"url": POST, "closed": "1"}),
    ("/admin/logout", {}),
]


@pytest.mark.parametrize(("path", "data"), ADMIN_POSTS, ids=[p for p, _ in ADMIN_POSTS])
@pytest.mark.parametrize(("label", "token", "headers"), [
    ("no token", None, {"Origin": ORIGIN}),
    ("empty token", "", {"Origin": ORIGIN}),
    ("wrong token", "x" * 43, {"Origin": ORIGIN}),
    ("right token, foreign Origin", "RIGHT", {"Origin": "https://evil.example"}),
    ("right token, no Origin", "RIGHT", {}),
])
def test_admin_post_without_csrf_is_403(site: Flask, admin_client: FlaskClient, path: str,
                                        data: dict[str, str], label: str, token: str | None,
                                        headers: dict[str, str]) -> None:
    client, right = admin_client, csrf_token(admin_client, "/admin/")
    comment = site.test_client()
    target = own_comment(comment)
    body = dict(data, ids=str(target)) if "ids" in data else dict(data)
    if token is not None:
        body["csrf_token"] = right if token == "RIGHT" else token
    response = client.post(path, data=body, headers=headers)
    still_admin = client.get("/admin/").status_code == 200
    with site.app_context():
        from app.models import Page

        closed = db.session.execute(select(Page.comments_closed).where(
            Page.url_path == POST)).scalar_one()
        db.session.remove()
    unchanged = rows(site) == 1 and not closed and still_admin
    check("admin CSRF", f"{path}, {label}", response.status_code == 403 and unchanged,
          f"{response.status_code}, unchanged={unchanged}")


@pytest.mark.parametrize(("label", "token", "headers"), [
    ("no token", None, {"Origin": ORIGIN}),
    ("wrong token", "y" * 43, {"Origin": ORIGIN}),
    ("foreign Origin", "RIGHT", {"Origin": "https://evil.example"}),
])
def test_admin_login_without_csrf_is_403(site: Flask, label: str, token: str | None,
                                         headers: dict[str, str]) -> None:
    client = site.test_client()
    right = csrf_token(client)
    data = {"password": PASSWORD}
    if token is not None:
        data["csrf_token"] = right if token == "RIGHT" else token
    response = client.post("/admin/login", data=data, headers=headers)
    logged_in = client.get("/admin/").status_code == 200
    check("admin CSRF", f"login, {label}", response.status_code == 403 and not logged_in,
          f"{response.status_code}, logged_in={logged_in}")


def test_admin_session_expires(site: Flask, admin_client: FlaskClient) -> None:
    client = admin_client
    lifetime = site.permanent_session_lifetime.total_seconds()
    with client.session_transaction() as session:
        session["admin_since"] = int(time.time() - lifetime - 60)
    response = client.get("/admin/")
    check("admin CSRF", "session older than its lifetime", response.status_code == 303,
          str(response.status_code))


def test_admin_session_from_another_secret_is_not_admin(tmp_path: Path, site: Flask) -> None:
    other = _build(tmp_path / "other", SECRET_KEY="another-secret-key-" + "q" * 40)
    client = log_in_admin(other)
    stolen = client.get_cookie("session").value
    attacker = site.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/admin/")
    check("admin CSRF", "session signed by another secret", response.status_code == 303,
          str(response.status_code))


def test_admin_session_forged_with_admin_flag_is_not_admin(site: Flask) -> None:
    """A session that says admin=True but lacks the fingerprint of the password hash."""
    attacker = site.test_client()
    with attacker.session_transaction() as session:
        session["admin"] = True
        session["admin_since"] = int(time.time())
        session["admin_key"] = "0" * 64
    response = attacker.get("/admin/")
    check("admin CSRF", "session with admin=True, wrong key", response.status_code == 303,
          str(response.status_code))


def test_login_is_rate_limited_even_for_the_right_password(site: Flask) -> None:
    limit = site.config["ADMIN_LOGIN_RATE_LIMIT"]
    client = site.test_client()
    statuses = []
    for _ in range(limit):
        statuses.append(post_admin_login(client, "wrong guess").status_code)
    blocked = post_admin_login(client, PASSWORD)
    other_ip = site.test_client()
    other_ip.environ_base["REMOTE_ADDR"] = "127.0.0.9"  # same /24: the same network
    also_blocked = post_admin_login(other_ip, PASSWORD)
    ok = (statuses == [401] * limit and blocked.status_code == 429
          and int(blocked.headers["Retry-After"]) > 0 and also_blocked.status_code == 429
          and client.get("/admin/").status_code == 303)
    check("admin login rate limit", f"{limit} wrong, then right password", ok,
          f"{statuses} then {blocked.status_code}, same /24 {also_blocked.status_code}")


def test_login_rate_limit_is_not_reset_by_new_sessions(site: Flask) -> None:
    limit = site.config["ADMIN_LOGIN_RATE_LIMIT"]
    statuses = []
    for _ in range(limit + 2):
        fresh = site.test_client()  # a new cookie jar each time
        statuses.append(post_admin_login(fresh, "guess").status_code)
    check("admin login rate limit", "a new session per attempt",
          statuses[-2:] == [429, 429], str(statuses))


# -- cookie flags ----------------------------------------------------------------------------


def test_cookie_flags_over_http(site: Flask) -> None:
    client = site.test_client()
    comment = cookies(post_api(client))[comment_tokens.AUTHOR_COOKIE]
    session = cookies(client.get("/admin/login"))["session"]
    for name, line in (("comment cookie", comment), ("session cookie", session)):
        got = flags(line)
        check("cookie flags", f"{name} over http", {"httponly", "samesite=lax"} <= got or
              {"httponly", "samesite=strict"} <= got, line)


@pytest.mark.parametrize("which", [
    "comment cookie",
    "session cookie",
])
def test_cookie_flags_over_https(site: Flask, which: str) -> None:
    client = site.test_client()
    https = {"base_url": "https://localhost"}
    if which == "comment cookie":
        line = cookies(client.post("/api/comments", json={
            "url": POST, "text": "Over TLS.", "form_token": token(client, **https)},
            **https))[comment_tokens.AUTHOR_COOKIE]
    else:
        line = cookies(client.get("/admin/login", **https))["session"]
    got = flags(line)
    check("cookie flags", f"{which} over https", {"httponly", "secure"} <= got
          and any(f.startswith("samesite=") for f in got), line)


# -- SECRET_KEY ------------------------------------------------------------------------------

WEAK_KEYS = [
    ("empty", ""), ("short", "short"), ("changeme", "changeme"),
    ("31 characters", "k" * 20 + "abcdefghijk"), ("dev", "dev"),
]
SERVER_DB = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"}


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No debug, no testing, no key from the environment."""
    for name in ("FLASK_DEBUG", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


def _refused(config: dict[str, Any], instance: Path) -> bool:
    try:
        app_package.create_app(config, instance_path=instance)
    except ConfigError:
        return True
    return False


@pytest.mark.parametrize(("label", "key"), WEAK_KEYS, ids=[k for k, _ in WEAK_KEYS])
def test_secret_key_weak_is_refused(production_env: None, tmp_path: Path, label: str,
                                    key: str) -> None:
    # "empty" reads the key file, which holds the weak value here.
    (tmp_path / "secret_key").write_text(key + "\n")
    check("SECRET_KEY", f"{label} (setting)", _refused({"SECRET_KEY": key}, tmp_path),
          "create_app accepted it")
    check("SECRET_KEY", f"{label} (key file)", _refused({}, tmp_path), "create_app accepted it")


def test_secret_key_missing_is_made_once_for_sqlite(production_env: None,
                                                    tmp_path: Path) -> None:
    first = app_package.create_app({}, instance_path=tmp_path)
    key_file = tmp_path / "secret_key"
    check("SECRET_KEY", "made in the instance folder, owner-only",
          key_file.stat().st_mode & 0o777 == 0o600
          and first.config["SECRET_KEY"] == key_file.read_text().strip()
          and len(first.config["SECRET_KEY"]) >= 32, oct(key_file.stat().st_mode))
    again = app_package.create_app({}, instance_path=tmp_path)
    check("SECRET_KEY", "the same key on the next start",
          again.config["SECRET_KEY"] == first.config["SECRET_KEY"], "a new key was made")


def test_secret_key_missing_with_a_server_database_is_refused(production_env: None,
                                                              tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="every host must use the same key"):
        app_package.create_app(dict(SERVER_DB), instance_path=tmp_path)
    check("SECRET_KEY", "no key made up for a server database",
          not (tmp_path / "secret_key").exists(), "a key file was written")


@pytest.mark.parametrize("key", ["a" * 64, "ab" * 32], ids=["one-char", "two-chars"])
def test_secret_key_without_variety_is_refused(production_env: None, tmp_path: Path,
                                               key: str) -> None:
    check("SECRET_KEY", f"low variety {key[:4]}...", _refused({"SECRET_KEY": key}, tmp_path),
          "create_app accepted it")


def test_secret_key_strong_is_accepted_and_tests_may_use_any(production_env: None,
                                                             tmp_path: Path) -> None:
    strong = "Zx8-" + "".join(chr(48 + i % 75) for i in range(60))
    app_package.create_app({"SECRET_KEY": strong, **SERVER_DB}, instance_path=tmp_path)
    app_package.create_app({"SECRET_KEY": "short", "TESTING": True}, instance_path=tmp_path)
    app_package.create_app({"SECRET_KEY": "", "DEBUG": True}, instance_path=tmp_path)
    check("SECRET_KEY", "strong key, and any key under testing/debug (control)", True)
