"""Thread subscriptions: double opt-in, one digest per burst, one-click unsubscribe, over the
real SMTP server of tests/test_notifications.py (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models import ThreadDigestItem, ThreadSubscription
from app.services.comments import subscriptions
from app.services.site.queries import utcnow
from tests.conftest import make_app
from tests.html import soup
from tests.smtp_server import Inbox

POST = "/posts/the-rise-of-ai-generated-images/"
TITLE = "The Rise of AI-Generated Images: A Creative Revolution"
BASE = "https://blog.example.org"
ORIGIN = "http://localhost"
SUE = "sue@example.com"
OTHERS = ("ann@example.com", "bob@example.com", "cy@example.com", "di@example.com",
          "ed@example.com")


def _site(tmp_path: Path, seed_dir: Path, port: int, **overrides: object) -> Flask:
    settings: dict[str, object] = {
        "COMMENTS_MODERATION": "none", "COMMENTS_MIN_FILL_SECONDS": 0,
        "COMMENTS_RATE_LIMIT": 100, "MAIL_FROM": "blog@example.org", "SITE_BASE_URL": BASE,
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none", **overrides}
    app = make_app(tmp_path, **settings)
    result = app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return app


def _token(client: FlaskClient) -> str:
    return client.get("/api/comments", query_string={"url": POST}).get_json()["form_token"]


def _comment(client: FlaskClient, text: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/comments", json={"url": POST, "text": text,
                                                  "form_token": _token(client), **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["comment"]


def _subscribe(client: FlaskClient, email: str = SUE) -> Any:
    return client.post("/api/comments/subscriptions",
                       json={"url": POST, "email": email, "form_token": _token(client)})


def _notify(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["comments", "notify"])
    assert result.exit_code == 0, result.output
    return result.output


def _link(text: str, action: str) -> str:
    """The site-relative path of the confirm or unsubscribe link in a mail's body."""
    found = re.search(rf"{BASE}(/comments/subscriptions/\d+/{action}/[0-9a-f]{{32}})", text)
    assert found is not None, text
    return found.group(1)


def _confirmed(app: Flask, inbox: Inbox, email: str = SUE) -> EmailMessage:
    """Subscribe `email`, receive the confirmation and follow it; the confirmation mail."""
    assert _subscribe(app.test_client(), email).status_code == 202
    before = len(inbox.messages)
    _notify(app)
    assert len(inbox.messages) == before + 1
    mail = inbox.messages[-1]
    clicked = app.test_client().post(_link(mail.get_content(), "confirm"))
    assert clicked.status_code == 200 and b"Done: you will get an email" in clicked.data
    return mail


def _others_write(app: Flask, count: int, prefix: str = "Burst comment") -> list[str]:
    texts = [f"{prefix} number {n}." for n in range(1, count + 1)]
    for text, email in zip(texts, OTHERS, strict=False):
        _comment(app.test_client(), text, author=email.split("@")[0].title(), email=email)
    return texts


def test_nothing_but_the_confirmation_before_it_is_followed(tmp_path: Path, seed_dir: Path,
                                                            smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port)
    answer = _subscribe(app.test_client())
    assert answer.status_code == 202
    assert answer.get_json() == {"url": POST, "status": "confirmation_sent"}
    early = _others_write(app, 2, "Before confirming")

    assert "1 sent, 0 failed" in _notify(app)
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == SUE
    assert mail["Subject"] == f"Confirm: new comments on \u201c{TITLE}\u201d"
    assert not any(text in mail.as_string() for text in early)
    assert not any(other in mail.as_string() for other in OTHERS)
    link = _link(mail.get_content(), "confirm")

    assert _notify(app).startswith("0 sent")  # not sent twice, and still no digest
    assert _subscribe(app.test_client()).status_code == 202  # asking again: no new mail
    assert _notify(app).startswith("0 sent") and len(inbox.messages) == 1

    page = app.test_client().get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and b"Confirm my subscription" in page.data
    with app.app_context():
        row = db.session.execute(select(ThreadSubscription)).scalar_one()
        assert row.confirmed_at is None and row.email == SUE
    assert app.test_client().post(link).status_code == 200
    with app.app_context():
        assert db.session.execute(select(ThreadSubscription.confirmed_at)).scalar_one()
    assert _notify(app).startswith("0 sent")  # the comments before confirming are not sent
    assert app.test_client().post(link[:-1] + "0").status_code == 404  # a forged token


