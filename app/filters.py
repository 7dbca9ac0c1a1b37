"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from app.content.urls import escape_path
from app.render.extras import emojify
from app.render.identicon import identicon_svg
from app.style_hashes import author_html


def date_long(value: datetime | None) -> str:
    """Blowfish's default date format, "2 January 2006"."""
    return f"{value.day} {value:%B %Y}" if value else ""


def iso_date(value: datetime | None) -> str:
    """RFC 3339 in UTC, for <time datetime>."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00") if value else ""


def plural(count: int, one: str, many: str) -> str:
    """"1 min" / "4 mins"."""
    return f"{count} {one if count == 1 else many}"


def emojify_title(value: str | None) -> str:
    """A title with its :emoji: codes shown when the site sets enableEmoji (Blowfish's emojify)."""
    text = value or ""
    return emojify(text) if current_app.config.get("ENABLE_EMOJI") else text


def register(app: Flask) -> None:
    """Install the filters on an app."""
    app.add_template_filter(date_long)
    app.add_template_filter(iso_date)
    app.add_template_filter(emojify_title, "emojify")
    app.add_template_filter(escape_path, "urlpath")
    app.add_template_filter(author_html)
    app.add_template_global(plural)
    app.add_template_global(identicon_svg, "identicon")
