"""Hugo's built-in shortcodes, with every embed turned into a plain link to the other host.

Parameters follow Hugo 0.161 (``tpl/tplimpl/embedded/templates/_shortcodes``). Where Hugo
embeds an iframe or a remote script (YouTube, Vimeo, X, Instagram, gist), the output here
is a link card: nothing is requested from another host until the reader follows the link.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render import highlight
from app.render.shortcodes.helpers import arg, arg_md, block, block_md, flag, link_card
from app.render.shortcodes.registry import ShortcodeContext, shortcode

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NUMBER = re.compile(r"\d{1,7}")
_QR_LEVELS = {"low": "l", "medium": "m", "quartile": "q", "high": "h"}


def _video_id(sc: Shortcode, ctx: ShortcodeContext) -> str | None:
    value = arg(sc, "id", 0)
    if not value or not _ID.fullmatch(value.strip()):
        ctx.warn(f"needs a video id (got {value!r}); nothing rendered")
        return None
    return value.strip()


@shortcode("youtube")
def render_youtube(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< youtube ID >}}``: a link card to the video on YouTube, no iframe."""
    vid = _video_id(sc, ctx)
    if vid is None:
        return ""
    href = f"https://www.youtube.com/watch?v={quote(vid)}"
    start = arg(sc, "start")
    if start and _NUMBER.fullmatch(start.strip()):
        href += f"&t={int(start)}s"
    title = arg(sc, "title") or "YouTube video"
    return link_card("youtube", href, title, "Watch on YouTube", detail=f"youtube.com · {vid}")


@shortcode("vimeo", "vimeo_simple")
def render_vimeo(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< vimeo ID >}}``: a link card to the video on Vimeo, no iframe."""
    vid = _video_id(sc, ctx)
    if vid is None:
        return ""
    title = arg(sc, "title") or (sc.args[2] if len(sc.args) > 2 else "") or "Vimeo video"
    return link_card("vimeo", f"https://vimeo.com/{quote(vid)}", title, "Watch on Vimeo",
                     detail=f"vimeo.com · {vid}")


@shortcode("x", "x_simple", "twitter", "twitter_simple", "tweet")
def render_x(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< x user="U" id="N" >}}``: a link card to the post on X, no script."""
    user = (arg(sc, "user") or "").strip().lstrip("@")
    post = (arg(sc, "id") or (sc.args[-1] if sc.args and not sc.kwargs else "")).strip()
    if not re.fullmatch(r"\d{1,25}", post):
        ctx.warn(f"needs a numeric post id (got {post!r}); nothing rendered")
        return ""
    if user and not _ID.fullmatch(user):
        ctx.warn(f"user {user!r} is not an X user name; ignored")
        user = ""
    href = f"https://x.com/{user or 'i'}/status/{post}"
    title = f"Post by @{user}" if user else "Post on X"
    return link_card("x", href, title, "View the post on X", detail=f"x.com · {post}")


@shortcode("instagram", "instagram_simple")
def render_instagram(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< instagram ID >}}``: a link card to the post on Instagram, no script."""
    post = (arg(sc, "id", 0) or "").strip()
    if not _ID.fullmatch(post):
        ctx.warn(f"needs an Instagram post id (got {post!r}); nothing rendered")
        return ""
    return link_card("instagram", f"https://www.instagram.com/p/{post}/", "Instagram post",
                     "View the post on Instagram", detail=f"instagram.com · {post}")


@shortcode("gist")
def render_gist(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< gist USER ID [FILE] >}}``: a link card to the gist, no remote script."""
    user = (arg(sc, "user", 0) or "").strip()
    gist = (arg(sc, "id", 1) or "").strip()
    file = (arg(sc, "file", 2) or "").strip()
    if not _ID.fullmatch(user) or not re.fullmatch(r"[0-9a-fA-F]{1,64}", gist):
        ctx.warn(f"needs a user and a gist id (got {user!r}, {gist!r}); nothing rendered")
        return ""
    href = f"https://gist.github.com/{user}/{gist}"
    if file:
        href += "#file-" + quote(re.sub(r"[^a-z0-9_-]", "-", file.lower()))
    title = f"{user}/{gist}" + (f" · {file}" if file else "")
    return link_card("gist", href, title, "View the gist on GitHub", detail="gist.github.com")


