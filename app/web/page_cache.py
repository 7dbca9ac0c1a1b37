"""Whole-response caching keyed by the site generation, so every worker sees changes at once.

The one cache of the app's built responses: blog pages (cached_html) and the bodies of
feeds, the sitemap and robots.txt (cached_body). Every key holds the site generation, read
once per request from the shared database (web.generation: never remembered
across requests), and the visibility epoch (how many scheduled publish or expiry dates have
passed), so a change made by any worker or an import is seen on the next request.

A cached page is stored once, as bytes: a page without a comment form also gzip-compressed
once; one with a form with the form token (which changes once a second) in place, put in
anew at the first hit of each second. A hit costs a generation read (on SQLite, one `PRAGMA
data_version`; else one prepared SELECT) and two cache lookups.

Each stored value carries the stamp it was built for: (generation, visibility epoch) for
pages and bodies, the generation alone for per-generation values. The first time a process
sees a newer stamp, everything stamped older leaves its memory, the fast path's copies and,
on Redis, the shared cache (an index of keys per stamp, kept in Redis beside them): old
pages go at once, not when a size threshold fills.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

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
class Tokened:
    """The body of a page with comment forms as sent during one second: the form token
    (which changes once a second) in place. Replaced whole when the second changes, so a
    page is held once, and a hit neither signs nor joins (nor compresses) within a second."""

    second: int | None  # None: no token in place yet (an empty one)
    secret: str
    body: bytes
    starts: tuple[int, ...]  # where each copy of the token begins
    length: int  # the length of the token in place
    gzipped: bytes | None = None  # made at the first gzip request of the second

    def retokened(self, token: bytes, second: int, secret: str) -> Tokened:
        """The same page with another token in place."""
        parts, previous = [], 0
        for start in self.starts:
            parts.append(self.body[previous:start])
            previous = start + self.length
        parts.append(self.body[previous:])
        shift = len(token) - self.length
        return Tokened(second, secret, token.join(parts),
                       tuple(start + n * shift for n, start in enumerate(self.starts)),
                       len(token))


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as bytes, ready to send, with its validators precomputed."""

    plain: bytes  # the body of a page without a comment form (b"" for one with)
    token_page: int | None  # the page whose comment form token its forms carry
    gzipped: bytes | None  # precompressed body when it has no per-request part
    etag: str  # the header value, e.g. W/"abc"
    last_modified: str  # the header value (HTTP date)
    built: datetime
    csp: str | None = None  # the page's own policy (hashes of its inline styles), if any
    current: list[Tokened] = field(default_factory=list, compare=False, repr=False)  # one


@dataclass(frozen=True)
class FastPathOffer:
    """A page the view just served from the cache, and what it was valid for."""

    engine: Engine
    generation: int
    epoch: int
    until: float  # time.time() from which the visibility epoch is another (inf: never)
    entry: CachedPage
    # The headers of a plain GET, by (gzip-compressed, HTTPS): made at the first such hit.
    headers: dict[tuple[bool, bool], list[tuple[str, str]]] = field(default_factory=dict,
                                                                     compare=False)


Stamp = tuple[int, int | None]  # (generation, epoch order), None: valid for a whole generation
_LAST = 1 << 63  # the epoch order of epoch 0: no publish or expiry date ahead, the last


def _stamp(generation: int, epoch: int | None) -> Stamp:
    return generation, None if epoch is None else (epoch or _LAST)


def _older(stamp: Stamp, newest: tuple[int, int]) -> bool:
    """Whether a value stamped `stamp` can serve no request once `newest` was seen."""
    generation, order = stamp
    return generation < newest[0] or (order is not None and generation == newest[0]
                                      and order < newest[1])


