"""GET /search?q=&page= (HTML) and GET /search.json?q=&page= (JSON for scripts)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request

from app.content.urls import escape_path
from app.extensions import db
from app.filters import iso_date
from app.search import bp
from app.services.search import PAGE_SIZE, SearchResults, clean_query, search

MAX_PAGE = 1000
MAX_AGE = 60


def _page_number() -> int:
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1
    return min(max(number, 1), MAX_PAGE)


def _results() -> tuple[SearchResults, int]:
    number = _page_number()
    query = clean_query(request.args.get("q", ""))
    lang = current_app.config["SITE_LANGUAGE"]
    return search(db.session, query, lang, PAGE_SIZE, (number - 1) * PAGE_SIZE), number


def _cacheable(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.route("/search")
def results() -> Response:
    """The results page: the query echoed, a count, ranked hits with snippets, pages."""
    found, number = _results()
    html = render_template("search/results.html", results=found, page_number=number)
    return _cacheable(Response(html, mimetype="text/html"))


@bp.route("/search.json")
def results_json() -> Response:
    """The same hits as JSON: title, url, date, snippet (HTML with <mark>)."""
    found, number = _results()
    return _cacheable(jsonify(
        query=found.query,
        total=found.total,
        page=number,
        pages=found.pages,
        hits=[{
            "title": hit.page.title,
            "url": escape_path(hit.page.url_path),
            "date": iso_date(hit.page.date) or None,
            "snippet": str(hit.snippet_html),
        } for hit in found.hits],
    ))
