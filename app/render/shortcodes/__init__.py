"""Shortcodes: a parser, a registry, and the renderers registered in it."""

from app.render.shortcodes import carousel  # noqa: F401 - registers itself