class _SharedIndex:
    """Which keys of the shared cache (Redis) hold values of which stamp, kept in Redis too:
    a set of keys per stamp and a set of the stamps, so that any process that sees a newer
    stamp deletes the keys of older ones, whoever wrote them."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.stamps = f"{prefix}page-stamps"
        self.prefix = f"{prefix}page-keys:"

    @staticmethod
    def _name(stamp: Stamp) -> str:
        return str(stamp[0]) if stamp[1] is None else f"{stamp[0]}:{stamp[1]}"

    def add(self, key: str, stamp: Stamp) -> None:
        name = self._name(stamp)
        pipe = self.client.pipeline(transaction=False)
        pipe.sadd(self.prefix + name, key)
        pipe.sadd(self.stamps, name)
        pipe.execute()

    def sweep(self, newest: tuple[int, int]) -> None:
        """Delete the keys of every stamp older than newest, and their index."""
        for raw in self.client.smembers(self.stamps):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            generation, _, order = name.partition(":")
            if not _older((int(generation), int(order) if order else None), newest):
                continue
            keys = [k.decode() if isinstance(k, bytes) else str(k)
                    for k in self.client.smembers(self.prefix + name)]
            if keys:
                cache.delete_many(*keys)
            pipe = self.client.pipeline(transaction=False)
            pipe.delete(self.prefix + name)
            pipe.srem(self.stamps, name)
            pipe.execute()


def _shared_index() -> _SharedIndex | None:
    """The index for a Redis cache backend; None for others (their old keys stay until the
    backend's own threshold or timeout)."""
    backend = getattr(cache, "cache", None)
    client = getattr(backend, "_write_client", None)
    prefix = getattr(backend, "_get_prefix", None)
    if client is None or not callable(prefix) or not hasattr(client, "smembers"):
        return None
    return _SharedIndex(client, prefix())


class _LocalCache:
    """A per-process LRU in front of the shared cache, bounded by the bytes of its pages.

    Safe because page keys never change meaning: a key names one generation of one page.
    It saves unpickling a 20 KB page from the shared cache on every hit. Values of stamps
    older than the newest seen are dropped at once (`see`), here and in the shared cache.
    """

    def __init__(self, max_bytes: int = 32 << 20, shared: bool = True,
                 index: _SharedIndex | None = None) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.shared = shared  # False: the cache backend lives in this process too
        self.index = index  # the shared cache's keys per stamp (Redis), if kept
        self.items: OrderedDict[str, object] = OrderedDict()
        self.stamps: dict[str, Stamp] = {}
        self.newest: tuple[int, int] = (-1, -1)  # the newest (generation, order) seen
        self.on_newer: list[Callable[[int], None]] = []  # told the newest generation
        # Told each value that leaves (evicted, older, dropped): other holders of the same
        # page (the WSGI fast path) let go of it too, so this bound is the process's.
        self.on_forget: list[Callable[[object], None]] = []

    def see(self, generation: int, epoch: int | None = None) -> None:
        """A request saw this generation (and epoch): if newer than any before, forget
        everything stamped older, in this process and in the shared cache."""
        stamp = _stamp(generation, epoch)
        newest = (generation, -1 if stamp[1] is None else stamp[1])
        if newest <= self.newest:
            return
        self.newest = newest
        for key in [k for k, stamp in list(self.stamps.items()) if _older(stamp, newest)]:
            self._forget(key)
        for listener in self.on_newer:
            listener(generation)
        if self.shared and self.index is not None:
            self.index.sweep(newest)

    def get(self, key: str, stamp: Stamp) -> object | None:
        """The value for key, from this process or else the shared cache."""
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
            return value
        value = cache.get(key) if self.shared else None
        if value is not None:
            self.put(key, value, stamp)
        return value

    def set(self, key: str, value: object, stamp: Stamp) -> None:
        """Store in the shared cache and here (nothing when a newer stamp was seen)."""
        if _older(stamp, self.newest):
            return
        if self.shared:
            cache.set(key, value, timeout=0)
            if self.index is not None:
                self.index.add(key, stamp)
        self.put(key, value, stamp)

    def put(self, key: str, value: object, stamp: Stamp) -> None:
        """Remember locally, forgetting the least recently used entries past the byte limit."""
        if _older(stamp, self.newest):
            return
        if key in self.items:
            self._forget(key)
        self.items[key] = value
        self.stamps[key] = stamp
        self.bytes += _weight(value)
        while self.bytes > self.max_bytes and len(self.items) > 1:
            self._forget(next(iter(self.items)))

    def _forget(self, key: str) -> None:
        value = self.items.pop(key, None)
        if value is not None:
            self.bytes -= _weight(value)
            for listener in self.on_forget:
                listener(value)
        self.stamps.pop(key, None)

    def drop(self, prefix: str) -> None:
        """Forget every entry whose key starts with prefix (benchmarks, tests)."""
        for key in [k for k in list(self.items) if k.startswith(prefix)]:
            self._forget(key)


def _weight(value: object) -> int:
    """About what a cached value costs in memory."""
    if isinstance(value, CachedPage):
        held = value.current[0] if value.current else None
        return (400 + len(value.plain) + len(value.gzipped or b"")
                + (len(held.body) + len(held.gzipped or b"") if held else 0))
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
            current_app.config["PAGE_CACHE_MB"] << 20, shared=shared,
            index=_shared_index() if shared else None)
        fast = current_app.extensions.get("page_fast_path")
        if fast is not None:  # it holds only what we hold: older pages and evicted ones go
            found.on_newer.append(fast.forget_before)
            found.on_forget.append(fast.forget_entry)
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
        return CachedPage(body, None, gzip.compress(body, 6, mtime=0), etag, modified, built,
                          csp)
    end = body.index(b"%%", start + len(_MARKER_PREFIX))
    page_id = int(body[start + len(_MARKER_PREFIX):end])
    parts = body.split(body[start:end + 2])  # every form on it gets the token
    starts = tuple(itertools.accumulate(len(part) for part in parts[:-1]))
    return CachedPage(b"", page_id, None, etag, modified, built, csp,
                      [Tokened(None, "", b"".join(parts), starts, 0)])


