"""Helpers shared by the Hugo and Blowfish shortcode renderers: arguments, files, links."""

from __future__ import annotations

import html as htmllib
import re
import textwrap
from urllib.parse import urlsplit

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render.shortcodes.carousel import glob_to_regex
from app.render.shortcodes.icons import icon_svg
from app.render.shortcodes.registry import PageFile, ShortcodeContext

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_COLOR = re.compile(
    r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(?:rgba?|hsla?)\(\s*[-0-9.,%\s/a-z]{1,60}\)"
)
_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SINGLE_PARAGRAPH = re.compile(r"\A\s*<p>(?P<body>.*?)</p>\s*\Z", re.DOTALL)
EXTERNAL = ' target="_blank" rel="noopener noreferrer"'


def arg(sc: Shortcode, name: str, index: int | None = None) -> str | None:
    """A named argument (exact name, then case-insensitively), else positional ``index``."""
    if name in sc.kwargs:
        return sc.kwargs[name]
    lowered = name.lower()
    for key, value in sc.kwargs.items():
        if key.lower() == lowered:
            return value
    if index is not None and not sc.kwargs and index < len(sc.args):
        return sc.args[index]
    return None


def flag(value: str | None, default: bool = False) -> bool:
    """A Hugo boolean argument: ``true``/``false`` (and 1/0); anything else is the default."""
    if value is None:
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


def css_color(value: str | None, ctx: ShortcodeContext, what: str) -> str | None:
    """A CSS colour that is safe in a style attribute, else None (with a warning)."""
    if not value:
        return None
    text = value.strip()
    if _COLOR.fullmatch(text):
        return text
    ctx.warn(f"{what} {value!r} is not a CSS colour; ignored")
    return None


def safe_url(value: str | None, ctx: ShortcodeContext, what: str = "link") -> str | None:
    """A URL usable in href/src: relative, or http(s)/mailto/tel; None for other schemes."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        scheme = urlsplit(text).scheme.lower() if ":" in text.split("/", 1)[0] else ""
    except ValueError:
        ctx.warn(f"{what} {value!r} is not a valid URL; dropped")
        return None
    if scheme and scheme not in _SAFE_SCHEMES:
        ctx.warn(f"{what} {value!r} uses the {scheme!r} scheme; dropped")
        return None
    return text


def is_remote(url: str) -> bool:
    """True for URLs on another host (http(s) or protocol-relative)."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


def host_of(url: str) -> str:
    """The host name of an absolute URL, without ``www.``."""
    try:
        host = urlsplit(url if "://" in url else "https:" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _norm(path: str) -> str:
    return path.replace("\\", "/").strip().removeprefix("./").lstrip("/").lower()


def find_file(ctx: ShortcodeContext, src: str, *, images_only: bool = False) -> PageFile | None:
    """A bundle file by path (case-insensitive), else the first glob match (Hugo GetMatch)."""
    files = [f for f in ctx.files if not images_only or f.media_type.startswith("image/")]
    wanted = _norm(src.split("?", 1)[0].split("#", 1)[0])
    if not wanted:
        return None
    for f in files:
        if _norm(f.path) == wanted:
            return f
    regex = glob_to_regex(wanted)
    if regex is not None:
        for f in files:
            if regex.fullmatch(_norm(f.path)):
                return f
    return None


def size_attrs(f: PageFile | None) -> str:
    """``width``/``height`` attributes for a bundle image with a known size."""
    if f is not None and f.width and f.height:
        return f' width="{int(f.width)}" height="{int(f.height)}"'
    return ""


def srcset_attrs(f: PageFile | None, sizes: str = "(min-width: 48rem) 46rem, 100vw") -> str:
    """``srcset``/``sizes`` for a bundle image that has resized variants."""
    srcset = getattr(f, "srcset", "") if f is not None else ""
    return f' srcset="{escape(srcset)}" sizes="{sizes}"' if srcset else ""


def local_src(ctx: ShortcodeContext, src: str, what: str = "image") -> tuple[str, PageFile | None]:
    """Resolve a local ``src`` against the bundle; unmatched paths are used as given."""
    found = find_file(ctx, src)
    if found is not None:
        return found.url, found
    if not src.startswith("/"):
        ctx.warn(f"{what} {src!r} is not in the page bundle; used as given")
    return src, None


def inline_md(ctx: ShortcodeContext, text: str) -> str:
    """Markdown rendered as Hugo's markdownify: a lone outer paragraph is dropped."""
    html = ctx.markdownify(text).strip()
    m = _SINGLE_PARAGRAPH.match(html)
    if m and "<p" not in m.group("body"):
        return m.group("body")
    return html


def block_md(ctx: ShortcodeContext, text: str | None) -> str:
    """Inner content as Markdown: de-indented so indented inner text is not a code block."""
    if not text or not text.strip():
        return ""
    return inline_md(ctx, textwrap.dedent(text).strip("\n"))


def arg_md(ctx: ShortcodeContext, text: str) -> str:
    """Markdown from an argument (caption, summary); HTML written in it is shown, not run."""
    return inline_md(ctx, text.replace("<", "&lt;").replace(">", "&gt;"))


def plain(html: str) -> str:
    """Text of an HTML fragment (tags dropped, entities decoded), for alt text."""
    text = htmllib.unescape(re.sub(r"<[^>]*>", "", html))
    return re.sub(r"\s+", " ", text).strip()


def link_card(kind: str, href: str, title: str, action: str, *,
              detail: str = "", icon: str | None = None) -> str:
    """A privacy-friendly card for remote content: a plain link, nothing loaded."""
    detail_html = f'<span class="sc-card-detail">{escape(detail)}</span>' if detail else ""
    return (
        f'<div class="sc-card sc-card-{escape(kind)}">'
        f'<a class="sc-card-link" href="{escape(href)}"{EXTERNAL}>'
        f'<span class="sc-card-icon" aria-hidden="true">{icon_svg(icon or kind)}</span>'
        f'<span class="sc-card-body"><span class="sc-card-title">{escape(title)}</span>'
        f'{detail_html}<span class="sc-card-action">{escape(action)}'
        f' <span aria-hidden="true">&#8599;</span></span></span></a></div>'
    )


def block(sc: Shortcode, html: str) -> str:
    """Block output; in ``{{% %}}`` form it is set apart so Markdown keeps it a block."""
    return f"\n\n{html}\n\n" if sc.markdown else html
