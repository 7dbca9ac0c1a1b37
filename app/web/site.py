"""The site's settings (its hugo.toml over the app's config) for an app: the one accessor
that views, templates (`site`), the CLI and the callers of services read them through."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

from app.extensions import db
from app.services.site.settings import SiteSettings, cached
from app.web.generation import request_generation

_REQUEST_SETTINGS = "blog.site_settings"  # environ key: (app, its settings) for this request


def for_app(app: Flask) -> SiteSettings:
    """The app's site settings, in a request or not (inside the app's context); read again
    only when the site generation or the app's config changed.

    Within a request they are looked up once: a list page asks for them about 80 times (the
    template's `site`, languages, links), and the request reads one generation anyway."""
    if not has_request_context():
        return _settings(app)
    environ = request.environ
    found = environ.get(_REQUEST_SETTINGS)
    if found is not None and found[0] is app:
        return found[1]  # type: ignore[no-any-return]
    settings = _settings(app)
    environ[_REQUEST_SETTINGS] = (app, settings)
    return settings


def _settings(app: Flask) -> SiteSettings:
    return cached(app.extensions, app.config, lambda: request_generation(db.engine), db.session)


def site() -> SiteSettings:
    """The current app's site settings."""
    return for_app(current_app._get_current_object())  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Templates read the settings as `site` (e.g. `site.title`)."""
    app.context_processor(lambda: {"site": for_app(app)})