def offer(entry: CachedPage, generation: int, epoch: int) -> None:
    """Hand a shared page to the WSGI fast path, which serves it until the site changes."""
    until = epoch / 1e6 if epoch else math.inf  # the next publish or expiry moment
    request.environ[FAST_PATH_OFFER] = FastPathOffer(db.engine, generation, epoch, until, entry)


def per_generation(name: str, compute: Callable[[], T]) -> T:
    """A value derived from the site's content, computed once per generation and process."""
    generation = request_generation(db.engine)
    pages = local()
    pages.see(generation)
    key = f"{name}:{generation}"
    items = pages.items
    if key in items:
        items.move_to_end(key)
        return items[key]  # type: ignore[return-value]
    value = compute()
    pages.put(key, value, _stamp(generation, None))
    return value


def current_epoch() -> tuple[int, int]:
    """(generation, visibility epoch): the part of page keys that changes with the site.
    Seeing them drops what older ones left in the caches."""
    generation = request_generation(db.engine)
    pages = local()
    pages.see(generation)
    bounds_key = f"bounds:{generation}"
    stamp = _stamp(generation, None)
    bounds = pages.get(bounds_key, stamp)
    if bounds is None:
        bounds = visibility_boundaries(db.session)
        pages.set(bounds_key, bounds, stamp)
    epoch = visibility_epoch(bounds)  # type: ignore[arg-type]
    pages.see(generation, epoch)
    return generation, epoch


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
    body, zipped = page_body(entry, secret, "gzip" in accept_encoding)
    if zipped:
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, body


def page_body(entry: CachedPage, secret: str, gzip_ok: bool) -> tuple[bytes, bool]:
    """The body to send now, and whether it is gzip-compressed (only when gzip_ok)."""
    if entry.token_page is None:
        if gzip_ok and entry.gzipped is not None:
            return entry.gzipped, True
        return entry.plain, False
    second = int(time.time())
    held = entry.current[0]
    if held.second != second or held.secret != secret:
        token = form_token(secret, entry.token_page, second).encode()
        held = entry.current[0] = held.retokened(token, second, secret)
    if not gzip_ok:
        return held.body, False
    if held.gzipped is None:
        held = entry.current[0] = replace(held, gzipped=gzip.compress(held.body, 1, mtime=0))
    return held.gzipped or b"", True


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
    stamp = _stamp(generation, epoch)
    entry = local().get(key, stamp)
    if entry is None:
        html = build()
        if html is None:
            return None
        entry = make_entry(html)
        local().set(key, entry, stamp)
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
    stamp = _stamp(generation, epoch)
    body = local().get(key, stamp)
    if body is None:
        body = build()
        if body is None:
            return None
        local().set(key, body, stamp)
    return body  # type: ignore[return-value]


def personal_html(html: str) -> Response:
    """A page made for one reader (their own comments): never stored by any cache."""
    return respond(make_entry(html), shared=False)
