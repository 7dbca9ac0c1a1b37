"""The header and footer links of a language, and the sections its home page lists."""

from __future__ import annotations

import logging
from typing import Any

from jinja2 import pass_context
from sqlalchemy.exc import SQLAlchemyError

from app.blog import bp, langs
from app.extensions import db
from app.services.site import menus, queries
from app.web.page_cache import per_generation
from app.web.site import site


def main_sections(lang: str) -> list[str]:
    """The language's main sections: the site's `mainSections`, else Hugo's default."""
    sections = site().main_sections
    configured = list(sections) if sections is not None else None
    return per_generation(f"main_sections:{lang}:{configured}", lambda: queries.main_sections(
        db.session, lang, configured))


def _lang(context: Any) -> str:
    value = context.get("page_lang") or langs.default_lang()
    return str(value)


def menu_for(name: str, lang: str) -> list[menus.MenuItem]:
    """A menu's links in a language, from the site's config and its pages' front matter
    ([] when neither names that menu)."""
    configured = site().menus.get(lang, {}).get(name) or []

    def build() -> list[menus.MenuItem]:
        entries = [*configured, *menus.page_entries(db.session, name, lang)]
        return menus.resolve_menu(db.session, entries, lang, langs.prefix(lang))

    return per_generation(f"menu:{lang}:{name}", build)


def _default_header(lang: str) -> list[menus.MenuItem]:
    """Without a `main` menu: the main sections' lists, then the tags, where they exist."""
    prefix = langs.prefix(lang)
    items = menus.section_links(db.session, main_sections(lang), lang, prefix)
    if "tags" in site().taxonomies and queries.taxonomy_used(
            db.session, "tags", lang):
        items.append(menus.MenuItem("Tags", f"{prefix}/tags/", identifier="tags"))
    return items


log = logging.getLogger(__name__)


def _safely(compute: Any) -> list[menus.MenuItem]:
    """Links, or none when the database cannot answer (the error page must still render)."""
    try:
        return list(compute())
    except SQLAlchemyError:
        log.exception("navigation links unavailable")
        db.session.rollback()
        return []


@bp.app_template_global()
@pass_context
def header_links(context: Any) -> list[menus.MenuItem]:
    """The header's links for the page's language: its `main` menu, else the defaults."""
    lang = _lang(context)
    return _safely(lambda: menu_for("main", lang) or per_generation(
        f"header:{lang}", lambda: _default_header(lang)))


@bp.app_template_global()
@pass_context
def footer_links(context: Any) -> list[menus.MenuItem]:
    """The footer's links: the site's `footer` menu in the page's language."""
    return _safely(lambda: menu_for("footer", _lang(context)))
