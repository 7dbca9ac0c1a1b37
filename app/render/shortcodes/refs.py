"""Hugo's `ref` and `relref`: the URL of another page, resolved by the import's site pass."""

from __future__ import annotations

import html

from app.content.refs import not_found_url, ref_args, ref_key
from app.content.shortcodes import Shortcode
from app.render.shortcodes.registry import ShortcodeContext, shortcode


@shortcode("ref", "relref")
def render_ref(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """The target page's URL (site-relative for both, so links work on any host)."""
    found = ref_args(sc)
    if found is None:
        ctx.warn("names no page (use {{< ref \"path\" >}})")
        return ""
    target, lang = found
    url = ctx.refs.get(ref_key(target, lang))
    if url is None:
        # As Hugo with refLinksErrorLevel WARNING: the site's refLinksNotFoundURL, so that a
        # link around the ref goes nowhere instead of to a broken relative address.
        url = not_found_url(ctx.refs)
        where = f" in language {lang}" if lang else ""
        ctx.warn(f'page "{target}"{where} not found; rendered as "{url}" '
                 "(refLinksNotFoundURL)")
    return html.escape(url)
