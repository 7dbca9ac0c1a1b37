"""Whole-page caching keyed by the site generation, so every worker sees changes at once."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, current_app, request

from app.extensions import cache, db
from app.services.comment_tokens import form_token
from app.services.pages import visibility_boundaries, visibility_epoch
from app.services.site_state import get_generation


def current_epoch() -> tuple[int, int]:
    """(generation, visibility epoch): the part of page keys that changes with the site."""
    generation = get_generation(db.session)
    bounds_key = f"bounds:{generation}"
    bounds = cache.get(bounds_key)
    if bounds is None:
        bounds = visibility_boundaries(db.session)
        cache.set(bounds_key, bounds, timeout=0)
    return generation, visibility_epoch(bounds)


_TOKEN_RE = re.compile(r"%%COMMENT_FORM_TOKEN:(\d+)%%")


def finish(body: str) -> str:
    """Fill per-request parts into a (possibly cached) page: fresh comment form tokens."""
    if "%%COMMENT_FORM_TOKEN:" not in body:
        return body
    secret = current_app.config["SECRET_KEY"]
    return _TOKEN_RE.sub(lambda m: form_token(secret, int(m.group(1))), body)


def cached_html(build: Callable[[], str | None]) -> Response | None:
    """Serve the page from the cache or build it; None when build finds nothing."""
    generation, epoch = current_epoch()
    key = f"view:{generation}:{epoch}:{request.path}"
    body = cache.get(key)
    if body is None:
        body = build()
        if body is None:
            return None
        cache.set(key, body, timeout=0)
    return Response(finish(body), mimetype="text/html")
