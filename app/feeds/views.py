"""Feed, sitemap and robots routes; bodies cached as bytes in the page cache."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import Response, abort, current_app, request

from app.content.dates import DateError, zone
from app.content.urls import escape_path
from app.extensions import db
from app.feeds import bp
from app.feeds.rss import Channel, Item, UrlEntry, absolutize, build_rss, build_sitemap, robots_txt
from app.models import Page
from app.render.pipeline import COMMENTS_MARKER
from app.services.site import feature, feed_queries, queries
from app.services.site.rendering import rendered_page
from app.web.page_cache import cached_body
from app.web.site import site as current_site

RSS_TYPE = "application/rss+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
DEFAULT_LIMIT = 20
# Blowfish's [sitemap] defaults; a page's `sitemap` front matter overrides them.
CHANGEFREQ = "daily"
PRIORITY = 0.5
CHANGEFREQS = frozenset({"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"})
# Without SITE_BASE_URL, bodies are cached once with this origin and the request's is put in
# at send time: one entry per path whatever the Host header, and no cross-host poisoning.
ORIGIN_PLACEHOLDER = "http://site-origin.invalid"
_SAFE_ORIGIN = re.compile(
    r"https?://(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:/[A-Za-z0-9._~%/-]*)?"
)


def _configured_origin() -> str:
    return current_site().base_url


def base_url() -> str:
    """The origin written into bodies: SITE_BASE_URL, else a placeholder filled per request."""
    return _configured_origin() or ORIGIN_PLACEHOLDER


def request_origin() -> str:
    """The origin this request was made to; 400 unless it is a plain URL safe in XML."""
    origin = request.url_root.rstrip("/")
    if not _SAFE_ORIGIN.fullmatch(origin):
        abort(400)
    return origin


def absolute(path: str) -> str:
    """An absolute URL for an unescaped site path."""
    return base_url() + escape_path(path)


def cached_bytes(build: Callable[[], bytes | None], content_type: str) -> Response:
    """Serve a body from the page cache or build it (404 when build finds nothing), with an
    ETag; the request's origin goes in at send time unless SITE_BASE_URL is set."""
    origin = _configured_origin() or request_origin()
    body = cached_body(("feeds", request.path), build)
    if body is None:
        abort(404)
    if not _configured_origin():
        body = body.replace(ORIGIN_PLACEHOLDER.encode(), origin.encode())
    response = Response(body, content_type=content_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.make_conditional(request)  # in place: 304 when the ETag matches
    return response


def _config(name: str, default: Any) -> Any:
    return current_app.config.get(name, default)


def feed_limit() -> int:
    """FEED_LIMIT, kept bounded: anything below 1 means the default."""
    value = _config("FEED_LIMIT", DEFAULT_LIMIT)
    return value if isinstance(value, int) and value > 0 else DEFAULT_LIMIT


def _zone() -> tzinfo:
    try:
        return zone(current_site().timezone)
    except DateError:
        return UTC


def _featured(image: feature.FeatureImage | None) -> dict[str, Any]:
    """The feature image (app/services/site/feature.py) as the item's media:content."""
    if image is None:
        return {}
    if not image.local:
        return {"image": image.src}
    size = (image.width, image.height) if image.media_type != "image/svg+xml" else None
    return {"image": absolute(image.path), "image_type": image.media_type,
            "image_size": size}


def _content(page: Page) -> str:
    if str(_config("FEED_CONTENT", "summary")).strip().lower() == "full":
        return rendered_page(page, current_site()).html.replace(COMMENTS_MARKER, "")
    return page.summary_html


def page_item(page: Page, image: feature.FeatureImage | None = None) -> Item:
    """A page as an RSS item, its HTML links made absolute."""
    link = absolute(page.url_path)
    description = absolutize(_content(page), base_url(), link)
    return Item(page.title, link, page.date or page.publish_date, description,
                **_featured(image))


def _channel(title: str, list_path: str, lang: str, stamps: list[datetime | None]) -> Channel:
    site = current_site().title
    if not title or title == site:
        full_title, description = site, f"Recent content on {site}"
    else:
        full_title, description = f"{title} on {site}", f"Recent content in {title} on {site}"
    known = [stamp for stamp in stamps if stamp is not None]
    return Channel(full_title, absolute(list_path), description, lang,
                   absolute(list_path + "index.xml"), max(known) if known else None)


def _pages_feed(title: str, list_path: str, lang: str, pages: list[Page]) -> bytes:
    channel = _channel(title, list_path, lang, [feed_queries.page_lastmod(p) for p in pages])
    params = current_site().params
    by_page, by_url = feature.load_candidates(db.session, pages, params)
    items = [page_item(page, feature.choose(page, by_page.get(page.id, ()), params, by_url))
             for page in pages]
    return build_rss(channel, items, _zone())


def _home_feed(lang: str, home: Page | None) -> bytes:
    # The main sections' pages; when none of them can be listed (Blowfish's largest
    # section, `users`, holds only external links), every regular page, as Hugo's own RSS.
    configured = current_site().main_sections
    sections = queries.main_sections(
        db.session, lang, list(configured) if configured is not None else None)
    pages = feed_queries.newest_in_sections(db.session, lang, sections, feed_limit())
    if not pages:
        pages = feed_queries.newest_of_language(db.session, lang, feed_limit())
    title = home.title if home is not None and home.title else current_site().title
    return _pages_feed(title, home.url_path if home is not None else "/", lang, pages)


def _section_feed(section: str, lang: str, list_path: str, title: str) -> bytes:
    pages = feed_queries.newest_in_section(db.session, lang, section, feed_limit())
    return _pages_feed(title, list_path, lang, pages)


def _taxonomy_feed(taxonomy: str) -> bytes:
    lang = current_site().language
    terms = feed_queries.dated_terms(db.session, taxonomy, lang, feed_limit())
    intro = queries.find_page(db.session, f"/{taxonomy}/")
    title = intro.title if intro is not None and intro.title else taxonomy.title()
    list_path = f"/{taxonomy}/"
    items = [Item(t.term.name, absolute(f"{list_path}{t.term.slug}/"), t.date, "")
             for t in terms]
    channel = _channel(title, list_path, lang, [t.lastmod for t in terms])
    return build_rss(channel, items, _zone())


def _term_feed(taxonomy: str, slug: str) -> bytes | None:
    lang = current_site().language
    term = queries.find_term(db.session, taxonomy, slug, lang)
    if term is None:
        return None
    if not feed_queries.term_is_used(db.session, term):
        return None
    pages = feed_queries.newest_tagged(db.session, term, feed_limit())
    return _pages_feed(term.name, f"/{taxonomy}/{term.slug}/", lang, pages)


def _list_feed(parts: list[str]) -> bytes | None:
    taxonomies = current_site().taxonomies
    if parts[0] in taxonomies:
        if len(parts) == 1:
            return _taxonomy_feed(parts[0])
        return _term_feed(parts[0], "/".join(parts[1:]))
    url_path = "/" + "/".join(parts) + "/"
    page = queries.find_page(db.session, url_path)
    if page is not None and page.kind == "home":
        return _home_feed(page.lang, page)
    if page is not None and page.kind == "section":
        title = page.title or page.section.replace("-", " ").title()
        return _section_feed(page.section, page.lang, page.url_path, title)
    if page is not None:
        return None  # Hugo makes no feed for a regular page
    lang = current_site().language
    section = feed_queries.implicit_section(db.session, url_path, lang)
    if section is None or section in taxonomies:
        return None
    return _section_feed(section, lang, url_path, section.replace("-", " ").title())


@bp.get("/index.xml")
def site_feed() -> Response:
    """The site's feed: the newest regular pages of the main sections."""
    lang = current_site().language
    return cached_bytes(
        lambda: _home_feed(lang, queries.find_page(db.session, "/")), RSS_TYPE
    )


@bp.get("/<path:path>/index.xml")
def list_feed(path: str) -> Response:
    """A list's feed: a section, a taxonomy (one item per term) or a term."""
    parts = [part for part in path.split("/") if part]
    if not parts:
        abort(404)
    return cached_bytes(lambda: _list_feed(parts), RSS_TYPE)


def _sitemap_entry(found: feed_queries.SitemapPage) -> UrlEntry:
    params = feed_queries.sitemap_params(found.page) if found.page is not None else {}
    changefreq = params.get("changefreq")
    if not isinstance(changefreq, str) or changefreq.lower() not in CHANGEFREQS:
        changefreq = CHANGEFREQ
    priority = params.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int | float) \
            or not 0 <= priority <= 1:
        priority = PRIORITY
    return UrlEntry(absolute(found.url_path), found.lastmod, changefreq.lower(), float(priority))


def _sitemap() -> bytes:
    found = feed_queries.sitemap_pages(db.session, current_site().language,
                                       current_site().taxonomies)
    return build_sitemap([_sitemap_entry(entry) for entry in found], _zone())


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every published page with its last modification; no taxonomy or term lists."""
    return cached_bytes(_sitemap, XML_TYPE)


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers welcome; the sitemap named by its absolute URL."""
    return cached_bytes(lambda: robots_txt(absolute("/sitemap.xml"), ["/admin/"]), TEXT_TYPE)
