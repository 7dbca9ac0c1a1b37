"""Blog routes: one dispatcher that finds what a URL names, as Hugo's published tree would.

Its order is written in four tables: DIRECTORY_ROUTES and FILE_ROUTES (by URL shape), then
LIST_SHAPES and PAGE_SHAPES (what a cached page at that URL shows).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Response, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as AnyResponse  # what redirect() makes, too

from app.blog import bp, langs, navigation
from app.blog.seo import post_metadata, text_of
from app.content.urls import escape_path
from app.extensions import db
from app.models import Page, Term
from app.render.pipeline import COMMENTS_MARKER
from app.services.comments import threads as comments
from app.services.comments.rules import CommentError, CommentSettings
from app.services.comments.tokens import AUTHOR_COOKIE, read_author_ids
from app.services.site import feature, furniture, queries
from app.services.site.article import article_flag
from app.services.site.author import AuthorBox, SiteAuthor, author_box, image_url, site_author
from app.services.site.bundles import find_variant
from app.services.site.listing import (
    ListOptions,
    by_year,
    home_options,
    list_options,
    more_link,
    recent_posts,
    summary_rule,
)
from app.services.site.rendering import rendered_page
from app.web.page_cache import (
    TOKEN_MARKER,
    cached_html,
    current_epoch,
    per_generation,
    personal_html,
)
from app.web.site import site

FILE_MAX_AGE = 60 * 60 * 24 * 365
_PAGER_RE = re.compile(r"^(.*/)page/(\d{1,9})/$")
COMMENTS_PAGE_ARG = "comments"  # `/posts/x/?comments=2`: page 2 of the post's thread
_COMMENTS_PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")


def _viewer_comment_ids() -> set[int]:
    return read_author_ids(current_app.config["SECRET_KEY"], request.cookies.get(AUTHOR_COOKIE))


def _personal(page: Page) -> comments.Personal:
    """The viewer's comments on this page that only they may see or still edit."""
    window = CommentSettings.from_config(current_app.config).edit_window
    return comments.personal_ids(db.session, page.id, _viewer_comment_ids(), window)


def base_url() -> str:
    """The site's origin: SITE_BASE_URL, else this request's (the page cache keys on host)."""
    return site().base_url or request.url_root.rstrip("/")


def _comments_page_number() -> int | None:
    """The page of a post's thread the URL asks for (`?comments=N`): 1 without the argument,
    None when it is not a page number."""
    raw = request.args.get(COMMENTS_PAGE_ARG)
    if raw is None:
        return 1
    return int(raw) if _COMMENTS_PAGE_RE.fullmatch(raw) else None


def _render_post(page: Page, own: comments.Personal | None = None,
                 author_values: dict[str, str] | None = None,
                 comments_page: int = 1) -> str | None:
    """The post page, with page `comments_page` of its thread (None past the last page, or
    for a later page of a post that shows no comments)."""
    pending = own.pending if own else frozenset()
    editable = own.editable if own else frozenset()
    settings = site()
    rendered = rendered_page(page, settings)
    if comments_page > 1 and not (rendered.has_comments_marker or article_flag(
            page, settings.article_defaults, "showComments")):
        return None
    try:
        thread = comments.thread_slice(
            db.session, page.id, comments_page,
            CommentSettings.from_config(current_app.config).per_page, pending, editable)
    except CommentError:
        return None
    before, _, after = rendered.html.partition(COMMENTS_MARKER)
    tags = [link.term for link in page.terms if link.term.taxonomy == "tags"]
    categories = [link.term for link in page.terms if link.term.taxonomy == "categories"]
    description = page.description or text_of(page.summary_html)[:200]
    older, newer = queries.neighbours(db.session, page)
    config = current_app.config
    defaults = settings.article_defaults
    hero, image = feature.post_images(db.session, page, defaults, settings.params)
    return render_template(
        "blog/post.html",
        hero=hero,
        page=page,
        rendered=rendered,
        body_before=before,
        body_after=after,
        comments_inline=rendered.has_comments_marker,
        toc_shown=article_flag(page, defaults, "showTableOfContents")
        and rendered.toc_has_entries,
        thread=thread.nodes,
        thread_slice=thread,
        comment_count=comments.counts(db.session, [page.id]).get(page.id, 0),
        comments_closed=page.comments_closed,
        form_token_marker=TOKEN_MARKER.format(page_id=page.id),
        tags=tags,
        categories=categories,
        show=lambda name: article_flag(page, defaults, name),
        description=description,
        meta=post_metadata(page, rendered.html, description, base_url(), settings.title,
                           settings.author, [t.name for t in tags], image),
        older=older,
        newer=newer,
        related=queries.related(db.session, page, config["RELATED_LIMIT"]),
        updated=page.lastmod is not None and page.date is not None
        and page.lastmod.date() != page.date.date(),
        translations=langs.translations(page),
        page_lang=page.lang,
        author_values=author_values or {},
        furniture=furniture.for_post(db.session, page, defaults, settings.params, _home_crumb(
            page.lang)),
    )


