"""What every comment endpoint checks at the edge: origin, body size, client, settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from app.services.comments.rules import CommentError, CommentSettings
from app.services.comments.tokens import AUTHOR_COOKIE, read_author_ids


def settings() -> CommentSettings:
    """Comment rules from the app config."""
    return CommentSettings.from_config(current_app.config)


def secret() -> str:
    """The key that signs tokens and keys hashes."""
    key: str = current_app.config["SECRET_KEY"]
    return key


def viewer_ids() -> set[int]:
    """Ids of comments this browser wrote (from its signed cookie)."""
    return read_author_ids(secret(), request.cookies.get(AUTHOR_COOKIE))


def client_ip() -> str:
    """The client address (ProxyFix has already applied trusted X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def _is_this_site(source: str) -> bool:
    """True when an Origin or Referer names this site's scheme and host."""
    try:
        parts = urlsplit(source)
    except ValueError:  # "http://[::1" and other unparsable headers
        return False
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.host}"


def check_same_origin() -> None:
    """Refuse state-changing requests from other sites (Origin, else Referer, must match)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        if current_app.config.get("COMMENTS_ALLOW_NO_ORIGIN", False):
            return
        raise CommentError(403, "cross-site request refused (no Origin or Referer)", None,
                           "csrf")
    if not _is_this_site(source):
        raise CommentError(403, "cross-site request refused", None, "csrf")


def check_api_origin() -> None:
    """Refuse a JSON write a browser sent from another site (its Origin is not this site).

    Browsers send Origin with every POST, PATCH and DELETE made by fetch(), so a page on
    another site is always named; a client that is not a browser (curl, a script) sends
    none and is judged by the rest of the checks.
    """
    origin = request.headers.get("Origin")
    if origin is not None and not _is_this_site(origin):
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
