"""Shortcodes: a parser, a registry, and the renderers registered in it."""

from app.render.shortcodes import (
    blowfish,  # noqa: F401 - registers itself
    blowfish_blocks,  # noqa: F401 - registers itself
    blowfish_cards,  # noqa: F401 - registers itself
    blowfish_media,  # noqa: F401 - registers itself
    carousel,  # noqa: F401 - registers itself
    hugo,  # noqa: F401 - registers itself
    refs,  # noqa: F401 - registers itself
)