def _home_crumb(lang: str) -> furniture.Crumb:
    """The first breadcrumb: the home page in `lang` (titled as the site)."""
    return furniture.Crumb(site().title, langs.prefix(lang) + "/")


def _list_crumbs(kind: str, title: str, base: str, intro: Page | None,
                 lang: str, hugo_path: str) -> tuple[furniture.Crumb, ...]:
    """A section's or term's breadcrumbs, when Blowfish's list/term params show them."""
    if kind not in ("section", "term") or not furniture.list_shows_breadcrumbs(
            intro, site().params, kind):
        return ()
    return furniture.breadcrumbs(db.session, lang, hugo_path, _home_crumb(lang),
                                 furniture.Crumb(title, base))


def _render_list(title: str, paged: queries.Paged, base: str, intro: Page | None = None,
                 kind: str = "section", listing: ListOptions | None = None,
                 **extra: object) -> str | None:
    if paged.number > paged.pages:
        return None
    show_intro = intro is not None and intro.body.strip() and paged.number == 1
    intro_render = rendered_page(intro, site()) if show_intro and intro is not None else None
    intro_html = intro_render.html if intro_render is not None else ""
    extra.setdefault("page_lang", intro.lang if intro is not None else langs.split(base)[0])
    defaults = site().article_defaults
    term = extra.get("term")
    crumbs = _list_crumbs(kind, title, base, intro, str(extra["page_lang"]),
                          intro.hugo_path if intro is not None
                          else f"/{term.taxonomy}/{term.slug}" if isinstance(term, Term)
                          else "/" + langs.split(base)[1].strip("/"))
    params = site().params
    if listing is None:
        listing = list_options(params, intro, "term" if kind == "term" else "list")

    def page_flag(item: Page, name: str) -> bool:
        return article_flag(item, defaults, name)

    return render_template(
        "blog/list.html", title=title, items=paged.items, paged=paged, base=base,
        intro=intro, intro_html=intro_html, kind=kind,
        intro_shortcodes=intro_render.shortcodes if intro_render is not None else (),
        translations=langs.translations(intro) if intro is not None else [],
        comment_counts=comments.counts(db.session, [p.id for p in paged.items]),
        features=feature.feature_images(db.session, paged.items, site().params),
        page_flag=page_flag, breadcrumbs=crumbs, stats_shown=any(
            page_flag(p, "showViews") or page_flag(p, "showLikes") for p in paged.items),
        listing=listing, year_groups=by_year(paged.items) if listing.group_by_year else None,
        summary_shown=summary_rule(params),
        **extra)


def _totals(name: str, count: Callable[[], tuple[int, ...]]) -> tuple[int, ...]:
    """A list's counts, counted once per site generation and visibility epoch (what is
    published changes only with them) instead of on every list page built."""
    epoch = current_epoch()[1]
    return per_generation(f"totals:{epoch}:{name}", count)


