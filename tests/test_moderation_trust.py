"""Moderation against identity reuse: trust comes only from what an attacker cannot type.

The attack run's finding: in `first` mode a stranger with no cookie, another name and an
approved commenter's email was published at once (201), and so was a nameless comment from
any network where an "Anonymous" comment had been approved. Each mode is tried here with
every reuse attempt:

- `none`: everything is published at once (the moderator reviews afterwards);
- `all`: everything is held, even from an approved browser;
- `first`: published at once only from a browser whose signed author cookie names an
  approved comment; an approved commenter's address typed elsewhere is held, and a link is
  emailed to that address (double opt-in) that publishes the comment when opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Notification
from app.services.comments import moderation
from app.services.comments import trust as comment_trust
from tests.conftest import make_app
from tests.smtp_server import Inbox

POST = "/posts/the-rise-of-ai-generated-images/"
SECRET = "test-secret-key-that-is-long-enough-for-tests"
ALICE = "alice@example.org"
OFFICE = "203.0.113.10"  # a shared NAT: Alice's colleagues and strangers behind it
NEIGHBOUR = "203.0.113.99"  # same /24
ELSEWHERE = "198.51.100.20"


def _site(tmp_path: Path, seed_dir: Path, mode: str, port: int = 25) -> Flask:
    app = make_app(tmp_path, COMMENTS_MODERATION=mode, COMMENTS_MIN_FILL_SECONDS=0,
                   COMMENTS_RATE_LIMIT=1000, MAIL_FROM="blog@example.org",
                   SITE_BASE_URL="https://blog.example.org", SMTP_HOST="127.0.0.1",
                   SMTP_PORT=port, SMTP_SECURITY="none")
    result = app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return app


def _client(app: Flask, ip: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def _post(client: FlaskClient, text: str, **fields: Any) -> tuple[int, int]:
    token = client.get("/api/comments", query_string={"url": POST}).get_json()["form_token"]
    response = client.post("/api/comments", json={"url": POST, "text": text,
                                                  "form_token": token, **fields})
    assert response.status_code in (201, 202), response.get_json()
    return response.status_code, response.get_json()["comment"]["id"]


def _approve(app: Flask, comment_id: int) -> None:
    with app.app_context():
        assert moderation.moderate(db.session, [comment_id], "approve") == 1
        db.session.remove()


def _confirmations(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(select(Notification.comment_id, Notification.email).where(
            Notification.kind == "confirm").order_by(Notification.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _status(app: Flask, comment_id: int) -> str:
    with app.app_context():
        value = db.session.get(Comment, comment_id).status
        db.session.remove()
    return value


@pytest.fixture
def approved(tmp_path: Path, seed_dir: Path, request: pytest.FixtureRequest
             ) -> Iterator[tuple[Flask, FlaskClient]]:
    """A site in the mode asked for, where Alice (office network) and an Anonymous reader
    of the office network each had a comment approved; Alice's browser is returned."""
    app = _site(tmp_path, seed_dir, request.param)
    alice = _client(app, OFFICE)
    _, first = _post(alice, "Alice's first comment", author="Alice", email=ALICE)
    _, anonymous = _post(_client(app, OFFICE), "An anonymous first comment")
    _approve(app, first)
    _approve(app, anonymous)
    yield app, alice
    with app.app_context():
        db.engine.dispose()


# (label, client network, fields): every way the attack run reused an approved identity.
REUSE = [
    ("stranger, other name, Alice's email", ELSEWHERE, {"author": "Mallory", "email": ALICE}),
    ("stranger, Alice's name and email", ELSEWHERE, {"author": "Alice", "email": ALICE}),
    ("stranger, Alice's email in capitals", ELSEWHERE, {"author": "A", "email": ALICE.upper()}),
    ("stranger, Alice's name, her network", NEIGHBOUR, {"author": "Alice"}),
    ("nameless, the approved Anonymous's network", NEIGHBOUR, {}),
    ("nameless, the very same address", OFFICE, {}),
    ("stranger, Alice's email, her network", OFFICE, {"author": "Alice", "email": ALICE}),
]
EXPECTED = {"none": 201, "first": 202, "all": 202}


@pytest.mark.parametrize("approved", ["none", "first", "all"], indirect=True)
@pytest.mark.parametrize(("label", "ip", "fields"), REUSE, ids=[r[0] for r in REUSE])
def test_identity_reuse_by_a_stranger(approved: tuple[Flask, FlaskClient], label: str,
                                      ip: str, fields: dict[str, str]) -> None:
    """A browser without an approved comment's cookie: held in `first` and `all`."""
    app, _ = approved
    mode = app.config["COMMENTS_MODERATION"]
    status, comment_id = _post(_client(app, ip), f"Trying it on: {label}", **fields)
    assert status == EXPECTED[mode], (mode, label)
    assert _status(app, comment_id) == ("published" if mode == "none" else "pending")
    other = _client(app, ELSEWHERE).get(POST).get_data(as_text=True)
    assert (f"Trying it on: {label}" in other) == (mode == "none")


@pytest.mark.parametrize("approved", ["none", "first", "all"], indirect=True)
def test_the_approved_browser_itself(approved: tuple[Flask, FlaskClient]) -> None:
    """Alice's own browser: at once in `first` (any name, any network), held in `all`."""
    app, alice = approved
    mode = app.config["COMMENTS_MODERATION"]
    assert _post(alice, "Alice again")[0] == {"all": 202}.get(mode, 201)
    alice.environ_base["REMOTE_ADDR"] = ELSEWHERE  # the same laptop at home
    assert _post(alice, "Alice from home", author="Al")[0] == {"all": 202}.get(mode, 201)


