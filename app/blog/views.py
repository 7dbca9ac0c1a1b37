"""Blog routes: one dispatcher that finds what a URL names, as Hugo's published tree would."""

from __future__ import annotations

import posixpath
import re

from flask import Response, abort, current_app, redirect, render_template, request

from app.blog import bp, langs, navigation
from app.blog.seo import post_metadata, text_of
from app.content.urls import escape_path
from app.extensions import db
from app.models import Page
from app.services.comments import threads as comments
from app.services.comments.rules import CommentSettings
from app.services.comments.tokens import AUTHOR_COOKIE, read_author_ids
from app.services.site import queries
from app.services.site.article import article_flag
from app.services.site.bundles import find_variant
from app.services.site.rendering import rendered_page
from app.web.page_cache import TOKEN_MARKER, cached_html, per_generation, personal_html
from app.web.site import site

FILE_MAX_AGE = 60 * 60 * 24 * 365
_PAGER_RE = re.compile(r"^(.*/)page/(\d{1,9})/$")


def _viewer_comment_ids() -> set[int]:
    return read_author_ids(current_app.config["SECRET_KEY"], request.cookies.get(AUTHOR_COOKIE))


def _personal(page: Page) -> comments.Personal:
    """The viewer's comments on this page that only they may see or still edit."""
    window = CommentSettings.from_config(current_app.config).edit_window
    return comments.personal_ids(db.session, page.id, _viewer_comment_ids(), window)


def base_url() -> str:
    """The site's origin: SITE_BASE_URL, else this request's (the page cache keys on host)."""
    return site().base_url or request.url_root.rstrip("/")


def _render_post(page: Page, own: comments.Personal | None = None,
                 author_values: dict[str, str] | None = None) -> str:
    pending = own.pending if own else frozenset()
    editable = own.editable if own else frozenset()
    settings = site()
    rendered = rendered_page(page, settings)
    before, _, after = rendered.html.partition("<!--blog:comments-->")
    tags = [link.term for link in page.terms if link.term.taxonomy == "tags"]
    categories = [link.term for link in page.terms if link.term.taxonomy == "categories"]
    description = page.description or text_of(page.summary_html)[:200]
    older, newer = queries.neighbours(db.session, page)
    config = current_app.config
    defaults = settings.article_defaults
    return render_template(
        "blog/post.html",
        page=page,
        rendered=rendered,
        body_before=before,
        body_after=after,
        comments_inline=rendered.has_comments_marker,
        toc_shown=article_flag(page, defaults, "showTableOfContents")
        and rendered.toc_has_entries,
        thread=comments.build_thread(
            comments.visible_comments(db.session, page.id, pending), editable),
        comment_count=comments.counts(db.session, [page.id]).get(page.id, 0),
        comments_closed=page.comments_closed,
        form_token_marker=TOKEN_MARKER.format(page_id=page.id),
        tags=tags,
        categories=categories,
        show=lambda name: article_flag(page, defaults, name),
        description=description,
        meta=post_metadata(page, rendered.html, description, base_url(), settings.title,
                           settings.author, [t.name for t in tags]),
        older=older,
        newer=newer,
        related=queries.related(db.session, page, config["RELATED_LIMIT"]),
        updated=page.lastmod is not None and page.date is not None
        and page.lastmod.date() != page.date.date(),
        translations=langs.translations(page),
        page_lang=page.lang,
        author_values=author_values or {},
    )


def _render_list(title: str, paged: queries.Paged, base: str, intro: Page | None = None,
                 kind: str = "section", **extra: object) -> str | None:
    if paged.number > paged.pages:
        return None
    show_intro = intro is not None and intro.body.strip() and paged.number == 1
    intro_render = rendered_page(intro, site()) if show_intro else None
    intro_html = intro_render.html if intro_render is not None else ""
    extra.setdefault("page_lang", intro.lang if intro is not None else langs.split(base)[0])
    return render_template(
        "blog/list.html", title=title, items=paged.items, paged=paged, base=base,
        intro=intro, intro_html=intro_html, kind=kind,
        intro_shortcodes=intro_render.shortcodes if intro_render is not None else (),
        translations=langs.translations(intro) if intro is not None else [],
        comment_counts=comments.counts(db.session, [p.id for p in paged.items]), **extra)


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def _home(number: int, lang: str | None = None) -> str | None:
    lang = lang or langs.default_lang()
    base = langs.prefix(lang) + "/"
    intro = queries.find_page(db.session, base)
    sections = navigation.main_sections(lang)
    paged = queries.recent_pages(db.session, lang, sections, number, _page_size())
    if intro is None and not paged.total and base != "/":
        return None  # a language prefix with nothing in that language
    title = intro.title if intro is not None and intro.title else site().title
    return _render_list(title, paged, base, intro, kind="home", page_lang=lang)


@bp.route("/")
def home() -> Response:
    """The home page: the site's intro and its most recent posts."""
    response = cached_html(lambda: _home(1))
    assert response is not None
    return response