def _page_size() -> int:
    size: int = current_app.config["PAGE_SIZE"]
    return size


def _site_author(lang: str | None = None) -> SiteAuthor:
    """The site's author (`params.author`, the language's over the site's)."""
    settings = site()
    return site_author(settings.params, settings.languages, lang or settings.language)


def _site_image(configured: str) -> str:
    """The URL an image param is shown from ("" when nothing is there), once a generation."""
    if not configured:
        return ""
    return per_generation(f"site_image:{configured}",
                          lambda: image_url(db.session, configured))


@bp.app_context_processor
def _author_helpers() -> dict[str, object]:
    """For blog/_author.html: the site's author, its image, and a post's author box."""

    def box(page: Page) -> AuthorBox:
        return author_box(page, site().article_defaults, _site_author(page.lang))

    return {"site_author": _site_author, "site_image": _site_image, "author_box": box}


def _home(number: int, lang: str | None = None) -> str | None:
    lang = lang or langs.default_lang()
    base = langs.prefix(lang) + "/"
    intro = queries.find_page(db.session, base)
    sections = navigation.main_sections(lang)
    home = home_options(site().params)
    if home is None:  # no [params.homepage]: the recent posts, page by page
        paged = queries.recent_pages(db.session, lang, sections, number, _page_size(), _totals)
        if intro is None and not paged.total and base != "/":
            return None  # a language prefix with nothing in that language
        title = intro.title if intro is not None and intro.title else site().title
        listing = replace(list_options(site().params), group_by_year=False)
        return _render_list(title, paged, base, intro, kind="home", listing=listing,
                            page_lang=lang)
    if number > 1:
        return None  # Blowfish's home shows its recent articles on one page
    items = recent_posts(db.session, lang, sections, home.recent_items) \
        if home.show_recent else []
    if intro is None and base != "/" and not (
            items or recent_posts(db.session, lang, sections, 1)):
        return None
    title = intro.title if intro is not None and intro.title else site().title
    author = _site_author(lang)
    own = list_options(site().params)
    listing = ListOptions(card_view=home.card_view, card_view_wide=home.card_view_wide,
                          show_cards=own.show_cards, show_summary=own.show_summary)
    paged = queries.Paged(items, len(items), 1, max(1, len(items)))
    return _render_list(title, paged, base, intro, kind="home", listing=listing,
                        page_lang=lang, home=home, author=author,
                        author_image=_site_image(author.image),
                        home_image=_site_image(home.image),
                        more_href=more_link(home.show_more_dest, langs.prefix(lang)))


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
    paged = queries.term_pages(db.session, term, number, _page_size(), pages_only, _totals)
    if not paged.total:
        return None
    intro = queries.find_page(db.session, path)  # the term's own _index.md, if it has one
    title = intro.title if intro is not None and intro.title else term.title or term.name
    return _render_list(title, paged, path, intro, kind="term", taxonomy=taxonomy,
                        term=term, page_lang=lang, lang_base=base)


@dataclass(frozen=True)
class Claimed:
    """A URL shape's answer: the URL is this shape's, with this HTML (None: nothing there,
    and no later shape may answer instead)."""

    html: str | None


ListShape = Callable[[str, int], Claimed | None]  # (list URL, page number) -> answer or pass
Shapes = tuple[tuple[str, ListShape], ...]  # (what it is, how to find it), tried in order


def _taxonomy_list(url_path: str, number: int) -> Claimed | None:
    """/tags/ (every term) or /tags/go/ (a term's pages), in any language."""
    html = _taxonomy_view(url_path, number)
    return Claimed(html) if html else None


