"""Atom 1.0 feeds of published comments: the site's latest, and each post's thread."""

from __future__ import annotations

import re
from datetime import datetime
from itertools import islice
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response, abort, request

from app.comments import bp
from app.comments.edge import settings
from app.content.urls import escape_path
from app.extensions import db
from app.models import Comment, Page
from app.services.comments import feed_queries, threads
from app.services.comments.rules import CommentError
from app.services.site import queries
from app.services.site.article import shows_comments
from app.services.site.queries import utcnow
from app.web.site import site

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
SITE_LIMIT = 50
POST_LIMIT = 100
# Characters XML 1.0 cannot carry at all; a reader's name must not break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    element = SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _absolute(path: str) -> str:
    return request.url_root.rstrip("/") + escape_path(path)


def _thread_page_query(comment: Comment) -> str:
    """`?comments=P` when the comment is on a later page of its thread, else nothing."""
    try:
        number = threads.comment_page(db.session, comment.id, settings().per_page)[1]
    except CommentError:
        return ""
    return f"?comments={number}" if number > 1 else ""


def _entry(feed: Element, comment: Comment, page: Page) -> None:
    entry = _add(feed, "entry")
    host = request.host.split(":")[0] or "localhost"
    _add(entry, "id", f"tag:{host},{comment.created_at:%Y-%m-%d}:comment/{comment.id}")
    author_name = comment.author or "Anonymous"
    _add(entry, "title", f"Comment by {author_name} on {page.title or page.url_path}")
    author = _add(entry, "author")
    _add(author, "name", author_name)
    if comment.website:
        _add(author, "uri", comment.website)
    _add(entry, "published", _stamp(comment.created_at))
    _add(entry, "updated", _stamp(comment.updated_at or comment.created_at))
    _add(entry, "link", rel="alternate", type="text/html",
         href=_absolute(page.url_path) + _thread_page_query(comment) + f"#comment-{comment.id}")
    _add(entry, "content", comment.text_html, type="html")


def _feed(title: str, self_path: str, alternate: str,
          rows: list[tuple[Comment, Page]], fallback: datetime | None) -> Response:
    feed = Element("feed", xmlns=ATOM)
    _add(feed, "id", _absolute(self_path))
    _add(feed, "title", title)
    stamps = [c.updated_at or c.created_at for c, _ in rows]
    _add(feed, "updated", _stamp(max(stamps) if stamps else fallback or utcnow()))
    _add(feed, "link", rel="self", type="application/atom+xml", href=_absolute(self_path))
    _add(feed, "link", rel="alternate", type="text/html", href=_absolute(alternate))
    _add(feed, "generator", "hugo-flask-blog comments")
    for comment, page in rows:
        _entry(feed, comment, page)
    response = Response(tostring(feed, encoding="utf-8", xml_declaration=True),
                        content_type=ATOM_TYPE)
    response.cache_control.no_cache = True
    response.add_etag()
    response.make_conditional(request)  # in place: 304 when the ETag matches
    return response


@bp.get("/comments.xml")
def site_feed() -> Response:
    """The site's most recent published comments, newest first."""
    defaults = site().article_defaults
    shown = (row for row in feed_queries.recent_on_posts(db.session, SITE_LIMIT)
             if shows_comments(row[1], defaults))
    rows = list(islice(shown, SITE_LIMIT))
    title = f"Recent comments on {site().title}"
    return _feed(title, "/comments.xml", "/", rows, None)


@bp.get("/<path:post>/comments.xml")
def post_feed(post: str) -> Response:
    """One post's published comments, newest first; 404 unless it is a published post."""
    page = queries.find_page(db.session, "/" + post.strip("/") + "/")
    if page is None or page.kind != "page" or not shows_comments(
            page, site().article_defaults):
        abort(404)
    rows = [(comment, page)
            for comment in feed_queries.on_page(db.session, page.id, POST_LIMIT)]
    return _feed(f"Comments on {page.title or page.url_path}",
                 page.url_path + "comments.xml", page.url_path, rows,
                 page.lastmod or page.date or page.imported_at)
