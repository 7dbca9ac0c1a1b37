"""Views and likes over the JSON API (Blowfish's showViews and showLikes, counted here).

Pages stay the same for every reader, so the page cache and the fast path keep serving
them: the numbers come from `GET /api/stats`, fetched by static/js/stats.js, which also
sends the view (`POST /api/views`) and the likes (`POST /api/likes`). Without JavaScript
the counts are not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, jsonify, request

from app.comments import api
from app.comments.api_views import json_body
from app.extensions import db
from app.services.stats import counters
from app.services.stats.counters import Reader, StatsError, StatsSettings
from app.web.origin import client_ip, secret
from app.web.site import site


@api.errorhandler(StatsError)
def _stats_error(error: StatsError) -> tuple[Response, int]:
    return jsonify(error.as_json()), error.status


def _reader() -> Reader:
    return Reader(client_ip(), request.headers.get("User-Agent", ""))


def _settings() -> StatsSettings:
    return StatsSettings.from_config(current_app.config)


def _defaults() -> Mapping[str, Any]:
    """The site's [params.article], read first: reading the settings may take a connection
    of its own (the site generation), which must not wait behind the session's."""
    return site().article_defaults


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.get("/stats")
def get_stats() -> Response:
    """Views and likes of several posts (`?url=...&url=...`), each where the post shows it."""
    defaults = _defaults()
    found = counters.page_counts(db.session, request.args.getlist("url"), defaults)
    return _private(jsonify({"stats": {
        url: {key: value for key, value in (("views", c.views), ("likes", c.likes))
              if value is not None}
        for url, c in found.items()}}))


@api.post("/views")
def post_view() -> Response:
    """Count a view of a post: once per reader and day, never for a bot."""
    defaults = _defaults()
    data = json_body()
    page = counters.stats_page(db.session, data.get("url"))
    result = counters.count_view(db.session, page, _reader(), secret(), _settings(), defaults)
    return _private(jsonify({"counted": result.changed, "views": result.count}))


@api.post("/likes")
def post_like() -> Response:
    """Like a post from this browser (its random token), or undo the like."""
    defaults = _defaults()
    data = json_body()
    page = counters.stats_page(db.session, data.get("url"))
    result = counters.toggle_like(db.session, page, data.get("token"), _reader(), secret(),
                                  _settings(), defaults)
    return _private(jsonify({"liked": result.changed, "likes": result.count}))
