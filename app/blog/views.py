"""Blog routes: one dispatcher that finds what a URL names, as Hugo's published tree would."""

from __future__ import annotations

import posixpath

from flask import Response, abort, current_app, redirect, render_template, request

from app.blog import bp
from app.blog.page_cache import TOKEN_MARKER, cached_html, personal_html
from app.content.urls import escape_path
from app.extensions import db
from app.models import Page
from app.services import comments
from app.services import pages as queries
from app.services.comment_rules import CommentSettings
from app.services.comment_tokens import AUTHOR_COOKIE, read_author_ids
from app.services.rendering import rendered_page

FILE_MAX_AGE = 60 * 60 * 24 * 365


def _lang() -> str:
    return current_app.config["SITE_LANGUAGE"]


def article_flag(page: Page, name: str) -> bool:
    """A Blowfish article flag: the page's front matter, else the site default."""
    value = page.param(name)
    if isinstance(value, bool):
        return value
    return bool(current_app.config["ARTICLE_DEFAULTS"].get(name.lower(), False))


def _viewer_comment_ids() -> set[int]:
    return read_author_ids(current_app.config["SECRET_KEY"], request.cookies.get(AUTHOR_COOKIE))


def _personal(page: Page) -> comments.Personal:
    """The viewer's comments on this page that only they may see or still edit."""
    window = CommentSettings.from_config(current_app.config).edit_window
    return comments.personal_ids(db.session, page.id, _viewer_comment_ids(), window)


def _render_post(page: Page, own: comments.Personal | None = None) -> str:
    pending = own.pending if own else frozenset()
    editable = own.editable if own else frozenset()
    rendered = rendered_page(page)
    before, _, after = rendered.html.partition("<!--blog:comments-->")
    tags = [link.term for link in page.terms if link.term.taxonomy == "tags"]
    categories = [link.term for link in page.terms if link.term.taxonomy == "categories"]
    return render_template(
        "blog/post.html",
        page=page,
        rendered=rendered,
        body_before=before,
        body_after=after,
        comments_inline=rendered.has_comments_marker,
        toc_shown=article_flag(page, "showTableOfContents") and rendered.toc_has_entries,
        thread=comments.build_thread(
            comments.visible_comments(db.session, page.id, pending), editable),
        comment_count=comments.counts(db.session, [page.id]).get(page.id, 0),
        comments_closed=page.comments_closed,
        form_token_marker=TOKEN_MARKER.format(page_id=page.id),
        tags=tags,
        categories=categories,
        show=lambda name: article_flag(page, name),
    )


def _render_list(title: str, items: list[Page], intro: Page | None = None,
                 kind: str = "section") -> str:
    intro_html = rendered_page(intro).html if intro is not None and intro.body.strip() else ""
    return render_template("blog/list.html", title=title, items=items, intro=intro,
                           intro_html=intro_html, kind=kind,
                           comment_counts=comments.counts(db.session, [p.id for p in items]))


@bp.route("/")
def home() -> Response:
    """The home page: the site's intro and its most recent posts."""

    def build() -> str:
        lang = _lang()
        intro = queries.find_page(db.session, "/")
        items = queries.recent_pages(db.session, lang, queries.main_sections(db.session, lang))
        title = intro.title if intro is not None and intro.title else current_app.config[
            "SITE_TITLE"]
        return _render_list(title, items, intro, kind="home")

    response = cached_html(build)
    assert response is not None
    return response


def _taxonomy_view(path: str) -> str | None:
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts or parts[0] not in current_app.config["TAXONOMIES"]:
        return None
    taxonomy, lang = parts[0], _lang()
    intro = queries.find_page(db.session, f"/{taxonomy}/")
    if len(parts) == 1:
        counts = queries.terms_with_counts(db.session, taxonomy, lang)
        title = intro.title if intro is not None and intro.title else taxonomy.title()
        return render_template("blog/terms.html", title=title, taxonomy=taxonomy,
                               counts=counts, intro=intro)
    term = queries.find_term(db.session, taxonomy, "/".join(parts[1:]), lang)
    if term is None:
        return None
    items = queries.term_pages(db.session, term)
    if not items:
        return None
    return render_template("blog/list.html", title=term.name, items=items, intro=None,
                           intro_html="", kind="term", taxonomy=taxonomy, term=term,
                           comment_counts=comments.counts(db.session, [p.id for p in items]))


def _page_view(url_path: str) -> str | None:
    page = queries.find_page(db.session, url_path)
    if page is None:
        return _implicit_section(url_path)
    if page.kind == "page":
        return _render_post(page)
    items = queries.section_pages(db.session, page.section, page.lang)
    return _render_list(page.title or page.section.title(), items, page)


def _implicit_section(url_path: str) -> str | None:
    # Hugo makes a list page for every top-level folder, with or without an _index.md.
    section = url_path.strip("/")
    if not section or "/" in section:
        return None
    items = queries.section_pages(db.session, section, _lang())
    if not items:
        return None
    return _render_list(section.replace("-", " ").title(), items)


def _file_response(url_path: str) -> Response | None:
    found = queries.find_file(db.session, url_path)
    if found is None:
        return None
    bundle_file, data = found
    response = Response(data, mimetype=bundle_file.blob.media_type)
    response.set_etag(bundle_file.blob_sha256)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    if bundle_file.blob.media_type == "image/svg+xml":
        # An SVG is a document that can run script: never let it do so from our origin.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response.make_conditional(request)


def _personal_response(url_path: str) -> Response | None:
    """A post page with the viewer's own pending or editable comments: never shared."""
    if AUTHOR_COOKIE not in request.cookies:
        return None
    page = queries.find_page(db.session, url_path)
    if page is None or page.kind != "page":
        return None
    own = _personal(page)
    if not own:
        return None
    return personal_html(_render_post(page, own))


@bp.route("/<path:path>")
def resolve(path: str) -> Response:
    """Find what a path names: a page, a taxonomy, a bundle file or an alias."""
    url_path = "/" + path
    if url_path.endswith("/"):
        personal = _personal_response(url_path)
        if personal is not None:
            return personal
        response = cached_html(lambda: _taxonomy_view(url_path) or _page_view(url_path))
        if response is not None:
            return response
    else:
        found = _file_response(url_path)
        if found is not None:
            return found
        if not posixpath.splitext(path)[1] and queries.page_exists(db.session, url_path + "/"):
            return redirect(escape_path(url_path + "/"), code=301)
        if not posixpath.splitext(path)[1] and _taxonomy_view(url_path + "/") is not None:
            return redirect(escape_path(url_path + "/"), code=301)
    target = queries.find_alias(db.session, url_path)
    if target is not None:
        return redirect(escape_path(target), code=301)
    abort(404)
