"""Security headers on every response, and the request log line with its request id."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, Response, g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
_REQUEST_ID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
log = logging.getLogger("blog.request")


def _request_id() -> str:
    # Keep a proxy's id (nginx $request_id) when it is sane; never log raw client input.
    given = request.headers.get("X-Request-ID", "")
    if 0 < len(given) <= 64 and set(given) <= _REQUEST_ID_OK:
        return given
    return uuid.uuid4().hex


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
        g.request_id = _request_id()

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_REQUESTS", True):
            started = g.get("request_started", time.perf_counter())
            log.info(json.dumps({
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
                "bytes": response.calculate_content_length(),
            }, separators=(",", ":")))
        return response
