"""What every request is checked for before any view sees it: body size, query encoding, NULs.

Also the session cookie's Secure flag, which follows the request's scheme.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request, abort, request
from flask.sessions import SecureCookieSessionInterface

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChunkedBodyLimit:
    """Give a body sent without Content-Length (chunked) a length, reading at most `limit`.

    Werkzeug bounds such a body only by silently cutting it, so a view would see truncated
    JSON or form data and answer 400. Read here, the body gets a real Content-Length: the
    size checks below and in the views then work as for any other request. A body longer
    than the limit is dropped and marked with a length one past it, which is refused (413).
    """

    def __init__(self, app: WSGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> (
        Iterable[bytes]
    ):
        if (environ.get("REQUEST_METHOD") in BODY_METHODS
                and not environ.get("CONTENT_LENGTH")
                and (environ.get("wsgi.input_terminated")
                     or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower())):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                body = b""
                environ["CONTENT_LENGTH"] = str(self.limit + 1)
            else:
                environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(body)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class SchemeAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            bool(request) and request.is_secure)


def _query_is_utf8(req: Request) -> bool:
    raw = req.environ.get("QUERY_STRING", "")
    if raw.isascii():
        return True
    try:
        raw.encode("latin-1").decode("utf-8")  # WSGI hands raw bytes over as latin-1
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def init_edge(app: Flask) -> None:
    """Install the body and query checks and the scheme-aware session cookie."""
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, limit)  # type: ignore[method-assign]
    app.session_interface = SchemeAwareSessionInterface()

    @app.before_request
    def _check_edge() -> None:
        # Views that never read their body would otherwise accept any size.
        if request.content_length is not None and request.content_length > limit:
            abort(413)
        if not _query_is_utf8(request):
            abort(400, description="The query string is not valid UTF-8.")
        # No page, file or parameter holds a NUL, and PostgreSQL refuses it in any text.
        if "\x00" in request.path:
            abort(404)
        if "%00" in request.query_string.decode("latin-1") or "\x00" in request.environ.get(
                "QUERY_STRING", ""):
            abort(400, description="The query string holds a NUL character.")