def _taxonomy_view(path: str, number: int = 1) -> str | None:
    lang, rest = langs.split(path)
    parts = [p for p in rest.strip("/").split("/") if p]
    if not parts or parts[0] not in site().taxonomies:
        return None
    taxonomy, base = parts[0], langs.prefix(lang)
    if len(parts) == 1:
        intro = queries.find_page(db.session, f"{base}/{taxonomy}/")
        counts = queries.terms_with_counts(db.session, taxonomy, lang)
        title = intro.title if intro is not None and intro.title else taxonomy.title()
        return render_template("blog/terms.html", title=title, taxonomy=taxonomy,
                               counts=counts, intro=intro, page_lang=lang, lang_base=base)
    term = queries.find_term(db.session, taxonomy, "/".join(parts[1:]), lang)
    if term is None:
        return None
    pages_only = per_generation("terms_on_pages_only",
                                lambda: queries.terms_on_pages_only(db.session))
    paged = queries.term_pages(db.session, term, number, _page_size(), pages_only)
    if not paged.total:
        return None
    intro = queries.find_page(db.session, path)  # the term's own _index.md, if it has one
    title = intro.title if intro is not None and intro.title else term.title or term.name
    return _render_list(title, paged, path, intro, kind="term", taxonomy=taxonomy,
                        term=term, page_lang=lang, lang_base=base)


def _page_view(url_path: str, number: int = 1) -> str | None:
    page = queries.find_page(db.session, url_path)
    if page is None:
        lang, rest = langs.split(url_path)
        return _home(number, lang) if rest == "/" else _implicit_section(url_path, number)
    if page.kind == "page":
        return _render_post(page) if number == 1 else None
    if page.kind == "home":
        return _home(number, page.lang)
    paged = queries.section_children(db.session, page.hugo_path, page.lang, number,
                                     _page_size())
    return _render_list(page.title or page.section.title(), paged, url_path, page)


def _implicit_section(url_path: str, number: int = 1) -> str | None:
    # Hugo makes a list page for every top-level folder, with or without an _index.md.
    lang, rest = langs.split(url_path)
    section = rest.strip("/")
    if not section or "/" in section:
        return None
    paged = queries.section_children(db.session, f"/{section}", lang, number, _page_size())
    if not paged.total:
        return None
    return _render_list(section.replace("-", " ").title(), paged, url_path)


def _list_page(url_path: str) -> str | None:
    """`/…/page/N/`: page N of a list (home, section or term), as Hugo's paginator names it."""
    found = _PAGER_RE.match(url_path)
    if found is None:
        return _taxonomy_view(url_path) or _page_view(url_path)
    base, number = found.group(1), int(found.group(2))
    if number < 2 or number > 100_000:
        return None  # page 1 lives at the list's own URL (redirected below)
    return _taxonomy_view(base, number) or _page_view(base, number)


def _file_response(url_path: str) -> Response | None:
    found = queries.find_file(db.session, url_path)
    if found is None:
        return None
    bundle_file, data = found
    blob, sha = bundle_file.blob, bundle_file.blob_sha256
    width = request.args.get("w", "")
    if width:
        variant = find_variant(db.session, sha, int(width)) if width.isdigit() else None
        if variant is None:
            return None
        blob, data, sha = variant, variant.data, variant.sha256
    response = Response(data, mimetype=blob.media_type)
    response.set_etag(sha)
    response.cache_control.public = True
    if request.args.get("v") == bundle_file.blob_sha256[:10]:
        # The URL names this exact content: it may be cached for good.
        response.cache_control.max_age = FILE_MAX_AGE
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = 3600
    if blob.media_type == "image/svg+xml":
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
    # The no-JavaScript path fills the name and website in again, as the script keeps them,
    # from the viewer's own latest comment (named by the signed author cookie).
    author = comments.latest_author(db.session, _viewer_comment_ids())
    return personal_html(_render_post(page, own, author))


@bp.route("/<site_path:path>")
def resolve(path: str) -> Response:
    """Find what a path names: a page, a taxonomy, a bundle file or an alias."""
    if "\x00" in path or len(path) > 2048:
        abort(404)
    url_path = "/" + path
    if url_path.endswith("/"):
        personal = _personal_response(url_path)
        if personal is not None:
            return personal
        pager = _PAGER_RE.match(url_path)
        if pager is not None and pager.group(2).lstrip("0") == "1":
            return redirect(escape_path(pager.group(1)), code=301)
        response = cached_html(lambda: _list_page(url_path))
        if response is not None:
            return response
    else:
        found = _file_response(url_path)
        if found is not None:
            return found
        if posixpath.splitext(path)[1]:
            # A page whose front matter `url` names a file, e.g. /custom.html.
            response = cached_html(lambda: _page_view(url_path))
            if response is not None:
                return response
        if not posixpath.splitext(path)[1] and queries.page_exists(db.session, url_path + "/"):
            return redirect(escape_path(url_path + "/"), code=301)
        if not posixpath.splitext(path)[1] and _taxonomy_view(url_path + "/") is not None:
            return redirect(escape_path(url_path + "/"), code=301)
    target = queries.find_alias(db.session, url_path)
    if target is not None:
        return redirect(escape_path(target), code=301)
    abort(404)
