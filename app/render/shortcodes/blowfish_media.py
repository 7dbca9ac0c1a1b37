"""Blowfish's media shortcodes: figure (and Hugo's, with ``default=true``), gallery,
screenshot, video and youtubeLite.

Images and videos of the page bundle are served from here, with their sizes and
``loading="lazy"``; anything on another host becomes a link, so reading a page never
makes the browser contact a third party.
"""

from __future__ import annotations

import posixpath
import re

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render.shortcodes.helpers import (
    EXTERNAL,
    arg,
    arg_md,
    block,
    find_file,
    flag,
    host_of,
    is_remote,
    link_card,
    local_src,
    plain,
    safe_url,
    size_attrs,
    srcset_attrs,
)
from app.render.shortcodes.registry import PageFile, ShortcodeContext, shortcode

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC_ATTR = re.compile(r"""\ssrc\s*=\s*(['"])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_RATIO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*[/:x-]\s*(\d+(?:\.\d+)?)\s*")
_SECONDS = re.compile(r"\d+(?:\.\d+)?")
_POSTER_EXT = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")


def _remote_image(url: str, alt: str) -> str:
    label = f"View the image: {alt}" if alt else "View the image"
    return (
        f'<a class="sc-remote-image" href="{escape(url)}"{EXTERNAL}>{escape(label)}'
        f' <span class="sc-remote-host">({escape(host_of(url))})</span></a>'
    )


def _img(ctx: ShortcodeContext, src: str, alt: str, cls: str = "", extra: str = "") -> str:
    """An ``<img>`` for a bundle or site image; a link for an image on another host."""
    if is_remote(src):
        return _remote_image(src, alt)
    url, found = local_src(ctx, src)
    size = (size_attrs(found) if "width=" not in extra else "") + srcset_attrs(found)
    cls_attr = f' class="{escape(cls)}"' if cls else ""
    return (
        f'<img{cls_attr} src="{escape(url)}" alt="{escape(alt)}"{size}{extra}'
        ' loading="lazy" decoding="async">'
    )


def _caption(ctx: ShortcodeContext, caption: str | None) -> str:
    return f"<figcaption>{arg_md(ctx, caption)}</figcaption>" if caption else ""


def _hugo_figure(sc: Shortcode, ctx: ShortcodeContext, src: str) -> str:
    """Hugo's own figure: link, title, caption, attr/attrlink, width, height, class."""
    caption = arg(sc, "caption") or ""
    alt = arg(sc, "alt") or (plain(arg_md(ctx, caption)) if caption else "")
    extra = "".join(
        f' {name}="{escape(value)}"'
        for name in ("width", "height")
        if (value := arg(sc, name)) and value.strip().isdigit()
    )
    image = _img(ctx, src, alt, extra=extra)
    link = safe_url(arg(sc, "link"), ctx)
    if link:
        attrs = "".join(f' {n}="{escape(v)}"' for n in ("target", "rel") if (v := arg(sc, n)))
        image = f'<a href="{escape(link)}"{attrs}>{image}</a>'
    parts = []
    title = arg(sc, "title")
    if title:
        parts.append(f"<h4>{escape(title)}</h4>")
    attr = arg(sc, "attr")
    if caption or attr:
        attr_html = arg_md(ctx, attr) if attr else ""
        attrlink = safe_url(arg(sc, "attrlink"), ctx)
        if attr_html and attrlink:
            attr_html = f'<a href="{escape(attrlink)}">{attr_html}</a>'
        cap = arg_md(ctx, caption) if caption else ""
        parts.append(f"<p>{cap}{' ' if cap and attr_html else ''}{attr_html}</p>")
    figcaption = f"<figcaption>{''.join(parts)}</figcaption>" if parts else ""
    cls = arg(sc, "class")
    classes = f"sc-figure {escape(cls)}" if cls else "sc-figure"
    return block(sc, f'<figure class="{classes}">{image}{figcaption}</figure>')


@shortcode("figure")
def render_figure(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< figure src alt caption class figureClass href target nozoom default >}}``."""
    src = (arg(sc, "src", 0) or "").strip()
    if not src:
        ctx.warn("needs a src; nothing rendered")
        return ""
    if flag(arg(sc, "default")):
        return _hugo_figure(sc, ctx, src)
    caption = arg(sc, "caption")
    alt = arg(sc, "alt") or (plain(arg_md(ctx, caption)) if caption else "")
    img_cls = " ".join(
        c for c in ("nozoom" if flag(arg(sc, "nozoom")) else "", arg(sc, "class") or "") if c
    )
    image = _img(ctx, src, alt, img_cls)
    href = safe_url(arg(sc, "href"), ctx, "href")
    if href:
        target = arg(sc, "target") or "_blank"
        rel = ' rel="noopener noreferrer"' if target == "_blank" else ""
        image = f'<a href="{escape(href)}" target="{escape(target)}"{rel}>{image}</a>'
    fig_cls = arg(sc, "figureClass")
    classes = f"sc-figure {escape(fig_cls)}" if fig_cls else "sc-figure"
    return block(sc, f'<figure class="{classes}">{image}{_caption(ctx, caption)}</figure>')


def _gallery_img(ctx: ShortcodeContext, match: re.Match[str]) -> str:
    tag = match.group(0)
    src_m = _SRC_ATTR.search(tag)
    if src_m is None:
        return tag
    src = src_m.group(2).strip()
    if is_remote(src):
        alt_m = re.search(r"""\salt\s*=\s*(['"])(.*?)\1""", tag, re.DOTALL)
        return _remote_image(src, alt_m.group(2) if alt_m else "")
    found = find_file(ctx, src)
    if found is None:
        ctx.warn(f"image {src!r} is not in the page bundle; used as given")
        new_src = src_m.group(0)
    else:
        new_src = f' src="{escape(found.url)}"'
    tag = tag[: src_m.start()] + new_src + tag[src_m.end() :]
    extra = ""
    if not re.search(r"\swidth\s*=", tag, re.IGNORECASE):
        extra += size_attrs(found)
    if not re.search(r"\sloading\s*=", tag, re.IGNORECASE):
        extra += ' loading="lazy"'
    head = "<img"
    return head + extra + tag[len(head):]


@shortcode("gallery")
def render_gallery(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< gallery >}}<img src class="grid-wNN">...{{< /gallery >}}``: a CSS grid."""
    inner = _IMG_TAG.sub(lambda m: _gallery_img(ctx, m), (ctx.inner or "").strip())
    if not inner:
        ctx.warn("no images inside; nothing rendered")
        return ""
    return block(sc, f'<div class="sc-gallery" id="gallery-{ctx.ordinal + 1}">\n{inner}\n</div>')


@shortcode("screenshot")
def render_screenshot(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< screenshot src alt caption href class >}}``: a bundle image shown at half size."""
    src = (arg(sc, "src") or "").strip()
    if not src:
        ctx.warn("needs a src; nothing rendered")
        return ""
    caption = arg(sc, "caption")
    alt = arg(sc, "alt") or (plain(arg_md(ctx, caption)) if caption else "")
    found = None if is_remote(src) else find_file(ctx, src) or find_file(ctx, f"*{src}*")
    if found is not None:
        # Shown at half its size (Blowfish's max-width/max-height), by attributes: the page
        # needs no inline style, and the stylesheet's max-width: 100% keeps it fluid.
        half = (f' width="{max(1, int(found.width) // 2)}"'
                f' height="{max(1, int(found.height) // 2)}"'
                if found.width and found.height else "")
        image = (f'<img src="{escape(found.url)}" alt="{escape(alt)}"{half}'
                 f' loading="lazy" decoding="async">')
    else:
        image = _img(ctx, src, alt)
    href = safe_url(arg(sc, "href"), ctx, "href")
    if href:
        image = f'<a href="{escape(href)}">{image}</a>'
    cls = arg(sc, "class")
    classes = f"sc-screenshot {escape(cls)}" if cls else "sc-screenshot"
    return block(sc, f'<figure class="{classes}">{image}{_caption(ctx, caption)}</figure>')


def _poster(sc: Shortcode, ctx: ShortcodeContext, video: PageFile | None) -> str:
    poster = (arg(sc, "poster") or "").strip()
    if poster:
        if is_remote(poster):
            ctx.warn("remote poster image is not loaded; dropped")
            return ""
        url, _ = local_src(ctx, poster, "poster")
        return f' poster="{escape(url)}"'
    if video is not None:
        stem = posixpath.splitext(video.path)[0]
        for ext in _POSTER_EXT:
            found = find_file(ctx, stem + ext)
            if found is not None:
                return f' poster="{escape(found.url)}"'
    return ""


@shortcode("video")
def render_video(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< video src poster caption ... >}}``: a local ``<video>``, or a link if remote."""
    src = (arg(sc, "src") or "").strip()
    caption = arg(sc, "caption")
    if not safe_url(src, ctx, "src"):
        ctx.warn("needs a src; nothing rendered")
        return ""
    if is_remote(src):
        title = plain(arg_md(ctx, caption)) if caption else posixpath.basename(src)
        card = link_card("video", src, title, f"Watch the video on {host_of(src)}")
        return block(sc, f'<figure class="sc-video">{card}{_caption(ctx, caption)}</figure>')
    url, found = local_src(ctx, src, "video")
    attrs = ""
    for name, default in (("controls", True), ("autoplay", False), ("loop", False),
                          ("muted", False), ("playsinline", True)):
        if flag(arg(sc, name), default):
            attrs += f" {name}"
    if " autoplay" in attrs and " muted" not in attrs:
        attrs += " muted"  # browsers only autoplay muted videos
    preload = (arg(sc, "preload") or "metadata").strip().lower()
    attrs += f' preload="{preload if preload in ("none", "metadata", "auto") else "metadata"}"'
    start, end = (arg(sc, "start") or "").strip(), (arg(sc, "end") or "").strip()
    fragment = ""
    if _SECONDS.fullmatch(start) or _SECONDS.fullmatch(end):
        fragment = "#t=" + (start if _SECONDS.fullmatch(start) else "0")
        fragment += f",{end}" if _SECONDS.fullmatch(end) else ""
    ratio = _RATIO.fullmatch(arg(sc, "ratio") or "16/9") or _RATIO.fullmatch("16/9")
    fit = (arg(sc, "fit") or "contain").strip().lower()
    fit = fit if fit in ("contain", "cover", "fill") else "contain"
    # The fit is a class; only the ratio, a free number, is an inline style (allowed by the
    # page's Content-Security-Policy by its hash).
    style = f' style="aspect-ratio: {ratio.group(1)} / {ratio.group(2)}"' if ratio else ""
    return block(sc, (
        f'<figure class="sc-video"><video class="sc-video-player sc-fit-{fit}" '
        f'src="{escape(url + fragment)}"{attrs}{_poster(sc, ctx, found)}{style}>'
        f'Your browser cannot play this video. <a href="{escape(url)}" download>'
        f"Download the video</a>.</video>{_caption(ctx, caption)}</figure>"
    ))


@shortcode("youtubeLite")
def render_youtube_lite(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< youtubeLite id="..." label="..." >}}``: a link card to YouTube, no player."""
    vid = (arg(sc, "id", 0) or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", vid):
        ctx.warn(f"needs a video id (got {vid!r}); nothing rendered")
        return ""
    href = f"https://www.youtube.com/watch?v={vid}"
    start = re.search(r"(?:^|&)start=(\d{1,7})", arg(sc, "params") or "")
    if start:
        href += f"&t={int(start.group(1))}s"
    title = arg(sc, "label") or "YouTube video"
    return link_card("youtube", href, title, "Watch on YouTube", detail=f"youtube.com · {vid}")
