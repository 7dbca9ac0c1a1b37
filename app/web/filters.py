"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from jinja2 import pass_context

from app.content.urls import escape_path
from app.i18n import format_date, translate, translate_count
from app.render.extras import emojify
from app.render.identicon import identicon_svg
from app.web.site import site
from app.web.style_hashes import author_html


def page_language(context: Any) -> str:
    """The language a template speaks: the page's, else the site's."""
    return str(context.get("page_lang") or site().language or "en")


@pass_context
def date_long(context: Any, value: datetime | None) -> str:
    """Blowfish's default date format, "2 January 2006", in the page's language."""
    return format_date(page_language(context), value)


@pass_context
def tr(context: Any, key: str, **values: object) -> str:
    """Interface text in the page's language (app/i18n/<lang>.json)."""
    return translate(page_language(context), key, **values)


@pass_context
def trn(context: Any, key: str, count: int) -> str:
    """A count with its noun in the page's language: "3 comments", "3 commentaires"."""
    return translate_count(page_language(context), key, count)


def iso_date(value: datetime | None) -> str:
    """RFC 3339 in UTC, for <time datetime>."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00") if value else ""


def plural(count: int, one: str, many: str) -> str:
    """"1 min" / "4 mins"."""
    return f"{count} {one if count == 1 else many}"


def emojify_title(value: str | None) -> str:
    """A title with its :emoji: codes shown when the site sets enableEmoji (Blowfish's emojify)."""
    text = value or ""
    return emojify(text) if site().emoji else text


def register(app: Flask) -> None:
    """Install the filters on an app."""
    app.add_template_filter(date_long)
    app.add_template_filter(iso_date)
    app.add_template_filter(emojify_title, "emojify")
    app.add_template_filter(escape_path, "urlpath")
    app.add_template_filter(author_html)
    app.add_template_global(plural)
    app.add_template_global(tr)
    app.add_template_global(trn)
    app.add_template_global(identicon_svg, "identicon")
