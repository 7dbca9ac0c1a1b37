"""The site's settings for the app serving this request (or CLI command)."""

from __future__ import annotations

from flask import current_app

from app.services.site.settings import SiteSettings, for_app


def site() -> SiteSettings:
    """The current app's site settings: its hugo.toml over its own config."""
    return for_app(current_app._get_current_object())  # type: ignore[attr-defined]
