"""`flask comments export`: every comment, every status, as UTF-8 JSON for the admin."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db as _db
from app.models import Comment, Page
from app.services.comments import moderation
from app.services.comments.export import FORMAT_VERSION, export_comments
from app.services.comments.rules import CommentInput, CommentSettings
from app.services.comments.threads import create_comment, remove

POST = "/posts/the-rise-of-ai-generated-images/"
SECRET = "test-secret-key-that-is-long-enough-for-tests"
OPEN = CommentSettings(moderation="none", rate_limit=1000)
HELD = CommentSettings(moderation="all", rate_limit=1000)
FIELDS = {"id", "thread_url", "post_title", "parent_id", "reply_to_id", "depth", "status",
          "deleted", "author", "email", "website", "text_md", "text_html", "notify",
          "created_at", "updated_at", "external_id"}


def _comment(text: str, settings: CommentSettings = OPEN, parent_id: int | None = None,
             email: str | None = "reader@example.com", author: str = "Reader") -> Comment:
    entry = CommentInput(POST, parent_id, author, email, "https://reader.example/", text,
                         bool(email))
    return create_comment(_db.session, entry, "198.51.100.7", SECRET, settings)


@pytest.fixture
def comments(app: Flask, runner: FlaskCliRunner, seed_dir: Path) -> dict[str, int]:
    """One comment of every kind on the seed post."""
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    with app.app_context():
        published = _comment("Héllo, *wörld* — published")
        pending = _comment("Held for moderation", HELD, email="new@example.com")
        spam = _comment("Buy things", email=None, author="Spammer")
        moderation.moderate(_db.session, [spam.id], "spam")
        doomed = _comment("I will be deleted", email="gone@example.com")
        reply = _comment("A reply that keeps the marker", parent_id=doomed.id)
        remove(_db.session, [doomed])
        _db.session.commit()
        imported = Comment(page_id=published.page_id, thread_url=POST, status="published",
                           author="Old Disqus user", author_key="k", text_md="Old",
                           text_html="<p>Old</p>", external_id="disqus:42",
                           created_at=datetime(2020, 1, 1, 12, 0, 0))
        _db.session.add(imported)
        _db.session.commit()
        return {"published": published.id, "pending": pending.id, "spam": spam.id,
                "marker": doomed.id, "reply": reply.id, "imported": imported.id}


def _export(runner: FlaskCliRunner, *args: str) -> dict:
    result = runner.invoke(args=["comments", "export", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_comment_every_status(runner: FlaskCliRunner, comments: dict[str, int]) -> None:
    data = _export(runner, "-")
    assert data["format"] == "hugo-flask-blog/comments" and data["version"] == FORMAT_VERSION
    assert data["generated_at"].endswith("Z")
    by_id = {c["id"]: c for c in data["comments"]}
    assert set(by_id) == set(comments.values())
    assert data["counts"] == {"total": 6, "threads": 1, "deleted": 1, "published": 4,
                              "pending": 1, "spam": 1}
    for record in data["comments"]:
        assert set(record) == FIELDS
    assert by_id[comments["pending"]]["status"] == "pending"
    assert by_id[comments["spam"]]["status"] == "spam"
    marker = by_id[comments["marker"]]
    assert marker["deleted"] is True and marker["text_md"] == "" and marker["email"] is None
    reply = by_id[comments["reply"]]
    assert reply["parent_id"] == comments["marker"] and reply["depth"] == 1
    assert by_id[comments["imported"]]["external_id"] == "disqus:42"
    assert data["comments"][0]["id"] == comments["imported"]  # oldest first


def test_admin_export_keeps_emails_and_sources(runner: FlaskCliRunner,
                                               comments: dict[str, int]) -> None:
    by_id = {c["id"]: c for c in _export(runner)["comments"]}  # no FILE: stdout
    first = by_id[comments["published"]]
    assert first["email"] == "reader@example.com"
    assert first["website"] == "https://reader.example/"
    assert first["text_md"] == "Héllo, *wörld* — published"
    assert "<em>wörld</em>" in first["text_html"]
    assert first["notify"] is True
    assert first["thread_url"] == POST
    assert first["post_title"].startswith("The Rise of AI-Generated Images")
    assert first["created_at"].endswith("Z") and first["updated_at"] is None


def test_export_to_a_file_is_utf8_json(runner: FlaskCliRunner, comments: dict[str, int],
                                       tmp_path: Path) -> None:
    target = tmp_path / "backup.json"
    result = runner.invoke(args=["comments", "export", str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert "Héllo, *wörld*".encode() in raw  # not \u-escaped
    assert raw.startswith(b'{\n  "format"')  # indent 2
    assert len(json.loads(raw.decode("utf-8"))["comments"]) == 6


def test_comments_of_a_removed_post_are_exported(app: Flask, comments: dict[str, int]) -> None:
    with app.app_context():
        for row in _db.session.query(Comment):
            row.page_id = None
        _db.session.query(Page).delete()
        _db.session.commit()
        data = export_comments(_db.session)
    assert data["counts"]["total"] == 6
    assert {c["post_title"] for c in data["comments"]} == {None}
    assert {c["thread_url"] for c in data["comments"]} == {POST}


def test_empty_export(app: Flask) -> None:
    with app.app_context():
        data = export_comments(_db.session)
    assert data["comments"] == [] and data["counts"]["total"] == 0
