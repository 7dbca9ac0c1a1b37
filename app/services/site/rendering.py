"""Rendering pages through the cache: keyed by content digest, so never stale."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.extensions import cache
from app.models import Page
from app.render.commonmark import markup_options
from app.render.pipeline import PageHtml, RenderOptions, cache_key, render_html
from app.render.shortcodes.registry import PageFile
from app.services.site.bundles import page_file


def page_files(page: Page) -> tuple[PageFile, ...]:
    """A stored page's bundle files as the renderer sees them."""
    return tuple(
        page_file(page.url_path, f.rel_path, f.blob.media_type, f.blob.width, f.blob.height,
                  f.blob_sha256)
        for f in page.files
    )


def options_for(page: Page, config: Any = None) -> RenderOptions:
    """Render options for a stored page, from the app's settings."""
    config = config or current_app.config
    return RenderOptions(
        page_url=page.url_path,
        files=page_files(page),
        params=page.params or {},
        toc_start=config["TOC_START_LEVEL"],
        toc_end=config["TOC_END_LEVEL"],
        summary_length=config["SUMMARY_LENGTH"],
        detect_cjk=bool(config.get("HAS_CJK_LANGUAGE")),
        line_offset=page.body_line - 1,
        refs=page.refs or {},
        emoji=bool(config.get("ENABLE_EMOJI")),
        markup=markup_options(config.get("MARKUP")),
    )


def rendered_page(page: Page) -> PageHtml:
    """The page's body rendered, from the cache when an equal body was rendered before."""
    key = cache_key(page.render_hash)
    hit = cache.get(key)
    if isinstance(hit, PageHtml):
        return hit
    result = render_html(page.body, options_for(page))
    cache.set(key, result, timeout=0)
    return result
