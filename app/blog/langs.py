"""Languages in URLs: /fr/... for every language but the default, and links between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request

from app.blog import bp
from app.blog.seo import absolute
from app.content.urls import term_url
from app.extensions import db
from app.models import Page, Term
from app.services.site import queries
from app.web.page_cache import per_generation
from app.web.site import site


@dataclass(frozen=True)
class Translation:
    """A link to the same page in another language."""

    lang: str
    label: str
    url: str
    current: bool = False


def default_lang() -> str:
    """The site's default content language."""
    return site().language


def _configured() -> tuple[Mapping[str, Any], ...]:
    return site().languages


def codes() -> list[str]:
    """The site's languages: from its configuration, else those its pages are written in."""
    configured = [str(item["code"]) for item in _configured()]
    return configured or per_generation("languages", lambda: queries.languages(db.session))


def prefix(lang: str) -> str:
    """The URL prefix of a language ("" for the default one)."""
    in_subdir = site().default_in_subdir
    return "" if lang == default_lang() and not in_subdir else f"/{lang}"


def split(url_path: str) -> tuple[str, str]:
    """`/fr/docs/` -> ("fr", "/docs/"); a path without a language prefix is the default's."""
    head, _, rest = url_path.lstrip("/").partition("/")
    if head and head in codes() and prefix(head):
        return head, "/" + rest
    return default_lang(), url_path


@bp.app_template_global()
def term_href(term: Term) -> str:
    """The URL of a term page in its own language."""
    return term_url(term.taxonomy, term.slug, prefix(term.lang))


@bp.app_template_global()
def lang_href(lang: str, path: str = "/") -> str:
    """A site path in a language, e.g. ("fr", "/tags/") -> /fr/tags/."""
    return prefix(lang) + path


@bp.app_template_global()
def absolute_url(path: str) -> str:
    """A site path made absolute against SITE_BASE_URL, else this request's origin."""
    return absolute(site().base_url or request.url_root, path)


def _label(lang: str) -> str:
    found = next((item for item in _configured() if item.get("code") == lang), None)
    return str(found.get("label") or lang) if found else lang


def _order() -> dict[str, int]:
    return {code: index for index, code in enumerate(codes())}


def translations(page: Page) -> list[Translation]:
    """The page and its translations, in the site's language order (empty if it has none)."""
    others = queries.translations(db.session, page)
    if not others:
        return []
    order = _order()
    items = [Translation(page.lang, _label(page.lang), page.url_path, True)]
    items += [Translation(p.lang, _label(p.lang), p.url_path) for p in others]
    return sorted(items, key=lambda t: (order.get(t.lang, len(order)), t.lang))
