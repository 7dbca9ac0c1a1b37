"""The site's settings (its hugo.toml over the app's config) for an app: the one accessor
that views, templates (`site`), the CLI and the callers of services read them through."""

from __future__ import annotations

from flask import Flask, current_app

from app.extensions import db
from app.services.site.settings import SiteSettings, cached
from app.web.generation import request_generation


def for_app(app: Flask) -> SiteSettings:
    """The app's site settings, in a request or not (inside the app's context); read again
    only when the site generation or the app's config changed."""
    return cached(app.extensions, app.config, lambda: request_generation(db.engine), db.session)


def site() -> SiteSettings:
    """The current app's site settings."""
    return for_app(current_app._get_current_object())  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Templates read the settings as `site` (e.g. `site.title`)."""
    app.context_processor(lambda: {"site": for_app(app)})
