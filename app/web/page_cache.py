"""Whole-response caching keyed by the site generation, so every worker sees changes at once.

The one cache of the app's built responses: blog pages (cached_html) and the bodies of
feeds, the sitemap and robots.txt (cached_body). Every key holds the site generation, read
once per request from the shared database (web.generation: never remembered
across requests), and the visibility epoch (how many scheduled publish or expiry dates have
passed), so a change made by any worker or an import is seen on the next request.

A cached page is stored as bytes, split around the comment form token (the only part that
changes per request) and, when it has no token, also gzip-compressed once. A hit costs a
generation read (one prepared SELECT), two cache lookups and a bytes join.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flask import Response, current_app, request
from sqlalchemy.engine import Engine
from werkzeug.http import http_date, parse_date

from app.extensions import cache, db
from app.services.comments.tokens import form_token
from app.services.site.queries import visibility_boundaries, visibility_epoch
from app.web import style_hashes
from app.web.generation import request_generation
from app.web.security import content_security_policy
from app.web.site import site

TOKEN_MARKER = "%%COMMENT_FORM_TOKEN:{page_id}%%"  # noqa: S105 - a placeholder, not a secret
_MARKER_PREFIX = b"%%COMMENT_FORM_TOKEN:"
VIEW_PREFIX = "view:"  # what the keys of cached pages start with


T = TypeVar("T")
FAST_PATH_OFFER = "blog.fast_path_offer"  # the WSGI environ key of a FastPathOffer


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as bytes, ready to send, with its validators precomputed."""

    before: bytes  # the body up to the form token (all of it when there is none)
    after: bytes
    token_page: int | None  # the page whose comment form token goes between the parts
    gzipped: bytes | None  # precompressed body when it has no per-request part
    etag: str  # the header value, e.g. W/"abc"
    last_modified: str  # the header value (HTTP date)
    built: datetime
    csp: str | None = None  # the page's own policy (hashes of its inline styles), if any
    more: tuple[bytes, ...] = ()  # the parts after further copies of the token, if any


@dataclass(frozen=True)
class FastPathOffer:
    """A page the view just served from the cache, and what it was valid for."""

    engine: Engine
    generation: int
    epoch: int
    bounds: object  # the visibility boundaries of that generation
    entry: CachedPage


class _LocalCache:
    """A per-process LRU in front of the shared cache, bounded by the bytes of its pages.

    Safe because page keys never change meaning: a key names one generation of one page.
    It saves unpickling a 20 KB page from the shared cache on every hit.
    """

    def __init__(self, max_bytes: int = 32 << 20, shared: bool = True) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.shared = shared  # False: the cache backend lives in this process too
        self.items: OrderedDict[str, object] = OrderedDict()

    def get(self, key: str) -> object | None:
        """The value for key, from this process or else the shared cache."""
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
            return value
        value = cache.get(key) if self.shared else None
        if value is not None:
            self.put(key, value)
        return value

    def set(self, key: str, value: object) -> None:
        """Store in the shared cache and here."""
        if self.shared:
            cache.set(key, value, timeout=0)
        self.put(key, value)

    def put(self, key: str, value: object) -> None:
        """Remember locally, forgetting the least recently used entries past the byte limit."""
        old = self.items.get(key)
        if old is not None:
            self.bytes -= _weight(old)
        self.items[key] = value
        self.items.move_to_end(key)
        self.bytes += _weight(value)
        while self.bytes > self.max_bytes and len(self.items) > 1:
            _, dropped = self.items.popitem(last=False)
            self.bytes -= _weight(dropped)

    def drop(self, prefix: str) -> None:
        """Forget every entry whose key starts with prefix (benchmarks, tests)."""
        for key in [k for k in self.items if k.startswith(prefix)]:
            self.bytes -= _weight(self.items.pop(key))


def _weight(value: object) -> int:
    """About what a cached value costs in memory."""
    if isinstance(value, CachedPage):
        return 400 + len(value.before) + len(value.after) + len(value.gzipped or b"")
    if isinstance(value, bytes):
        return 100 + len(value)
    return 1024


def local() -> _LocalCache:
    """This app's local cache (one per app: tests run many apps in one process)."""
    found = current_app.extensions.get("page_cache_local")
    if found is None:
        # A process-local backend (SimpleCache) would only hold a second, pickled copy.
        shared = str(current_app.config.get("CACHE_TYPE", "")).lower() not in (
            "simplecache", "simple", "nullcache", "null")
        found = current_app.extensions["page_cache_local"] = _LocalCache(
            current_app.config["PAGE_CACHE_MB"] << 20, shared=shared)
    return found


def make_entry(html: str) -> CachedPage:
    """Split and precompress a freshly rendered page (with the policy its styles need)."""
    hashes = style_hashes.recorded()
    csp = content_security_policy(hashes) if hashes else None
    body = html.encode()
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    built = datetime.now(UTC).replace(microsecond=0)
    modified = http_date(built)
    start = body.find(_MARKER_PREFIX)
    if start == -1:
        return CachedPage(body, b"", None, gzip.compress(body, 6, mtime=0), etag, modified,
                          built, csp)
    end = body.index(b"%%", start + len(_MARKER_PREFIX))
    page_id = int(body[start + len(_MARKER_PREFIX):end])
    before, after, *more = body.split(body[start:end + 2])  # every form on it gets the token
    return CachedPage(before, after, page_id, None, etag, modified, built, csp, tuple(more))


