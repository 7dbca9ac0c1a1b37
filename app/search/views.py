"""GET [/<lang>]/search?q=&page= (HTML) and [/<lang>]/search.json (JSON for scripts).

Each language has its own search page under its prefix (/fr/search) that finds the pages
written in that language; /search is the default language's.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, make_response, render_template, request

from app.content.urls import escape_path
from app.extensions import db
from app.search import bp
from app.services.site.search import PAGE_SIZE, SearchResults, clean_query, search
from app.web.filters import iso_date
from app.web.site import site

MAX_PAGE = 1000
MAX_AGE = 60


def _page_number() -> int:
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1
    return min(max(number, 1), MAX_PAGE)


def _site_language(lang: str | None) -> str | None:
    """The language a search URL names, the default for /search; None when the site has
    no such prefixed language."""
    settings = site()
    default = settings.language
    if lang is None:
        return default
    if lang not in settings.language_codes or (lang == default
                                               and not settings.default_in_subdir):
        return None
    return lang


def _not_a_language() -> Response:
    """/faq/search is no search page: the site's own resolver answers (a page, or 404)."""
    return make_response(current_app.view_functions["blog.resolve"](path=request.path.lstrip("/")))


def _results(lang: str) -> tuple[SearchResults, int]:
    number = _page_number()
    query = clean_query(request.args.get("q", ""))
    return search(db.session, query, lang, PAGE_SIZE, (number - 1) * PAGE_SIZE), number


def _cacheable(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.route("/search", defaults={"lang": None})
@bp.route("/<lang_code:lang>/search")
def results(lang: str | None) -> Response:
    """The results page: the query echoed, a count, ranked hits with snippets, pages."""
    site_lang = _site_language(lang)
    if site_lang is None:
        return _not_a_language()
    found, number = _results(site_lang)
    html = render_template("search/results.html", results=found, page_number=number,
                           page_lang=site_lang, search_path=request.path)
    return _cacheable(Response(html, mimetype="text/html"))


@bp.route("/search.json", defaults={"lang": None})
@bp.route("/<lang_code:lang>/search.json")
def results_json(lang: str | None) -> Response:
    """The same hits as JSON: title, url, date, snippet (HTML with <mark>)."""
    site_lang = _site_language(lang)
    if site_lang is None:
        return _not_a_language()
    found, number = _results(site_lang)
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
