"""A page's render options, and rendering stored pages through the cache.

`render_options` is the one place a page's options are computed: the import renders with
it (and stores the digest), and a cache miss at serve time renders with it again, so both
agree. The cache is keyed by content digest, so never stale.
"""

from __future__ import annotations

from app.content.pages import SourcePage
from app.extensions import cache
from app.models import Page
from app.render.pipeline import PageHtml, RenderOptions, cache_key, render_html
from app.render.shortcodes.registry import PageFile
from app.services.site.bundles import page_file
from app.services.site.settings import SiteSettings


def page_files(page: Page) -> tuple[PageFile, ...]:
    """A stored page's bundle files as the renderer sees them."""
    return tuple(
        page_file(page.url_path, f.rel_path, f.blob.media_type, f.blob.width, f.blob.height,
                  f.blob_sha256)
        for f in page.files
    )


def render_options(page: SourcePage | Page, files: tuple[PageFile, ...],
                   site: SiteSettings) -> RenderOptions:
    """The render options of a page (parsed or stored), the same at import and at serve time."""
    return RenderOptions(
        page_url=page.url_path,
        files=files,
        params=page.params or {},
        toc_start=site.toc_start,
        toc_end=site.toc_end,
        summary_length=site.summary_length,
        detect_cjk=site.has_cjk,
        line_offset=page.body_line - 1,
        refs=page.refs or {},
        emoji=site.emoji,
        markup=site.markup,
    )


def options_for(page: Page, site: SiteSettings) -> RenderOptions:
    """Render options for a stored page under the site's settings."""
    return render_options(page, page_files(page), site)


def rendered_page(page: Page, site: SiteSettings) -> PageHtml:
    """The page's body rendered, from the cache when an equal body was rendered before."""
    key = cache_key(page.render_hash)
    hit = cache.get(key)
    if isinstance(hit, PageHtml):
        return hit
    result = render_html(page.body, options_for(page, site))
    cache.set(key, result, timeout=0)
    return result
