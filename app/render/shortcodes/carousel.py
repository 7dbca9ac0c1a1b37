"""Blowfish's ``carousel`` shortcode, rendered as accessible, script-optional markup.

Parameter handling follows Blowfish v2.103 (``layouts/shortcodes/carousel.html``):

* ``images``: one leading ``{`` and one trailing ``}`` are trimmed, the rest is split on
  ``,`` with no trimming of spaces, so ``"{a.png, b.png}"`` loses ``b.png``.  Each item
  is a glob (``*``, ``**``, ``?``, ``[...]``, ``{a,b}``) matched case-insensitively
  against the page bundle's files; every match of an item is kept, in bundle order, and
  items are taken in the order listed.  Items that match nothing are dropped.
* ``interval``: milliseconds between slides, default ``2000``.
* ``aspectRatio``: ``"X-Y"``, default ``16-9``.
* ``captions``: ``"{key:caption,key2:caption2}"``; a key names a file by its bundle
  path, its base name, its URL or the URL's base name.

Where Hugo would fetch a remote image or silently drop something, we warn instead.
The output is a horizontal scroll-snap strip that works without JavaScript;
``static/js/carousel.js`` adds autoplay and the controls.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render.shortcodes.registry import PageFile, ShortcodeContext, shortcode

DEFAULT_INTERVAL_MS = 2000
DEFAULT_ASPECT = ("16", "9")

_CURRENT = ' aria-current="true"'
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SINGLE_PARAGRAPH = re.compile(r"\A\s*<p>(?P<body>.*?)</p>\s*\Z", re.DOTALL)

_ICON_PREV = (
    '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
    '<path d="M15 5l-7 7 7 7" fill="none" stroke="currentColor" stroke-width="2.5" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
_ICON_NEXT = (
    '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
    '<path d="M9 5l7 7-7 7" fill="none" stroke="currentColor" stroke-width="2.5" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
_ICON_PAUSE = (
    '<svg class="carousel-icon-pause" viewBox="0 0 24 24" width="24" height="24" '
    'aria-hidden="true" focusable="false">'
    '<path d="M7 5h3v14H7zM14 5h3v14h-3z" fill="currentColor"/></svg>'
)
_ICON_PLAY = (
    '<svg class="carousel-icon-play" viewBox="0 0 24 24" width="24" height="24" '
    'aria-hidden="true" focusable="false">'
    '<path d="M8 5v14l11-7z" fill="currentColor"/></svg>'
)


@dataclass(frozen=True)
class _Slide:
    file: PageFile
    item: str  # the images-list item that matched it (for caption keys)


def _param(sc: Shortcode, name: str) -> str | None:
    """A named parameter; exact name first, then case-insensitively."""
    if name in sc.kwargs:
        return sc.kwargs[name]
    lowered = name.lower()
    for key, value in sc.kwargs.items():
        if key.lower() == lowered:
            return value
    return None


def _trim_braces(value: str) -> str:
    """Go's ``strings.TrimPrefix "{"`` then ``strings.TrimSuffix "}"``: one of each."""
    return value.removeprefix("{").removesuffix("}")


@functools.lru_cache(maxsize=512)
def glob_to_regex(pattern: str) -> re.Pattern[str] | None:
    """Compile a Hugo (gobwas) glob with ``/`` as separator; None when it is invalid.

    ``*`` stays within one path segment, ``**`` crosses segments, ``?`` is one
    non-separator character, ``[abc]``/``[!a-z]`` are classes and ``{a,b}`` picks one
    alternative.  The caller lowercases pattern and names (Hugo matches
    case-insensitively).
    """
    out: list[str] = []
    depth = 0
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                return None
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            if not body:
                return None
            body = "".join("\\" + ch if ch in "\\^[]" else ch for ch in body)
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end + 1
            continue
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "," and depth:
            out.append("|")
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        return None
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def _normalize(path: str) -> str:
    return path.replace("\\", "/").lstrip("/").lower()


def _match(item: str, files: list[PageFile]) -> list[PageFile] | None:
    """Files (in bundle order) whose path matches the glob ``item``; None if invalid."""
    regex = glob_to_regex(_normalize(item))
    if regex is None:
        return None
    return [f for f in files if regex.fullmatch(_normalize(f.path))]


def _parse_images(raw: str, files: list[PageFile], ctx: ShortcodeContext) -> list[_Slide]:
    images = [f for f in files if f.media_type.startswith("image/")]
    slides: list[_Slide] = []
    for item in _trim_braces(raw).split(","):
        if item.startswith(("http:", "https:")):
            ctx.warn(f"remote image {item!r} is not fetched; slide skipped")
            continue
        matched = _match(item, images)
        if matched is None:
            ctx.warn(f"invalid image pattern {item!r}; skipped")
            continue
        if not matched:
            hint = ""
            if item != item.strip():
                hint = " (spaces in the images list are significant)"
            ctx.warn(f"no image in the page bundle matches {item!r}{hint}")
            continue
        slides.extend(_Slide(f, item) for f in matched)
    return slides


def _parse_interval(raw: str | None, ctx: ShortcodeContext) -> int:
    if raw is None:
        return DEFAULT_INTERVAL_MS
    text = raw.strip()
    if text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    ctx.warn(
        f"interval {raw!r} is not a positive number of milliseconds; "
        f"using {DEFAULT_INTERVAL_MS}"
    )
    return DEFAULT_INTERVAL_MS


