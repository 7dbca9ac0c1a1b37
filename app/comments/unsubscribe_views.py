"""The unsubscribe link of reply emails: a confirmation page, and the one-click POST."""

from __future__ import annotations

from flask import render_template

from app.comments import bp
from app.extensions import db
from app.services.comments import notify
from app.services.comments.rules import MAX_ID
from app.web.origin import secret

_TOKEN_CHARS = frozenset("0123456789abcdef")


def _valid_shape(comment_id: int, token: str) -> bool:
    return 0 < comment_id < MAX_ID and len(token) == 32 and set(token) <= _TOKEN_CHARS


@bp.get("/comments/unsubscribe/<int:comment_id>/<token>")
def unsubscribe_page(comment_id: int, token: str) -> tuple[str, int]:
    """Ask before stopping: mail scanners follow links, only a POST unsubscribes."""
    state = "ask" if _valid_shape(comment_id, token) else "bad"
    return render_template("comments/unsubscribe.html", state=state), (
        200 if state == "ask" else 404)


@bp.post("/comments/unsubscribe/<int:comment_id>/<token>")
def unsubscribe(comment_id: int, token: str) -> tuple[str, int]:
    """Stop reply emails (RFC 8058 one-click: the token is the proof, no Origin needed)."""
    email = (notify.unsubscribe(db.session, secret(), comment_id, token)
             if _valid_shape(comment_id, token) else None)
    if email is None:
        return render_template("comments/unsubscribe.html", state="bad"), 404
    return render_template("comments/unsubscribe.html", state="done", email=email), 200