def _stored_page(url_path: str, number: int) -> Claimed | None:
    """A post, section or home that has its own content file at this URL."""
    page = queries.find_page(db.session, url_path)
    if page is None:
        return None
    if page.kind == "page":
        return Claimed(_render_post(page) if number == 1 else None)
    if page.kind == "home":
        return Claimed(_home(number, page.lang))
    paged = queries.section_children(db.session, page.hugo_path, page.lang, number,
                                     _page_size(), _totals)
    return Claimed(_render_list(page.title or page.section.title(), paged, url_path, page))


def _language_home(url_path: str, number: int) -> Claimed | None:
    """A language's home (`/fr/`) without an _index.md."""
    lang, rest = langs.split(url_path)
    return Claimed(_home(number, lang)) if rest == "/" else None


def _implicit_section(url_path: str, number: int) -> Claimed | None:
    """A top-level folder without an _index.md: Hugo makes a list page for every one."""
    lang, rest = langs.split(url_path)
    section = rest.strip("/")
    if not section or "/" in section:
        return None
    paged = queries.section_children(db.session, f"/{section}", lang, number, _page_size(),
                                     _totals)
    if not paged.total:
        return None
    return Claimed(_render_list(section.replace("-", " ").title(), paged, url_path))


# What a page URL names, in Hugo's order: content files first, then the lists Hugo makes.
PAGE_SHAPES: Shapes = (
    ("post, section or home with a content file", _stored_page),
    ("language home without a content file", _language_home),
    ("top-level section without a content file", _implicit_section),
)
# What a list URL (`/…/`, or its page N at `/…/page/N/`) names: taxonomies come first.
LIST_SHAPES: Shapes = (
    ("taxonomy or term list", _taxonomy_list),
    *PAGE_SHAPES,
)


def _first_claim(shapes: Shapes, url_path: str, number: int = 1) -> str | None:
    """The HTML of the first shape that claims the URL, or None."""
    for _shape, claim in shapes:
        claimed = claim(url_path, number)
        if claimed is not None:
            return claimed.html
    return None


def _list_page(url_path: str) -> str | None:
    """What a URL ending in `/` shows (LIST_SHAPES); `/…/page/N/` is page N of the list at
    `/…/`, as Hugo's paginator names it."""
    found = _PAGER_RE.match(url_path)
    if found is None:
        return _first_claim(LIST_SHAPES, url_path)
    base, number = found.group(1), int(found.group(2))
    if number < 2 or number > 100_000:
        return None  # page 1 lives at the list's own URL (redirected below)
    return _first_claim(LIST_SHAPES, base, number)


def _file_response(url_path: str) -> AnyResponse | None:
    """A bundle's file at its URL; `?w=N` names one of its image variants."""
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


def _personal_response(url_path: str) -> AnyResponse | None:
    """A post page with the viewer's own pending or editable comments: never shared."""
    if AUTHOR_COOKIE not in request.cookies:
        return None
    page = queries.find_page(db.session, url_path)
    if page is None or page.kind != "page":
        return None
    number = _comments_page_number()
    if number is None or (number == 1 and COMMENTS_PAGE_ARG in request.args):
        return None  # the thread's page route answers (404, or the redirect to page 1)
    own = _personal(page)
    if not own:
        return None
    # The no-JavaScript path fills the name and website in again, as the script keeps them,
    # from the viewer's own latest comment (named by the signed author cookie).
    author = comments.latest_author(db.session, _viewer_comment_ids())
    html = _render_post(page, own, author, number)
    if html is None:
        abort(404)
    return personal_html(html)


def _later_comments_page(url_path: str) -> AnyResponse | None:
    """`/posts/x/?comments=N`: page N of the post's thread, cached under its own key (page
    1 is the post's own URL, which the fast path serves)."""
    if COMMENTS_PAGE_ARG not in request.args:
        return None
    page = queries.find_page(db.session, url_path)
    if page is None or page.kind != "page":
        return None  # not a post: the argument means nothing here
    number = _comments_page_number()
    if number is None:
        abort(404)
    if number == 1:
        return redirect(escape_path(url_path) + "#comments", code=301)
    response = cached_html(lambda: _render_post(page, comments_page=number),
                           variant=f"?{COMMENTS_PAGE_ARG}={number}")
    if response is None:
        abort(404)
    return response


