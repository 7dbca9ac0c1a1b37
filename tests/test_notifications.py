"""Reply emails: queued on a published reply, sent over real SMTP, stopped by one click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Notification
from tests.conftest import make_app
from tests.smtp_server import Inbox, free_port

POST = "/posts/the-rise-of-ai-generated-images/"


def _site(tmp_path: Path, seed_dir: Path, port: int, **overrides: object) -> Flask:
    settings: dict[str, object] = {
        "COMMENTS_MODERATION": "none", "COMMENTS_MIN_FILL_SECONDS": 0,
        "MAIL_FROM": "blog@example.org", "SITE_BASE_URL": "https://blog.example.org",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none",
        **overrides}
    app = make_app(tmp_path, **settings)
    result = app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return app


def _comment(client: FlaskClient, text: str, **fields: Any) -> dict[str, Any]:
    token = client.get("/api/comments", query_string={"url": POST}).get_json()["form_token"]
    response = client.post("/api/comments", json={"url": POST, "text": text,
                                                  "form_token": token, **fields})
    assert response.status_code in (201, 202), response.get_json()
    return response.get_json()["comment"]


def _notify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["comments", "notify"])
    return result.exit_code, result.output


def test_a_reply_emails_the_author_who_asked_once(tmp_path: Path, seed_dir: Path,
                                                  smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port)
    ann, bob = app.test_client(), app.test_client()
    first = _comment(ann, "What model made these?", author="Ann", email="ann@example.com",
                     notify=True)
    _comment(ann, "No emails for me.", author="Ann2", email="ann2@example.com")
    reply = _comment(bob, "Mostly **Stable Diffusion**.", author="Bob", email="bob@example.com",
                     parent_id=first["id"])
    _comment(ann, "Thanks! (my own reply: no email to myself)", author="Ann",
             email="ann@example.com", parent_id=reply["id"])
    _comment(bob, "A top-level comment notifies nobody.", author="Bob")

    code, output = _notify(app)
    assert code == 0 and "1 sent, 0 failed" in output, output
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "ann@example.com"
    assert mail["From"] == "AI Images Blog <blog@example.org>"
    assert mail["Subject"] == ("Bob replied to your comment on "
                               "\u201cThe Rise of AI-Generated Images: A Creative Revolution\u201d")
    body = mail.get_content()
    assert "> Mostly **Stable Diffusion**." in body
    assert f"https://blog.example.org/comments/{reply['id']}\r\n" in body  # the permalink:
    location = app.test_client().get(f"/comments/{reply['id']}").headers["Location"]
    assert location == f"{POST}#comment-{reply['id']}"  # (its thread has one page)
    assert "bob@example.com" not in mail.as_string()  # the replier's address is never shown
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith(
        f"<https://blog.example.org/comments/unsubscribe/{first['id']}/")

    assert _notify(app)[1].startswith("0 sent")  # nothing is sent twice
    assert len(inbox.messages) == 1


def test_one_click_unsubscribe_stops_every_reply_email(tmp_path: Path, seed_dir: Path,
                                                      smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port)
    ann, bob = app.test_client(), app.test_client()
    first = _comment(ann, "Notify me.", author="Ann", email="Ann@Example.com", notify=True)
    second = _comment(ann, "Me too.", author="Ann", email="ann@example.com", notify=True)
    _comment(bob, "Reply one.", author="Bob", parent_id=first["id"])
    assert _notify(app)[0] == 0 and len(inbox.messages) == 1
    link = inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix(
        "https://blog.example.org")

    page = app.test_client().get(link)
    assert page.status_code == 200 and b"Stop reply emails" in page.data
    assert len(inbox.messages) == 1  # following the link (a mail scanner) changes nothing
    clicked = app.test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    assert b"no more reply emails will be sent to Ann@Example.com" in clicked.data
    with app.app_context():
        wanted = db.session.execute(select(Comment.notify).where(
            Comment.id.in_([first["id"], second["id"]]))).scalars().all()
    assert wanted == [False, False]

    _comment(bob, "Reply two.", author="Bob", parent_id=second["id"])
    assert _notify(app)[1].startswith("0 sent")
    assert len(inbox.messages) == 1

    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    assert app.test_client().post(forged).status_code == 404
    assert app.test_client().get("/comments/unsubscribe/1/not-a-token").status_code == 404


def test_a_held_reply_emails_only_once_a_moderator_approves_it(
        tmp_path: Path, seed_dir: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, port, COMMENTS_MODERATION="all")
    runner = app.test_cli_runner()
    first = _comment(app.test_client(), "Held, then approved.", author="Ann",
                     email="ann@example.com", notify=True)
    assert runner.invoke(args=["comments", "approve", str(first["id"])]).exit_code == 0
    reply = _comment(app.test_client(), "A held reply.", author="Bob",
                     parent_id=first["id"])
    assert _notify(app)[1].startswith("0 sent")
    assert inbox.messages == []
    assert runner.invoke(args=["comments", "approve", str(reply["id"])]).exit_code == 0
    assert _notify(app)[1].startswith("1 sent")
    assert "A held reply." in inbox.messages[0].get_content()


def test_an_unreachable_server_is_retried_later(tmp_path: Path, seed_dir: Path,
                                                smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _site(tmp_path, seed_dir, free_port())  # nothing listens there
    first = _comment(app.test_client(), "Notify me.", author="Ann", email="ann@example.com",
                     notify=True)
    _comment(app.test_client(), "A reply.", author="Bob", parent_id=first["id"])
    code, output = _notify(app)
    assert code == 1 and "0 sent, 1 failed" in output and "ConnectionRefusedError" in output
    with app.app_context():
        note = db.session.execute(select(Notification)).scalar_one()
        assert note.sent_at is None and note.attempts == 1
    app.config["SMTP_PORT"] = port
    assert _notify(app) == (0, "1 sent, 0 failed (will retry, at most 5 tries), "
                               "0 no longer wanted\n")
    assert len(inbox.messages) == 1


def test_sending_needs_a_from_address_and_the_site_url(tmp_path: Path, seed_dir: Path) -> None:
    app = _site(tmp_path, seed_dir, 25, MAIL_FROM="")
    code, output = _notify(app)
    assert code == 1 and "set MAIL_FROM" in output
    app.config.update(MAIL_FROM="blog@example.org", SITE_BASE_URL="")
    code, output = _notify(app)
    assert code == 1 and "set SITE_BASE_URL" in output