@pytest.mark.parametrize("approved", ["first"], indirect=True)
def test_a_forged_or_copied_cookie_earns_no_trust(approved: tuple[Flask, FlaskClient]) -> None:
    app, alice = approved
    real = alice.get_cookie("comment_auth")
    assert real is not None
    payload, _, signature = real.value.rpartition(".")
    forged = _client(app, ELSEWHERE)
    forged.set_cookie("comment_auth", payload + "." + signature[::-1])
    assert _post(forged, "Forged cookie", email=ALICE)[0] == 202
    unsigned = _client(app, ELSEWHERE)
    unsigned.set_cookie("comment_auth", "[1,2,3]")
    assert _post(unsigned, "Unsigned cookie")[0] == 202


@pytest.mark.parametrize("approved", ["first"], indirect=True)
def test_a_browser_whose_only_approved_comment_became_spam_is_held(
        approved: tuple[Flask, FlaskClient]) -> None:
    app, alice = approved
    with app.app_context():
        ids = db.session.execute(select(Comment.id).where(Comment.email == ALICE)).scalars()
        moderation.moderate(db.session, list(ids), "spam")
        db.session.remove()
    assert _post(alice, "After the moderator changed their mind")[0] == 202


@pytest.mark.parametrize("approved", ["first"], indirect=True)
def test_held_comment_from_a_known_address_queues_one_confirmation(
        approved: tuple[Flask, FlaskClient]) -> None:
    """A known address gets its link (three a day at most); an unknown one gets nothing."""
    app, _ = approved
    ids = [_post(_client(app, ELSEWHERE), f"Is this Alice? {n}", email=ALICE)[1]
           for n in range(4)]
    _post(_client(app, ELSEWHERE), "A newcomer", email="new@example.org")
    _post(_client(app, ELSEWHERE), "A newcomer without email", author="Bob")
    assert _confirmations(app) == [(i, ALICE) for i in ids[:3]]


@pytest.mark.parametrize("approved", ["none", "all"], indirect=True)
def test_no_confirmation_emails_outside_first_mode(approved: tuple[Flask, FlaskClient]) -> None:
    app, _ = approved
    _post(_client(app, ELSEWHERE), "Same address, other mode", email=ALICE)
    assert _confirmations(app) == []


def test_the_emailed_link_publishes_the_held_comment(tmp_path: Path, seed_dir: Path,
                                                     smtp: tuple[Inbox, int]) -> None:
    """Double opt-in over real SMTP: only a reader of the mailbox can publish the comment."""
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, "first", port)
    _, first = _post(_client(app, OFFICE), "Alice's first", author="Alice", email=ALICE)
    _approve(app, first)
    status, held = _post(_client(app, ELSEWHERE), "Alice on her phone", author="Alice",
                         email=ALICE)
    assert status == 202
    result = app.test_cli_runner().invoke(args=["comments", "notify"])
    assert result.exit_code == 0 and result.output.startswith("1 sent"), result.output
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == ALICE and mail["Subject"].startswith("Confirm your comment on")
    body = mail.get_content()
    assert "> Alice on her phone" in body
    link = re.search(r"https://blog\.example\.org(/comments/confirm/\d+/[0-9a-f]{32})", body)
    assert link is not None, body
    path = link.group(1)
    assert path == f"/comments/confirm/{held}/{comment_trust.confirm_token(SECRET, held, ALICE)}"

    reader = _client(app, ELSEWHERE)
    wrong = path[:-1] + ("0" if path[-1] != "0" else "1")
    assert reader.post(wrong).status_code == 404
    assert reader.post(f"/comments/confirm/{first}/{path.rsplit('/', 1)[1]}").status_code == 404
    page = reader.get(path)  # a mail scanner following the link publishes nothing
    assert page.status_code == 200 and b"Publish my comment" in page.data
    assert _status(app, held) == "pending"
    assert "Alice on her phone" not in reader.get(POST).get_data(as_text=True)

    done = reader.post(path)
    assert done.status_code == 200 and b"your comment is published" in done.data
    assert _status(app, held) == "published"
    assert "Alice on her phone" in reader.get(POST).get_data(as_text=True)
    assert b"already published" in reader.post(path).data
    assert app.test_cli_runner().invoke(args=["comments", "notify"]).output.startswith("0 sent")


def test_a_link_for_an_address_no_longer_approved_publishes_nothing(
        tmp_path: Path, seed_dir: Path) -> None:
    """The moderator marked Alice's approved comment as spam before the link was opened."""
    app = _site(tmp_path, seed_dir, "first")
    _, first = _post(_client(app, OFFICE), "Alice's first", email=ALICE)
    _approve(app, first)
    _, held = _post(_client(app, ELSEWHERE), "Held for the link", email=ALICE)
    with app.app_context():
        moderation.moderate(db.session, [first], "spam")
        db.session.remove()
    path = f"/comments/confirm/{held}/{comment_trust.confirm_token(SECRET, held, ALICE)}"
    assert _client(app, ELSEWHERE).post(path).status_code == 404
    assert _status(app, held) == "pending"
    with app.app_context():
        db.engine.dispose()