def _first_pager_page(url_path: str) -> AnyResponse | None:
    """`/…/page/1/`: page 1 of a list lives at the list's own URL."""
    pager = _PAGER_RE.match(url_path)
    if pager is None or pager.group(2).lstrip("0") != "1":
        return None
    return redirect(escape_path(pager.group(1)), code=301)


def _shared_page(url_path: str) -> AnyResponse | None:
    """A post or list page (LIST_SHAPES), from the page cache."""
    return cached_html(lambda: _list_page(url_path))


def _has_extension(url_path: str) -> bool:
    return bool(posixpath.splitext(url_path)[1])


def _page_at_file_url(url_path: str) -> AnyResponse | None:
    """A page whose front matter `url` names a file, e.g. /custom.html (PAGE_SHAPES)."""
    if not _has_extension(url_path):
        return None
    return cached_html(lambda: _first_claim(PAGE_SHAPES, url_path))


def _page_without_slash(url_path: str) -> AnyResponse | None:
    """`/posts/hello`: the page at `/posts/hello/`, redirected to."""
    if _has_extension(url_path) or not queries.page_exists(db.session, url_path + "/"):
        return None
    return redirect(escape_path(url_path + "/"), code=301)


def _taxonomy_without_slash(url_path: str) -> AnyResponse | None:
    """`/tags/go`: the taxonomy or term list at `/tags/go/`, redirected to."""
    if _has_extension(url_path) or _taxonomy_view(url_path + "/") is None:
        return None
    return redirect(escape_path(url_path + "/"), code=301)


def _alias(url_path: str) -> AnyResponse | None:
    """A path a published page's `aliases` names: redirected to that page."""
    target = queries.find_alias(db.session, url_path)
    return redirect(escape_path(target), code=301) if target is not None else None


Route = Callable[[str], AnyResponse | None]  # URL path -> the answer, or None to pass it on
# A URL ending in `/` names a directory of Hugo's published tree, i.e. its index.html.
DIRECTORY_ROUTES: tuple[tuple[str, Route], ...] = (
    ("post with the reader's own held or editable comments", _personal_response),
    ("later page of a post's comments (?comments=N)", _later_comments_page),
    ("page 1 of a list", _first_pager_page),
    ("post or list page (LIST_SHAPES)", _shared_page),
    ("alias", _alias),
)
# Any other URL names a file, or a directory asked for without its slash.
FILE_ROUTES: tuple[tuple[str, Route], ...] = (
    ("bundle file (or an image variant of it)", _file_response),
    ("page whose URL names a file (PAGE_SHAPES)", _page_at_file_url),
    ("page, without its slash", _page_without_slash),
    ("taxonomy or term list, without its slash", _taxonomy_without_slash),
    ("alias", _alias),
)


@bp.route("/<site_path:path>")
def resolve(path: str) -> AnyResponse:
    """Find what a path names, trying the routes of its URL shape in order; else 404.

    The order is Hugo's precedence in its published tree: what a content file or bundle
    puts at a URL wins over the lists Hugo makes on its own (taxonomies, then implicit
    homes and sections), and an alias (a redirect stub Hugo writes only where nothing else
    is) comes last. A directory asked for without its slash is redirected to it, as Hugo's
    server does. The tables: DIRECTORY_ROUTES and FILE_ROUTES, then LIST_SHAPES and
    PAGE_SHAPES inside the page cache.
    """
    if "\x00" in path or len(path) > 2048:
        abort(404)
    url_path = "/" + path
    routes = DIRECTORY_ROUTES if url_path.endswith("/") else FILE_ROUTES
    for _route, answer in routes:
        response = answer(url_path)
        if response is not None:
            return response
    abort(404)