def _parse_aspect(raw: str | None, ctx: ShortcodeContext) -> tuple[str, str]:
    default = DEFAULT_ASPECT
    if raw is None:
        return default
    parts = raw.strip().split("-")
    x = parts[0].strip() if parts else ""
    y = parts[1].strip() if len(parts) > 1 else ""
    x = x or default[0]
    y = y or default[1]
    valid = (
        len(parts) <= 2
        and _NUMBER.fullmatch(x)
        and _NUMBER.fullmatch(y)
        and float(x) > 0
        and float(y) > 0
    )
    if not valid:
        ctx.warn(f"aspectRatio {raw!r} is not of the form X-Y; using 16-9")
        return default
    return x, y


def _parse_captions(raw: str | None) -> dict[str, str]:
    captions: dict[str, str] = {}
    if not raw:
        return captions
    for entry in _trim_braces(raw).split(","):
        key, sep, caption = entry.partition(":")
        key, caption = key.strip(), caption.strip()
        if sep and key and caption:
            captions[key] = caption
    return captions


def _caption_for(slide: _Slide, captions: dict[str, str]) -> str | None:
    f = slide.file
    candidates = (
        f.path,
        posixpath.basename(f.path),
        f.url,
        posixpath.basename(f.url),
        slide.item,
    )
    for key in candidates:
        if key in captions:
            return captions[key]
    return None


def _inline_markdown(ctx: ShortcodeContext, text: str) -> str:
    """Markdown rendered like Hugo's ``markdownify``: a lone outer <p> is dropped."""
    html = ctx.markdownify(text)
    m = _SINGLE_PARAGRAPH.match(html)
    if m and "<p" not in m.group("body"):
        return m.group("body")
    return html.strip()


@shortcode("carousel")
def render_carousel(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """Render ``{{< carousel images="..." interval="..." aspectRatio="..." >}}``."""
    images_raw = _param(sc, "images")
    if images_raw is None:
        if sc.args:
            ctx.warn(
                "positional arguments are not supported (use "
                'images="..."); Blowfish renders an empty carousel, nothing rendered'
            )
        else:
            ctx.warn("no images parameter; nothing rendered")
        return ""

    slides = _parse_images(images_raw, list(ctx.files), ctx)
    interval = _parse_interval(_param(sc, "interval"), ctx)
    ratio_x, ratio_y = _parse_aspect(_param(sc, "aspectRatio"), ctx)
    captions = _parse_captions(_param(sc, "captions"))
    if not slides:
        ctx.warn(f"no images matched {images_raw!r}; nothing rendered")
        return ""

    cid = f"carousel-{ctx.ordinal + 1}"
    total = len(slides)
    out: list[str] = [
        (
            f'<div class="carousel" id="{cid}" data-interval="{interval}" role="region" '
            f'aria-roledescription="carousel" aria-label="Image carousel {ctx.ordinal + 1}">'
        ),
        (
            '<div class="carousel-viewport" tabindex="0" role="group" '
            'aria-label="Images, scroll sideways" '
            f'style="aspect-ratio: {escape(ratio_x)} / {escape(ratio_y)}">'
        ),
    ]
    for number, slide in enumerate(slides, start=1):
        f = slide.file
        size = ""
        if f.width and f.height:
            size = f' width="{int(f.width)}" height="{int(f.height)}"'
        lazy = "" if number == 1 else ' loading="lazy"'
        if f.srcset:
            # A slide fills the carousel, which spans the article column.
            size += f' srcset="{escape(f.srcset)}" sizes="(min-width: 48rem) 46rem, 100vw"'
        out.append(
            f'<figure class="carousel-slide" id="{cid}-{number}" role="group" '
            f'aria-roledescription="slide" aria-label="{number} of {total}">'
            f'<img src="{escape(f.url)}"{size} alt="carousel image {number}"{lazy} '
            'decoding="async">'
        )
        caption = _caption_for(slide, captions)
        if caption is not None:
            out.append(
                f'<figcaption class="carousel-caption">{_inline_markdown(ctx, caption)}'
                "</figcaption>"
            )
        out.append("</figure>")
    out.append("</div>")

    if total > 1:
        indicators = "".join(
            f'<li><a href="#{cid}-{number}" aria-label="Show image {number}"'
            f"{_CURRENT if number == 1 else ''}></a></li>"
            for number in range(1, total + 1)
        )
        out.append(
            '<div class="carousel-controls">'
            f'<button type="button" class="carousel-prev" aria-controls="{cid}" '
            f'aria-label="Previous image" hidden>{_ICON_PREV}</button>'
            f'<ol class="carousel-indicators">{indicators}</ol>'
            f'<button type="button" class="carousel-next" aria-controls="{cid}" '
            f'aria-label="Next image" hidden>{_ICON_NEXT}</button>'
            f'<button type="button" class="carousel-toggle" aria-controls="{cid}" '
            f'aria-label="Pause slideshow" data-state="playing" hidden>'
            f"{_ICON_PAUSE}{_ICON_PLAY}</button>"
            "</div>"
        )
    out.append("</div>")
    return "\n".join(out)