def offer(entry: CachedPage, generation: int, epoch: int) -> None:
    """Hand a shared page to the WSGI fast path, which serves it until the site changes."""
    request.environ[FAST_PATH_OFFER] = FastPathOffer(
        db.engine, generation, epoch, local().get(f"bounds:{generation}"), entry)


def per_generation(name: str, compute: Callable[[], T]) -> T:
    """A value derived from the site's content, computed once per generation and process."""
    key = f"{name}:{request_generation(db.engine)}"
    items = local().items
    if key in items:
        items.move_to_end(key)
        return items[key]  # type: ignore[return-value]
    value = compute()
    local().put(key, value)
    return value


def current_epoch() -> tuple[int, int]:
    """(generation, visibility epoch): the part of page keys that changes with the site."""
    generation = request_generation(db.engine)
    bounds_key = f"bounds:{generation}"
    bounds = local().get(bounds_key)
    if bounds is None:
        bounds = visibility_boundaries(db.session)
        local().set(bounds_key, bounds)
    return generation, visibility_epoch(bounds)  # type: ignore[arg-type]


def not_modified(entry: CachedPage, if_none_match: str | None,
                 if_modified_since: str | None) -> bool:
    """Whether a conditional request's validators still match the entry."""
    if if_none_match is not None:
        return (if_none_match.strip() == "*" or entry.etag in if_none_match
                or entry.etag[2:] in if_none_match)
    since = parse_date(if_modified_since) if if_modified_since else None
    return since is not None and since >= entry.built


def answer(entry: CachedPage, *, shared_max_age: int | None, secret: str,
           if_none_match: str | None = None, if_modified_since: str | None = None,
           accept_encoding: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for a cached page; `shared_max_age` None: private.

    Pure, so that the WSGI fast path (app/web/fast_path.py) and the view answer alike.
    """
    if shared_max_age is not None:
        control = (f"public, max-age=0, s-maxage={shared_max_age}, "
                   f"stale-while-revalidate={shared_max_age * 6}")
    else:
        control = "private, no-store"
    headers = [("ETag", entry.etag), ("Last-Modified", entry.last_modified),
               ("Cache-Control", control), ("Vary", "Accept-Encoding")]
    if entry.csp:
        headers.append(("Content-Security-Policy", entry.csp))
    if not_modified(entry, if_none_match, if_modified_since):
        return 304, headers, b""
    headers.append(("Content-Type", "text/html; charset=utf-8"))
    gzip_ok = "gzip" in accept_encoding
    if entry.token_page is None:
        if gzip_ok and entry.gzipped is not None:
            headers.append(("Content-Encoding", "gzip"))
            return 200, headers, entry.gzipped
        return 200, headers, entry.before
    token = form_token(secret, entry.token_page).encode()
    body = token.join((entry.before, entry.after, *entry.more))
    if gzip_ok:
        body = gzip.compress(body, 1, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, body


def respond(entry: CachedPage, shared: bool = True) -> Response:
    """A response for a cached page, honouring conditional requests and gzip."""
    config = current_app.config
    status, headers, body = answer(
        entry, shared_max_age=config["PAGE_SHARED_MAX_AGE"] if shared else None,
        secret=config["SECRET_KEY"], if_none_match=request.headers.get("If-None-Match"),
        if_modified_since=request.headers.get("If-Modified-Since"),
        accept_encoding=request.headers.get("Accept-Encoding", ""))
    return Response(body or None, status=status, headers=headers)


def cached_html(build: Callable[[], str | None], variant: str = "") -> Response | None:
    """Serve the page from the cache or build it; None when build finds nothing.

    `variant` names what else than the path the page depends on (e.g. `?comments=2`, a
    later page of a post's thread); such a page is cached under its own key and never
    offered to the fast path, which answers only URLs without a query string.
    """
    generation, epoch = current_epoch()
    # Pages hold absolute URLs built from the Host header when SITE_BASE_URL is unset: key on
    # the host then, so that a forged Host can never reach other readers through the cache.
    host = "" if site().base_url else request.host
    key = (f"{VIEW_PREFIX}{current_app.config['BUILD_ID']}:{generation}:{epoch}:{host}:"
           f"{request.path}{variant}")
    entry = local().get(key)
    if entry is None:
        html = build()
        if html is None:
            return None
        entry = make_entry(html)
        local().set(key, entry)
    if not variant:
        offer(entry, generation, epoch)  # type: ignore[arg-type]
    return respond(entry)  # type: ignore[arg-type]


def cached_body(key_parts: tuple[str, ...], build: Callable[[], bytes | None]) -> bytes | None:
    """A response body from the cache, or built and stored; None when build finds nothing.

    Keyed like pages (build, generation, visibility epoch) and then by `key_parts`, which
    must name everything else the body depends on (e.g. the route and path).
    """
    generation, epoch = current_epoch()
    key = ":".join(("body", current_app.config["BUILD_ID"], str(generation), str(epoch),
                    *key_parts))
    body = local().get(key)
    if body is None:
        body = build()
        if body is None:
            return None
        local().set(key, body)
    return body  # type: ignore[return-value]


def personal_html(html: str) -> Response:
    """A page made for one reader (their own comments): never stored by any cache."""
    return respond(make_entry(html), shared=False)
