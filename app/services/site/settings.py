"""The imported site's settings (from its hugo.toml) over the app's own, in every worker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import SiteSetting
from app.web.generation import request_generation

KEY = "site"
_STATE = "site_settings"
# The app settings a site's configuration may replace; the app's values are the fallback.
OVERLAID = ("SITE_TITLE", "SITE_LANGUAGE", "SITE_LANGUAGES", "SITE_TIMEZONE", "TAXONOMIES",
            "SUMMARY_LENGTH", "TOC_START_LEVEL", "TOC_END_LEVEL", "ARTICLE_DEFAULTS",
            "SITE_DESCRIPTION", "SITE_AUTHOR", "SITE_BASE_URL", "SITE_PARAMS",
            "HAS_CJK_LANGUAGE", "ENABLE_EMOJI", "DEFAULT_LANGUAGE_IN_SUBDIR", "MARKUP",
            "MAIN_SECTIONS", "MENUS")


def load(session: Session) -> dict[str, Any]:
    """The stored site settings ({} before any site was imported)."""
    value = session.execute(
        select(SiteSetting.value).where(SiteSetting.key == KEY)
    ).scalar_one_or_none()
    return dict(value) if isinstance(value, Mapping) else {}


def save(session: Session, data: Mapping[str, Any]) -> bool:
    """Store the settings inside the caller's transaction; True when they changed."""
    row = session.get(SiteSetting, KEY)
    if (row.value if row is not None else {}) == dict(data):
        return False
    if row is None:
        session.add(SiteSetting(key=KEY, value=dict(data)))
    else:
        row.value = dict(data)
    return True


def _title(data: Mapping[str, Any], lang: str | None) -> str | None:
    for item in data.get("languages") or []:
        if item.get("code") == lang and item.get("title"):
            return str(item["title"])
    return data.get("title")


def overlay(data: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The app settings that the site settings replace, computed over `base`."""
    out: dict[str, Any] = {key: base.get(key) for key in OVERLAID}
    lang = data.get("default_lang") or base.get("SITE_LANGUAGE")
    params = data.get("params") if isinstance(data.get("params"), Mapping) else {}
    simple = {"SITE_TITLE": _title(data, lang), "SITE_LANGUAGE": lang,
              "SITE_TIMEZONE": data.get("timezone"),
              "SUMMARY_LENGTH": data.get("summary_length"),
              "TOC_START_LEVEL": data.get("toc_start"), "TOC_END_LEVEL": data.get("toc_end"),
              "SITE_DESCRIPTION": params.get("description"),
              "HAS_CJK_LANGUAGE": data.get("has_cjk"), "ENABLE_EMOJI": data.get("enable_emoji"),
              "DEFAULT_LANGUAGE_IN_SUBDIR": data.get("default_in_subdir")}
    out.update({key: value for key, value in simple.items() if value is not None})
    if data.get("taxonomies") is not None:
        out["TAXONOMIES"] = tuple(data["taxonomies"])
    out["SITE_LANGUAGES"] = list(data.get("languages") or base.get("SITE_LANGUAGES") or [])
    out["SITE_PARAMS"] = dict(params)
    # A stored site config (even one without a markup table) means Hugo's defaults apply.
    out["MARKUP"] = data.get("markup", {}) if data else base.get("MARKUP")
    if data.get("main_sections") is not None:
        out["MAIN_SECTIONS"] = list(data["main_sections"])
    if data.get("menus"):
        out["MENUS"] = dict(data["menus"])
    article = params.get("article")
    if isinstance(article, Mapping):
        out["ARTICLE_DEFAULTS"] = {**(base.get("ARTICLE_DEFAULTS") or {}),
                                   **{str(k).lower(): v for k, v in article.items()}}
    author = params.get("author")
    if isinstance(author, Mapping) and author.get("name"):
        out["SITE_AUTHOR"] = str(author["name"])
    if data.get("base_url") and not base.get("SITE_BASE_URL"):
        out["SITE_BASE_URL"] = str(data["base_url"]).strip().rstrip("/")
    return out


def refresh(app: Flask | None = None) -> None:
    """Bring the app's settings up to date with the stored site settings (cheap when current)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.setdefault(_STATE, {"generation": None, "applied": {}, "base": {}})
    try:
        generation = request_generation(db.engine)
    except Exception:  # no database (yet): the app's own settings stand
        return
    if generation == state["generation"]:
        return
    try:
        data = load(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        return
    applied, base = state["applied"], state["base"]
    for key in OVERLAID:
        # A value set by someone else since (or never overlaid) is the app's own setting.
        if key not in applied or app.config.get(key) != applied[key]:
            base[key] = app.config.get(key)
    new = overlay(data, base)
    app.config.update(new)
    state["applied"], state["generation"] = new, generation


def init_app(app: Flask) -> None:
    """Refresh the settings before every request."""
    app.before_request(lambda: refresh(app))