def _param_value(params: Mapping[str, Any], key: str) -> Any:
    current: Any = params
    for part in key.lower().split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(_format(v) for v in value)
    return str(value)


@shortcode("param")
def render_param(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< param "key.sub" >}}``: the page's front matter value, escaped."""
    key = sc.args[0].strip() if sc.args else ""
    if not key:
        ctx.warn("missing param key; nothing rendered")
        return ""
    value = _param_value(ctx.params, key)
    if value is None or value == "":
        ctx.warn(f"param {key!r} not found in the page's front matter; nothing rendered")
        return ""
    return str(escape(_format(value)))


@shortcode("details")
def render_details(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< details summary="..." >}}``: a native ``<details>`` disclosure."""
    attrs = ""
    cls = arg(sc, "class")
    attrs += f' class="sc-details {escape(cls)}"' if cls else ' class="sc-details"'
    for name in ("name", "title"):
        value = arg(sc, name)
        if value:
            attrs += f' {name}="{escape(value)}"'
    if flag(arg(sc, "open")):
        attrs += " open"
    summary = arg_md(ctx, arg(sc, "summary") or "Details")
    body = block_md(ctx, ctx.inner)
    return block(sc, f"<details{attrs}><summary>{summary}</summary>\n{body}\n</details>")


@shortcode("highlight")
def render_highlight(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< highlight LANG "OPTIONS" >}}``: Pygments, like the Markdown code blocks."""
    lang = (arg(sc, "lang", 0) or "").strip()
    options = highlight.parse_options(arg(sc, "options", 1) or "")
    code = (ctx.inner or "").strip("\n").rstrip() + "\n"
    if lang and not highlight.lexer_for(lang)[1]:
        ctx.warn(f"unknown language {lang!r}; shown as plain text")
    if flag(options.get("hl_inline")):
        return f'<code class="highlight">{highlight.inline_spans(code, lang)}</code>'
    return highlight.highlight(code, lang, options)


@shortcode("qr")
def render_qr(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< qr text="..." >}}``: the QR code drawn here as inline SVG (segno)."""
    import segno  # imported on use: most pages have no QR code

    text = (arg(sc, "text") or (ctx.inner or "")).strip()
    if not text:
        ctx.warn("needs a text argument or inner text; nothing rendered")
        return ""
    level = (arg(sc, "level") or "medium").strip().lower()
    if level not in _QR_LEVELS:
        ctx.warn(f"level {level!r} is not low, medium, quartile or high; using medium")
        level = "medium"
    scale_raw = (arg(sc, "scale") or "4").strip()
    scale = int(scale_raw) if scale_raw.isdigit() and int(scale_raw) >= 2 else 4
    if str(scale) != scale_raw:
        ctx.warn(f"scale {scale_raw!r} is not an integer of at least 2; using 4")
    try:
        code = segno.make(text, error=_QR_LEVELS[level], micro=False)
    except (ValueError, segno.DataOverflowError) as exc:
        ctx.warn(f"cannot encode the text as a QR code ({exc}); shown as text")
        return f'<span class="sc-qr-text">{escape(text)}</span>'
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=1, border=4, dark="#000", light="#fff",
              xmldecl=False, svgns=True, nl=False, omitsize=True, svgclass=None,
              lineclass=None)
    svg = buffer.getvalue().decode()
    size = code.symbol_size(scale=scale, border=4)[0]
    label = arg(sc, "alt") or f"QR code: {text}"
    extra = arg(sc, "class")
    attrs = f' class="sc-qr {escape(extra)}"' if extra else ' class="sc-qr"'
    attrs += f' width="{size}" height="{size}" role="img" aria-label="{escape(label)}"'
    element_id = arg(sc, "id")
    if element_id:
        attrs += f' id="{escape(element_id)}"'
    title = arg(sc, "title")
    title_el = f"<title>{escape(title)}</title>" if title else ""
    return svg.replace("<svg ", f"<svg{attrs} ", 1).replace(">", f">{title_el}", 1)
