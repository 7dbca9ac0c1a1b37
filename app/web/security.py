"""Security headers on every response, and the request log line with its request id."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable

from flask import Flask, Response, g, request

from app.web import style_hashes

_CSP_BEFORE_STYLES = "default-src 'self'; script-src 'self'; style-src 'self'"
_CSP_AFTER_STYLES = (
    "; img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSP = _CSP_BEFORE_STYLES + _CSP_AFTER_STYLES  # no inline script or style at all


def content_security_policy(style_hashes: Iterable[str] = ()) -> str:
    """The policy; a page whose own content has inline styles allows those, by hash only."""
    hashes = sorted(set(style_hashes))
    if not hashes:
        return CSP
    return (_CSP_BEFORE_STYLES + " 'unsafe-hashes' " + " ".join(f"'{h}'" for h in hashes)
            + _CSP_AFTER_STYLES)


HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"
_REQUEST_ID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
log = logging.getLogger("blog.request")


def request_id_from(given: str) -> str:
    """Keep a proxy's id (nginx $request_id) when it is sane; never log raw client input."""
    if 0 < len(given) <= 64 and set(given) <= _REQUEST_ID_OK:
        return given
    return uuid.uuid4().hex


def response_headers(secure: bool, csp: str | None = None) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only over HTTPS); csp: the page's own."""
    headers = [(name, csp if csp and name == "Content-Security-Policy" else value)
               for name, value in HEADERS.items()]
    if secure:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def log_request(method: str, path: str, status: int, started: float, request_id: str | None,
                size: int | None) -> None:
    """The one JSON line per request."""
    log.info(json.dumps({
        "method": method,
        "path": path,
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 2),
        "request_id": request_id,
        "bytes": size,
    }, separators=(",", ":")))


def init_security(app: Flask) -> None:
    """Install the headers and the one-line-per-request JSON log."""
    if app.config.get("LOG_REQUESTS", True) and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get("X-Request-ID", ""))

    @app.after_request
    def _headers(response: Response) -> Response:
        csp = content_security_policy(style_hashes.recorded())
        for name, value in response_headers(request.is_secure, csp):
            response.headers.setdefault(name, value)
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_REQUESTS", True):
            log_request(request.method, request.path, response.status_code,
                        g.get("request_started", time.perf_counter()), request_id,
                        response.calculate_content_length())
        return response
