"""Whole-page caching keyed by the site generation, so every worker sees changes at once.

A cached page is stored as bytes, split around the comment form token (the only part that
changes per request) and, when it has no token, also gzip-compressed once. A hit costs a
generation read (one prepared SELECT), two cache lookups and a bytes join.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, request

from app.extensions import cache, db
from app.services.comment_tokens import form_token
from app.services.pages import visibility_boundaries, visibility_epoch
from app.services.site_state import generation_reader

TOKEN_MARKER = "%%COMMENT_FORM_TOKEN:{page_id}%%"  # noqa: S105 - a placeholder, not a secret
_MARKER_PREFIX = b"%%COMMENT_FORM_TOKEN:"


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as bytes, ready to send."""

    before: bytes  # the body up to the form token (all of it when there is none)
    after: bytes
    token_page: int | None  # the page whose comment form token goes between the parts
    gzipped: bytes | None  # precompressed body when it has no per-request part
    etag: str
    built: datetime


def make_entry(html: str) -> CachedPage:
    """Split and precompress a freshly rendered page."""
    body = html.encode()
    etag = hashlib.sha256(body).hexdigest()[:20]
    built = datetime.now(UTC).replace(microsecond=0)
    start = body.find(_MARKER_PREFIX)
    if start == -1:
        return CachedPage(body, b"", None, gzip.compress(body, 6, mtime=0), etag, built)
    end = body.index(b"%%", start + len(_MARKER_PREFIX))
    page_id = int(body[start + len(_MARKER_PREFIX):end])
    return CachedPage(body[:start], body[end + 2:], page_id, None, etag, built)


def current_epoch() -> tuple[int, int]:
    """(generation, visibility epoch): the part of page keys that changes with the site."""
    generation = generation_reader.read(db.engine)
    bounds_key = f"bounds:{generation}"
    bounds = cache.get(bounds_key)
    if bounds is None:
        bounds = visibility_boundaries(db.session)
        cache.set(bounds_key, bounds, timeout=0)
    return generation, visibility_epoch(bounds)


def respond(entry: CachedPage, shared: bool = True) -> Response:
    """A response for a cached page, honouring conditional requests and gzip."""
    response = Response(mimetype="text/html")
    response.set_etag(entry.etag, weak=True)
    response.last_modified = entry.built
    if shared:
        max_age = current_app.config["PAGE_SHARED_MAX_AGE"]
        response.headers["Cache-Control"] = (
            f"public, max-age=0, s-maxage={max_age}, stale-while-revalidate={max_age * 6}"
        )
    else:
        response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Accept-Encoding")
    if request.if_none_match.contains_weak(entry.etag) or (
        not request.if_none_match and request.if_modified_since
        and request.if_modified_since >= entry.built
    ):
        response.status_code = 304
        return response
    if entry.token_page is None:
        if entry.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            response.set_data(entry.gzipped)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response.set_data(entry.before)
        return response
    token = form_token(current_app.config["SECRET_KEY"], entry.token_page).encode()
    body = entry.before + token + entry.after
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, 1, mtime=0)
        response.headers["Content-Encoding"] = "gzip"
    response.set_data(body)
    return response


def cached_html(build: Callable[[], str | None]) -> Response | None:
    """Serve the page from the cache or build it; None when build finds nothing."""
    generation, epoch = current_epoch()
    key = f"view:{generation}:{epoch}:{request.path}"
    entry = cache.get(key)
    if entry is None:
        html = build()
        if html is None:
            return None
        entry = make_entry(html)
        cache.set(key, entry, timeout=0)
    return respond(entry)


def personal_html(html: str) -> Response:
    """A page made for one reader (their own comments): never stored by any cache."""
    return respond(make_entry(html), shared=False)
