"""Cached pages answered at the WSGI level: a hit never enters Flask's request machinery.

A page the view served from the page cache is offered here (page_cache.offer). The next
plain GET or HEAD of the same host and path is answered from this process's copy as long
as the site generation (app/services/site/state.py: on SQLite `PRAGMA data_version`,
a SELECT only after a commit) is the one the page was built for and the next publish or
expiry moment has not come. Anything else (a query string, a body, the comment author's
cookie, a miss, any error) goes to Flask unchanged, which answers and may offer the page
again.

The answer is the one the view would give: page_cache.answer builds both, and the security
headers, request id and log line come from app/web/security.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask

from app.extensions import cache
from app.services.comments.tokens import AUTHOR_COOKIE
from app.services.site.state import generation_reader
from app.web.generation import REQUEST_GENERATION
from app.web.page_cache import (
    FAST_PATH_OFFER,
    VIEW_PREFIX,
    FastPathOffer,
    answer,
    local,
    page_body,
)
from app.web.security import log_request, request_id_from, response_headers

MAX_ENTRIES = 1024  # pages; their bytes are the page cache's (an evicted page leaves here too)
_STATUS = {code: f"{code} {HTTPStatus(code).phrase}" for code in (200, 304)}
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Key = tuple[str, str, str, str]


class PageFastPath:
    """WSGI middleware in front of the Flask app; one per app, state per process."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner
        self.entries: dict[Key, FastPathOffer] = {}
        self.keys: dict[int, Key] = {}  # id() of each held page -> its key (for forget_entry)
        self.newest = -1  # the newest generation seen

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> (
        Iterable[bytes]
    ):
        started = time.perf_counter()
        key = _key(environ)
        if key is not None:
            offer = self.entries.get(key)
            if offer is not None and self._current(offer, environ):
                return self._answer(offer, environ, start_response, started)
        result = self.inner(environ, start_response)
        offered = environ.pop(FAST_PATH_OFFER, None)
        if key is not None and offered is not None:
            self._keep(key, offered)
        return result

    def _current(self, offer: FastPathOffer, environ: dict[str, Any]) -> bool:
        try:
            generation = generation_reader.read(offer.engine)
        except Exception:  # the view will answer (and report) whatever is wrong
            return False
        environ[REQUEST_GENERATION] = generation  # a stale offer: the view reads no second time
        return generation == offer.generation and time.time() < offer.until

    def _keep(self, key: Key, offer: FastPathOffer) -> None:
        if offer.generation < self.newest:
            return  # built for a generation already replaced
        if offer.generation > self.newest:
            self.forget_before(offer.generation)
        if key not in self.entries and len(self.entries) >= MAX_ENTRIES:
            self._drop(next(iter(self.entries)))  # the oldest offer
        self._drop(key)
        self.entries[key] = offer
        self.keys[id(offer.entry)] = key

    def _drop(self, key: Key) -> None:
        offer = self.entries.pop(key, None)
        if offer is not None and self.keys.get(id(offer.entry)) == key:
            del self.keys[id(offer.entry)]

    def forget_entry(self, entry: object) -> None:
        """The page cache let go of this page: so does the fast path (the cache's byte
        bound is then the bound of both; the same page is never held twice)."""
        key = self.keys.get(id(entry))
        if key is not None and (held := self.entries.get(key)) is not None \
                and held.entry is entry:
            self._drop(key)

    def forget_before(self, generation: int) -> None:
        """Drop the pages of generations older than this one, and those of visibility epochs
        past (the page cache calls it when a request first sees a newer generation or
        epoch)."""
        self.newest = max(self.newest, generation)
        now = time.time()
        self.entries = {key: offer for key, offer in list(self.entries.items())
                        if offer.generation >= self.newest and now < offer.until}
        self.keys = {id(offer.entry): key for key, offer in self.entries.items()}

    def _answer(self, offer: FastPathOffer, environ: dict[str, Any],
                start_response: StartResponse, started: float) -> Iterable[bytes]:
        config = self.app.config
        secure = environ.get("wsgi.url_scheme") == "https"
        gzip_ok = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            status, headers, body = answer(
                offer.entry, shared_max_age=config["PAGE_SHARED_MAX_AGE"],
                secret=config["SECRET_KEY"], if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
                if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
                accept_encoding="gzip" if gzip_ok else "")
            headers.extend(self._common(offer, secure))
        else:  # the usual request: its headers made once per page and kind of request
            status = 200
            body, zipped = page_body(offer.entry, config["SECRET_KEY"], gzip_ok)
            prepared = offer.headers.get((zipped, secure))
            if prepared is None:
                _, made, _ = answer(offer.entry, shared_max_age=config["PAGE_SHARED_MAX_AGE"],
                                    secret=config["SECRET_KEY"],
                                    accept_encoding="gzip" if zipped else "")
                prepared = offer.headers[(zipped, secure)] = made + self._common(offer, secure)
            headers = prepared[:]
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
        headers.append(("X-Request-ID", request_id))
        if status == 200:
            headers.append(("Content-Length", str(len(body))))
        start_response(_STATUS[status], headers)
        if config.get("LOG_REQUESTS", True):
            path = environ.get("PATH_INFO", "")
            if not path.isascii():  # the WSGI string of the raw bytes: decode as Flask does
                path = path.encode("latin-1", "replace").decode("utf-8", "replace")
            log_request(environ["REQUEST_METHOD"], path, status, started, request_id,
                        len(body))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    @staticmethod
    def _common(offer: FastPathOffer, secure: bool) -> list[tuple[str, str]]:
        """The security headers (the page's own policy, when it has one, sent instead)."""
        return [(name, value) for name, value in response_headers(secure)
                if not (offer.entry.csp and name == "Content-Security-Policy")]


def _key(environ: dict[str, Any]) -> Key | None:
    """What names a shareable page request, or None when the request may not use the path."""
    if (environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING")
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or AUTHOR_COOKIE in environ.get("HTTP_COOKIE", "")):
        return None
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return (environ.get("wsgi.url_scheme", "http"), host, environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""))


def init_fast_path(app: Flask) -> None:
    """Put the fast path in front of the app (inside ProxyFix, which must come later)."""
    if app.config.get("PAGE_FAST_PATH", True):
        fast = PageFastPath(app, app.wsgi_app)
        app.extensions["page_fast_path"] = fast  # what dropping the page cache must clear too
        app.wsgi_app = fast  # type: ignore[method-assign]


def forget_cached_pages(app: Flask) -> None:
    """Forget every page this process cached for `app`: the fast path's copies, the local
    cache's and the shared cache entries it wrote. The next request of each page renders it
    again (benchmarks of uncached views use it)."""
    fast = app.extensions.get("page_fast_path")
    if isinstance(fast, PageFastPath):
        fast.entries.clear()
        fast.keys.clear()
    with app.app_context():
        pages = local()
        views = [key for key in pages.items if key.startswith(VIEW_PREFIX)]
        if pages.shared and views:
            cache.delete_many(*views)
        pages.drop(VIEW_PREFIX)
