"""What every comment endpoint checks at the edge: origin, body size, client, settings.

The origin rules themselves are app/web/origin.py's; here a refusal becomes a CommentError,
which the form and the API answer in their own way."""

from __future__ import annotations

from flask import current_app, request

from app.services.comments.rules import CommentError, CommentSettings
from app.services.comments.tokens import AUTHOR_COOKIE, read_author_ids
from app.web.origin import cross_site_refusal, foreign_origin, secret


def settings() -> CommentSettings:
    """Comment rules from the app config."""
    return CommentSettings.from_config(current_app.config)


def viewer_ids() -> set[int]:
    """Ids of comments this browser wrote (from its signed cookie)."""
    return read_author_ids(secret(), request.cookies.get(AUTHOR_COOKIE))


def check_same_origin() -> None:
    """Refuse state-changing form posts from other sites (Origin, else Referer, must match)."""
    refusal = cross_site_refusal()
    if refusal is not None:
        raise CommentError(403, refusal, None, "csrf")


def check_api_origin() -> None:
    """Refuse a JSON write a browser sent from another site (its Origin is not this site)."""
    if foreign_origin():
        raise CommentError(403, "cross-site request refused: the Origin header names another "
                           "site", None, "foreign_origin")


def check_body_size() -> None:
    """Refuse bodies over the comment limit before reading them."""
    limit = settings().max_body
    # Also bounds a chunked body, which has no Content-Length: reading past it raises 413.
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise CommentError(413, f"request body is too large (at most {limit} bytes)", None,
                           "too_large")
