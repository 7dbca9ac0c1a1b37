"""Who is asking: the client's address, and whether a request comes from this site.

Shared by every blueprint that takes a write (the comment form and API, the admin): each
turns a refusal into its own error (a JSON error, a 403 page).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request


def secret() -> str:
    """The key that signs tokens and keys hashes."""
    return str(current_app.config["SECRET_KEY"])


def client_ip() -> str:
    """The client address (ProxyFix has already applied trusted X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def is_this_site(source: str) -> bool:
    """True when an Origin or Referer names this site's scheme and host."""
    try:
        parts = urlsplit(source)
    except ValueError:  # "http://[::1" and other unparsable headers
        return False
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.host}"


def cross_site_refusal() -> str | None:
    """Why a state-changing form post must be refused as cross-site, or None to go on.

    Origin, else Referer, must name this site; a request naming neither is refused unless
    COMMENTS_ALLOW_NO_ORIGIN is set (clients that strip both headers).
    """
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        if current_app.config.get("COMMENTS_ALLOW_NO_ORIGIN", False):
            return None
        return "cross-site request refused (no Origin or Referer)"
    if not is_this_site(source):
        return "cross-site request refused"
    return None


def foreign_origin() -> bool:
    """True when a browser sent this request from a page of another site.

    Browsers send Origin with every POST, PATCH and DELETE made by fetch(), so a page on
    another site is always named; a client that is not a browser (curl, a script) sends
    none and is judged by the rest of the checks.
    """
    origin = request.headers.get("Origin")
    return origin is not None and not is_this_site(origin)
