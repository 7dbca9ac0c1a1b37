"""Signed tokens: which comments a browser wrote, and when a comment form was loaded."""

from __future__ import annotations

import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from app.services.comment_rules import CommentError

AUTHOR_COOKIE = "comment_auth"
MAX_REMEMBERED = 30
FORM_TOKEN_MAX_AGE = 7 * 24 * 3600


def read_author_ids(secret: str, cookie: str | None) -> set[int]:
    """Comment ids this browser may edit (checked against the edit window elsewhere)."""
    if not cookie:
        return set()
    try:
        ids = URLSafeSerializer(secret, salt="comment-auth").loads(cookie)
    except BadSignature:
        return set()
    return {int(i) for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def author_cookie(secret: str, ids: set[int], new_id: int) -> str:
    """The cookie value after writing comment new_id (most recent ids kept)."""
    kept = sorted(ids | {new_id})[-MAX_REMEMBERED:]
    return URLSafeSerializer(secret, salt="comment-auth").dumps(kept)


def form_token(secret: str, page_id: int) -> str:
    """A token for a comment form, stamped with the time it was served."""
    return URLSafeTimedSerializer(secret, salt="comment-form").dumps(page_id)


def check_form_token(secret: str, token: object, page_id: int, min_fill_seconds: int) -> None:
    """Refuse a form posted too fast, for another post, or with a forged or stale token."""
    if not isinstance(token, str) or not token:
        raise CommentError(400, "form_token is missing; reload the page", "form_token")
    serializer = URLSafeTimedSerializer(secret, salt="comment-form")
    try:
        value, issued = serializer.loads(token, max_age=FORM_TOKEN_MAX_AGE, return_timestamp=True)
    except SignatureExpired:
        raise CommentError(400, "the form is too old; reload the page", "form_token",
                           "expired") from None
    except BadSignature:
        raise CommentError(400, "form_token is not valid; reload the page", "form_token") from None
    if value != page_id:
        raise CommentError(400, "form_token belongs to another post", "form_token")
    if time.time() - issued.timestamp() < min_fill_seconds:
        raise CommentError(400, "the comment was sent too quickly; please try again",
                           "form_token", "too_fast")
