"""The JSON API under /api/: threads, posting, editing, deleting, counts and preview."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from app.comments import api
from app.comments.edge import (
    check_api_origin,
    check_body_size,
    settings,
    viewer_ids,
)
from app.comments.openapi import OPENAPI
from app.comments.serialize import comment_json, thread_json
from app.extensions import db
from app.models import Page
from app.render.comment_markdown import render_comment
from app.services.comments import threads as service
from app.services.comments.rules import MAX_ID, CommentError, validate
from app.services.comments.tokens import (
    AUTHOR_COOKIE,
    author_cookie,
    check_form_token,
    form_token,
)
from app.services.site.article import shows_comments
from app.services.site.queries import find_page
from app.web.origin import client_ip, secret
from app.web.site import site

MAX_COUNT_URLS = 100
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@api.errorhandler(CommentError)
def _comment_error(error: CommentError) -> tuple[Response, int]:
    return jsonify(error.as_json()), error.status


@api.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    return jsonify({"error": error.description or error.name, "code": error.name.lower()
                    .replace(" ", "_")}), status


@api.before_request
def _refuse_foreign_writes() -> None:
    if request.method in WRITES:
        check_api_origin()


def json_body() -> dict[str, Any]:
    """The request's JSON object, checked for size, type and text (CommentError)."""
    check_body_size()
    if not request.is_json:
        raise CommentError(415, "send the body as application/json", None, "unsupported_media")
    request.get_data(cache=True)  # raises 413 past the limit, even for a chunked body
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise CommentError(400, "the JSON body nests too deeply", None, "bad_json") from None
    if not isinstance(data, dict):
        raise CommentError(400, "the body must be a JSON object", None, "bad_json")
    try:  # "\ud800" is valid JSON but not Unicode text: nothing could store or show it
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise CommentError(400, "the JSON body holds a lone surrogate (\\ud800-\\udfff), "
                           "which is not text", None, "bad_json") from None
    return data


def set_author_cookie(response: BaseResponse, comment_id: int) -> None:
    """Remember in this browser that it wrote comment_id (HttpOnly, SameSite=Lax)."""
    response.set_cookie(
        AUTHOR_COOKIE, author_cookie(secret(), viewer_ids(), comment_id),
        max_age=30 * 24 * 3600, httponly=True, samesite="Lax", secure=request.is_secure,
        path="/",
    )


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(OPENAPI)


def _positive_arg(name: str) -> int | None:
    """A query argument that must be a positive integer (None when absent; else 400)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < MAX_ID:
        raise CommentError(400, f"{name} must be a whole number from 1", name, "bad_" + name)
    return int(raw)


@api.get("/comments")
def get_thread() -> Response:
    """A page of a post's thread (`page`, or the one showing `comment`): published comments,
    plus the viewer's own pending ones, COMMENTS_PER_PAGE top-level comments a page."""
    url = request.args.get("url", "")
    number, wanted = _positive_arg("page") or 1, _positive_arg("comment")
    page = service.thread_page(db.session, url)
    own = viewer_ids()
    rules = settings()
    shown = shows_comments(page, site().article_defaults)
    if shown:
        if wanted is not None:
            comment, number = service.comment_page(db.session, wanted, rules.per_page, own)
            if comment.page_id != page.id:
                raise CommentError(404, "no such comment", "comment", "not_found")
        thread = service.thread_slice(db.session, page.id, number, rules.per_page, own, own)
        count = service.counts(db.session, [page.id]).get(page.id, 0)
    else:  # the page shows no comments: the API lists none either, and takes none
        if number > 1 or wanted is not None:
            raise CommentError(404, "no such page of comments", "page", "not_found")
        thread, count = service.ThreadSlice([], 1, 1), 0
    response = jsonify({
        "url": page.url_path,
        "closed": bool(page.comments_closed) or not shown,
        "count": count,
        "page": thread.number,
        "pages": thread.pages,
        "per_page": rules.per_page,
        "form_token": form_token(secret(), page.id),
        "comments": thread_json(thread.nodes, rules.edit_window),
    })
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.post("/comments")
def post_comment() -> tuple[Response, int]:
    """Post a comment: 201 when published, 202 when held for moderation."""
    data = json_body()
    rules = settings()
    if data.get("homepage"):
        raise CommentError(400, "this field must be left empty", "homepage", "honeypot")
    entry = validate(data, rules)
    page = service.thread_page(db.session, entry.url)
    check_form_token(secret(), data.get("form_token"), page.id, rules.min_fill_seconds)
    comment = service.create_comment(db.session, entry, client_ip(), secret(), rules, page=page,
                                     own_ids=viewer_ids(),
                                     article_defaults=site().article_defaults)
    response = jsonify({"comment": comment_json(comment, True, rules.edit_window)})
    set_author_cookie(response, comment.id)
    return response, 201 if comment.status == "published" else 202


@api.patch("/comments/<int:comment_id>")
def patch_comment(comment_id: int) -> Response:
    """Edit your own comment within the edit window."""
    data = json_body()
    rules = settings()
    entry_text = data.get("text")
    if not isinstance(entry_text, str) or len(entry_text.strip()) < rules.min_text:
        raise CommentError(400, "text is required", "text", "required")
    if len(entry_text) > rules.max_text:
        raise CommentError(400, f"text is too long (at most {rules.max_text} characters)",
                           "text", "too_long")
    comment = service.edit_comment(db.session, comment_id, viewer_ids(), entry_text.strip(),
                                   rules)
    return jsonify({"comment": comment_json(comment, True, rules.edit_window)})


@api.delete("/comments/<int:comment_id>")
def delete_comment(comment_id: int) -> Response:
    """Delete your own comment within the edit window."""
    rules = settings()
    marker = service.delete_comment(db.session, comment_id, viewer_ids(), rules)
    return jsonify({"deleted": True,
                    "comment": comment_json(marker, True, rules.edit_window) if marker else None})


@api.get("/comments/counts")
def get_counts() -> Response:
    """Published comment counts for several post URLs (`?url=...&url=...`)."""
    urls = request.args.getlist("url")[:MAX_COUNT_URLS]
    result: dict[str, int] = {}
    pages: dict[int, str] = {}
    for url in urls:
        page: Page | None = None
        if url.startswith("/") and "\x00" not in url and len(url) <= 1024:
            page = find_page(db.session, url if url.endswith("/") else url + "/")
        if page is not None:
            pages[page.id] = url
        result[url] = 0
    for page_id, count in service.counts(db.session, list(pages)).items():
        result[pages[page_id]] = count
    return jsonify({"counts": result})


@api.post("/comments/preview")
def preview() -> Response:
    """Render comment Markdown exactly as it would be stored."""
    data = json_body()
    text = data.get("text")
    if not isinstance(text, str):
        raise CommentError(400, "text must be text", "text", "type")
    if len(text) > settings().max_text:
        raise CommentError(400, "text is too long", "text", "too_long")
    return jsonify({"html": render_comment(text)})