def test_a_burst_of_comments_gives_one_digest_without_the_readers_own(
        tmp_path: Path, seed_dir: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port)
    _confirmed(app, inbox)
    texts = _others_write(app, 3)
    _comment(app.test_client(), "Sue's own comment is not sent to Sue.", author="Sue",
             email="Sue@Example.com")
    texts += [f"Burst comment number {n}." for n in (4, 5)]
    for text, email in zip(texts[3:], OTHERS[3:], strict=True):
        _comment(app.test_client(), text, author="Late", email=email)

    assert "1 sent, 0 failed" in _notify(app)
    assert len(inbox.messages) == 2
    digest = inbox.messages[1]
    assert digest["To"] == SUE and digest["Cc"] is None and digest["Bcc"] is None
    assert digest["Subject"] == f"5 new comments on \u201c{TITLE}\u201d"
    body = digest.get_content()
    for text in texts:
        assert f"> {text}" in body
    assert body.index(texts[0]) < body.index(texts[4])  # oldest first
    assert "Sue's own comment" not in body
    assert not any(other in digest.as_string() for other in OTHERS)  # no reader's address
    assert f"{BASE}{POST}#comment-" in body
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"] == f"<{BASE}{_link(body, 'unsubscribe')}>"

    assert _notify(app).startswith("0 sent")  # each comment goes once
    _others_write(app, 1, "Within the hour")
    assert _notify(app).startswith("0 sent")  # one digest per interval
    with app.app_context():
        db.session.execute(update(ThreadSubscription).values(
            last_sent_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    assert "1 sent" in _notify(app)
    assert inbox.messages[-1]["Subject"] == f"New comment on \u201c{TITLE}\u201d"
    assert "> Within the hour number 1." in inbox.messages[-1].get_content()
    assert "Burst comment" not in inbox.messages[-1].get_content()


def test_one_click_unsubscribe_and_the_link_stop_the_digests(
        tmp_path: Path, seed_dir: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port, COMMENTS_DIGEST_MINUTES=1)
    _confirmed(app, inbox, SUE)
    _confirmed(app, inbox, "tom@example.com")
    _others_write(app, 1)
    assert "2 sent" in _notify(app)
    digests = {m["To"]: m for m in inbox.messages[-2:]}

    # Sue's mail client: the RFC 8058 one-click POST to the List-Unsubscribe address.
    one_click = digests[SUE]["List-Unsubscribe"].strip("<>").removeprefix(BASE)
    clicked = app.test_client().post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    assert f"no more emails about new comments on this post will be sent to {SUE}".encode() \
        in clicked.data
    # Tom: the link in the body, a page that asks, then its button.
    link = _link(digests["tom@example.com"].get_content(), "unsubscribe")
    asked = app.test_client().get(link)
    assert asked.status_code == 200 and b"Unsubscribe</button>" in asked.data
    form = soup(asked.get_data(as_text=True)).select_one("form[method=post]")
    assert form is not None and not form.get("action")  # posts back to the link itself
    assert app.test_client().post(link).status_code == 200
    assert app.test_client().post(link).status_code == 404  # used: the subscription is gone

    with app.app_context():  # the addresses are deleted, and their pending items
        assert db.session.execute(select(ThreadSubscription)).all() == []
        assert db.session.execute(select(ThreadDigestItem)).all() == []
    with app.app_context():
        db.session.execute(update(ThreadSubscription).values(last_sent_at=None))
        db.session.commit()
    sent = len(inbox.messages)
    _others_write(app, 2, "After unsubscribing")
    assert _notify(app).startswith("0 sent")
    assert len(inbox.messages) == sent


def test_the_plain_forms_without_javascript(tmp_path: Path, seed_dir: Path,
                                            smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port)
    reader = app.test_client()
    for _ in range(2):  # built, then served from the page cache: both forms get a token
        html = reader.get(POST).get_data(as_text=True)
        assert "%%COMMENT_FORM_TOKEN" not in html
        page = soup(html)
        form = page.select_one("form#thread-subscribe")
        assert form is not None and form["action"] == "/comments/subscribe"
        assert page.select_one("label[for=subscribe-email]").get_text().startswith(
            "Email me about new comments on this post")
        token = form.select_one("input[name=form_token]")["value"]
        assert token == page.select_one("#comment-form input[name=form_token]")["value"]
        assert page.select_one("#comment-form input[name=subscribe][type=checkbox]")

    answer = reader.post("/comments/subscribe", data={
        "url": POST, "email": SUE, "form_token": token, "homepage": ""},
        headers={"Origin": ORIGIN})
    assert answer.status_code == 200
    assert "Check your inbox" in soup(answer.get_data(as_text=True)).select_one(
        "[role=status]").get_text()
    refused = reader.post("/comments/subscribe", data={"url": POST, "email": SUE,
                                                       "form_token": token},
                          headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403

    # The checkbox of the comment form, posted without JavaScript, subscribes too.
    posted = reader.post("/comments", data={
        "url": POST, "text": "A comment, and follow the thread.", "author": "Val",
        "email": "val@example.com", "subscribe": "1", "form_token": token},
        headers={"Origin": ORIGIN})
    assert posted.status_code == 303
    assert "2 sent" in _notify(app)
    assert sorted(m["To"] for m in inbox.messages) == [SUE, "val@example.com"]
    assert all(m["Subject"].startswith("Confirm:") for m in inbox.messages)


def test_an_invalid_email_is_refused_naming_the_field(tmp_path: Path, seed_dir: Path,
                                                      smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    app = _site(tmp_path, seed_dir, port)
    reader = app.test_client()
    token = _token(reader)
    answer = reader.post("/comments/subscribe", data={
        "url": POST, "email": "not an address", "form_token": token},
        headers={"Origin": ORIGIN})
    assert answer.status_code == 400
    page = soup(answer.get_data(as_text=True))
    assert "email is not a valid address" in page.select_one("#subscribe-error").get_text()
    field = page.select_one("#subscribe-email")
    assert field["aria-invalid"] == "true" and field["value"] == "not an address"
    assert page.select_one("form#thread-subscribe input[name=form_token]")["value"]

    missing = reader.post("/api/comments/subscriptions",
                          json={"url": POST, "email": "", "form_token": token})
    assert missing.status_code == 400
    assert missing.get_json() == {"error": "email is required", "code": "required",
                                  "field": "email"}
    bad = reader.post("/api/comments/subscriptions",
                      json={"url": POST, "email": "a@b", "form_token": token})
    assert bad.status_code == 400 and bad.get_json()["field"] == "email"
    with app.app_context():
        assert db.session.execute(select(ThreadSubscription)).all() == []


def test_subscription_requests_are_rate_limited_and_capped_per_address(
        tmp_path: Path, seed_dir: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port, COMMENTS_RATE_LIMIT=2)
    reader = app.test_client()
    assert _subscribe(reader, "one@example.com").status_code == 202
    assert _subscribe(reader, "two@example.com").status_code == 202
    limited = _subscribe(reader, "three@example.com")
    assert limited.status_code == 429 and limited.get_json()["code"] == "rate_limited"
    with app.app_context():
        emails = db.session.execute(select(ThreadSubscription.email)).scalars().all()
    assert sorted(emails) == ["one@example.com", "two@example.com"]
    assert "2 sent" in _notify(app)
    assert len(inbox.messages) == 2
    with app.app_context():  # and a mailbox gets at most 3 unconfirmed requests a day
        made = [subscriptions.request(db.session, f"/posts/p{n}/", "Flood@Example.com")
                for n in range(4)]
        db.session.commit()
        assert [row is not None for row in made] == [True, True, True, False]
        assert made[0].email == "flood@example.com"


def test_a_held_comment_is_in_a_digest_only_once_approved(tmp_path: Path, seed_dir: Path,
                                                         smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port, COMMENTS_MODERATION="all")
    _confirmed(app, inbox)
    client = app.test_client()
    held = client.post("/api/comments", json={"url": POST, "text": "Waiting for the moderator.",
                                              "author": "Ann", "email": OTHERS[0],
                                              "form_token": _token(client)})
    assert held.status_code == 202
    assert _notify(app).startswith("0 sent")  # held: not in any digest
    approved = app.test_cli_runner().invoke(
        args=["comments", "approve", str(held.get_json()["comment"]["id"])])
    assert approved.exit_code == 0, approved.output
    assert "1 sent" in _notify(app)
    assert "> Waiting for the moderator." in inbox.messages[-1].get_content()


def test_the_no_js_comment_form_keeps_the_checkbox_after_an_error(
        tmp_path: Path, seed_dir: Path, smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    app = _site(tmp_path, seed_dir, port)
    reader = app.test_client()
    answer = reader.post("/comments", data={
        "url": POST, "text": "x", "email": SUE, "subscribe": "1", "form_token": _token(reader)},
        headers={"Origin": ORIGIN})
    assert answer.status_code == 400
    box = soup(answer.get_data(as_text=True)).select_one("#comment-subscribe")
    assert box is not None and box.has_attr("checked")
    with app.app_context():
        assert db.session.execute(select(ThreadSubscription)).all() == []


def test_a_post_closed_to_comments_takes_no_subscription(tmp_path: Path, seed_dir: Path,
                                                         smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    app = _site(tmp_path, seed_dir, port)
    reader = app.test_client()
    token = _token(reader)
    assert app.test_cli_runner().invoke(args=["comments", "close", POST]).exit_code == 0
    closed = reader.post("/api/comments/subscriptions",
                         json={"url": POST, "email": SUE, "form_token": token})
    assert closed.status_code == 403 and closed.get_json()["code"] == "closed"
    assert soup(reader.get(POST).get_data(as_text=True)).select_one("#thread-subscribe") is None
    with app.app_context():
        assert db.session.execute(select(ThreadSubscription)).all() == []
