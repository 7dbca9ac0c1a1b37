"""Permalinks to comments: `/comments/N` redirects to the page of its thread that shows it.

A post pages its thread (COMMENTS_PER_PAGE top-level comments a page), so `#comment-N` alone
only works on the page holding N. Feeds and notification mails link here; it works without
JavaScript, and the redirect is temporary because a comment's page is fixed but its post's
URL may change on re-import.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import abort, redirect
from werkzeug.wrappers import Response

from app.comments import bp
from app.comments.edge import settings, viewer_ids
from app.content.urls import escape_path
from app.extensions import db
from app.services.comments import threads as service
from app.services.comments.rules import CommentError
from app.web.site import site


def comment_href(comment_id: int, own: Collection[int]) -> str | None:
    """The URL (escaped) of the page of its thread that shows a comment, with `#comment-N`;
    None when no post shows it to this viewer (`own`: the comments they wrote)."""
    try:
        location = service.comment_location(db.session, comment_id, settings().per_page, own,
                                            site().article_defaults)
    except CommentError:
        return None
    path, _, fragment = location.partition("#")
    base, _, query = path.partition("?")
    return escape_path(base) + (f"?{query}" if query else "") + f"#{fragment}"


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int) -> Response:
    """302 to `post/?comments=P#comment-N`; 404 for a comment no reader can see."""
    href = comment_href(comment_id, viewer_ids())
    if href is None:
        abort(404)
    response = redirect(href, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
