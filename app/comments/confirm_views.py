"""The double opt-in link of a held comment: a page that asks, and the POST that publishes."""

from __future__ import annotations

from flask import render_template

from app.comments import bp
from app.extensions import db
from app.models import Comment
from app.services.comments import notify
from app.services.comments import trust as comment_trust
from app.services.comments.rules import MAX_ID
from app.services.site.state import bump_generation
from app.web.origin import secret

_TOKEN_CHARS = frozenset("0123456789abcdef")


def _valid_shape(comment_id: int, token: str) -> bool:
    return 0 < comment_id < MAX_ID and len(token) == 32 and set(token) <= _TOKEN_CHARS


@bp.get("/comments/confirm/<int:comment_id>/<token>")
def confirm_page(comment_id: int, token: str) -> tuple[str, int]:
    """Ask before publishing: mail scanners follow links, only a POST publishes."""
    state = "ask" if _valid_shape(comment_id, token) else "bad"
    return render_template("comments/confirm.html", state=state, comment=None), (
        200 if state == "ask" else 404)


@bp.post("/comments/confirm/<int:comment_id>/<token>")
def confirm(comment_id: int, token: str) -> tuple[str, int]:
    """Publish the held comment (the token, sent only to its address, is the proof)."""
    state = (comment_trust.confirm(db.session, secret(), comment_id, token)
             if _valid_shape(comment_id, token) else "bad")
    if state == "bad":
        db.session.rollback()
        return render_template("comments/confirm.html", state=state, comment=None), 404
    comment = db.session.get(Comment, comment_id)
    if state == "published" and comment is not None:
        notify.queue_replies(db.session, [comment])
        bump_generation(db.session)
        db.session.commit()
    return render_template("comments/confirm.html", state=state, comment=comment), 200
