"""Signed tokens: which comments a browser wrote, and when a comment form was loaded."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time

from itsdangerous import BadSignature, URLSafeSerializer

from app.services.comments.rules import CommentError

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


@functools.lru_cache(maxsize=8)
def _form_key(secret: str) -> bytes:
    # A key of its own, derived once: a form token can never pass for another signature.
    return hashlib.sha256(b"comment-form\x00" + secret.encode()).digest()


def _form_mac(secret: str, page_id: int, issued: int) -> str:
    digest = hmac.digest(_form_key(secret), f"{page_id}.{issued}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:18]).decode()


def form_token(secret: str, page_id: int, now: float | None = None) -> str:
    """A token for a comment form, stamped with the time it was served: `page.time.mac`.

    Minted on every page view, so it is a plain HMAC (a few microseconds) rather than an
    itsdangerous serializer (tens of microseconds).
    """
    issued = int(now if now is not None else time.time())
    return f"{page_id}.{issued}.{_form_mac(secret, page_id, issued)}"


def check_form_token(secret: str, token: object, page_id: int, min_fill_seconds: int) -> None:
    """Refuse a form posted too fast, for another post, or with a forged or stale token."""
    if not isinstance(token, str) or not token:
        raise CommentError(400, "form_token is missing; reload the page", "form_token")
    invalid = CommentError(400, "form_token is not valid; reload the page", "form_token")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(token) > 80:
        raise invalid
    token_page, issued = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _form_mac(secret, token_page, issued)):
        raise invalid
    if token_page != page_id:
        raise CommentError(400, "form_token belongs to another post", "form_token")
    age = time.time() - issued
    if age > FORM_TOKEN_MAX_AGE:
        raise CommentError(400, "the form is too old; reload the page", "form_token", "expired")
    if age < min_fill_seconds:
        raise CommentError(400, "the comment was sent too quickly; please try again",
                           "form_token", "too_fast")
