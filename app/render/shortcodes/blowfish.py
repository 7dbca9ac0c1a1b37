"""Blowfish's text shortcodes: callouts, badges, buttons, icons, keywords and friends.

Parameters follow Blowfish v2.103 (``layouts/shortcodes/*.html``) and its documentation
(``exampleSite/content/docs/shortcodes``). Mermaid diagrams and KaTeX maths are drawn in the
browser by static/js/diagrams.js over their readable source (the no-JavaScript fallback);
typeit shows its text; where Blowfish queries other pages of the site (article, list) a plain
link stands in.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from urllib.parse import quote

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render.shortcodes.helpers import (
    EXTERNAL,
    arg,
    block,
    block_md,
    css_color,
    is_remote,
    safe_url,
)
from app.render.shortcodes.icons import icon_svg
from app.render.shortcodes.registry import ShortcodeContext, shortcode

_ICON_NAME = re.compile(r"[^a-z0-9-]+")
_TYPEIT_TAGS = {"div", "p", "span", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}


def icon_html(name: str, extra_class: str = "") -> str:
    """``<span class="sc-icon">`` around the SVG for ``name`` (a name span if unknown)."""
    slug = _ICON_NAME.sub("-", name.strip().lower()).strip("-")
    classes = f"sc-icon sc-icon-{slug}" + (f" {extra_class}" if extra_class else "")
    return f'<span class="{classes}" aria-hidden="true">{icon_svg(name)}</span>'


@shortcode("icon")
def render_icon(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< icon "name" >}}``: a small inline SVG icon."""
    name = (arg(sc, "name", 0) or "").strip()
    if not name:
        ctx.warn("needs an icon name; nothing rendered")
        return ""
    return icon_html(name)


@shortcode("alert")
def render_alert(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< alert [icon] >}}Markdown{{< /alert >}}``: a callout box with an icon."""
    icon = (arg(sc, "icon", 0) or "triangle-exclamation").strip() or "triangle-exclamation"
    card = css_color(arg(sc, "cardColor"), ctx, "cardColor")
    icon_color = css_color(arg(sc, "iconColor"), ctx, "iconColor")
    text = css_color(arg(sc, "textColor"), ctx, "textColor")
    styles = [f"background-color: {card}" if card else "", f"color: {text}" if text else ""]
    style = "; ".join(s for s in styles if s)
    style_attr = f' style="{escape(style)}"' if style else ""
    icon_style = f' style="color: {escape(icon_color)}"' if icon_color else ""
    return block(sc, (
        f'<div class="sc-alert" role="note"{style_attr}>'
        f'<span class="sc-alert-icon"{icon_style}>{icon_html(icon)}</span>'
        f'<div class="sc-alert-body">{block_md(ctx, ctx.inner)}</div></div>'
    ))


@shortcode("badge")
def render_badge(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< badge >}}text{{< /badge >}}``: a small inline label."""
    return f'<span class="sc-badge">{block_md(ctx, ctx.inner)}</span>'


@shortcode("lead")
def render_lead(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< lead >}}Markdown{{< /lead >}}``: larger introductory text."""
    return block(sc, f'<div class="sc-lead">{block_md(ctx, ctx.inner)}</div>')


@shortcode("ltr", "rtl")
def render_direction(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{% rtl %}}Markdown{{% /rtl %}}``: a block in the other writing direction."""
    direction = sc.name.lower()
    html = f'<div class="sc-{direction}" dir="{direction}">\n{block_md(ctx, ctx.inner)}\n</div>'
    return block(sc, html)


@shortcode("button")
def render_button(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< button href="..." >}}label{{< /button >}}``: a link styled as a button."""
    attrs = ""
    page_ref = (arg(sc, "pageRef") or "").strip()
    href = safe_url(arg(sc, "href"), ctx, "href")
    if page_ref:
        # Resolving pageRef needs the site's pages; a site path is the best guess here.
        href = "/" + page_ref.strip("/") + "/" if page_ref.strip("/") else "/"
        attrs += f' data-page-ref="{escape(page_ref)}"'
    if href is not None:
        attrs = f' href="{escape(href)}"' + attrs
    target = arg(sc, "target")
    rel = arg(sc, "rel")
    if target:
        attrs += f' target="{escape(target)}"'
        if target == "_blank" and not rel:
            rel = "noopener noreferrer"
    if rel:
        attrs += f' rel="{escape(rel)}"'
    label = block_md(ctx, ctx.inner) or escape(href or "")
    return f'<a class="sc-button"{attrs} role="button">{label}</a>'


@shortcode("keyword")
def render_keyword(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< keyword icon="..." >}}skill{{< /keyword >}}``: a highlighted chip."""
    icon = arg(sc, "icon", 0)
    icon_part = icon_html(icon) if icon else ""
    return f'<span class="sc-keyword">{icon_part}<span>{block_md(ctx, ctx.inner)}</span></span>'


@shortcode("keywordList")
def render_keyword_list(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< keywordList >}}...{{< /keywordList >}}``: a row of keyword chips."""
    return f'<span class="sc-keyword-list">{(ctx.inner or "").strip()}</span>'


@shortcode("swatches")
def render_swatches(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< swatches "#hex" "#hex" "#hex" >}}``: up to three colour samples, labelled."""
    colors = [c for c in (css_color(v, ctx, "colour") for v in sc.args[:3]) if c]
    if not colors:
        ctx.warn("needs one to three colours; nothing rendered")
        return ""
    # An SVG fill, not a style attribute: the colour shows under a CSP without inline styles.
    items = "".join(
        f'<span class="sc-swatch"><svg class="sc-swatch-color" viewBox="0 0 1 1" '
        f'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect width="1" height="1" fill="{escape(c)}"/></svg>'
        f'<span class="sc-swatch-label">{escape(c)}</span></span>'
        for c in colors
    )
    return f'<span class="sc-swatches">{items}</span>'


def _entities(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


@shortcode("email")
def render_email(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< email email="a@b" text="..." subject="..." >}}``: an entity-encoded mailto."""
    raw = (arg(sc, "email", 0) or "").strip()
    address = re.sub(r"^mailto:", "", raw, flags=re.IGNORECASE)
    if not re.fullmatch(r"[^\s@<>\"'?&]+@[^\s@<>\"'?&]+", address):
        ctx.warn(f"{raw!r} is not an e-mail address; nothing rendered")
        return ""
    href = "mailto:" + address
    subject = arg(sc, "subject")
    if subject:
        href += "?subject=" + quote(subject, safe="")
    text = arg(sc, "text") or address
    return f'<a class="sc-email" href="{_entities(href)}">{_entities(text)}</a>'


def _pretty_path(link: str) -> str:
    slug = posixpath.basename(link.split("#", 1)[0].split("?", 1)[0].rstrip("/"))
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:] if words else link


@shortcode("article")
def render_article(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< article link="/path/" >}}``: a link to the article (cards need the site's pages)."""
    link = safe_url(arg(sc, "link", 0), ctx, "link")
    if not link:
        ctx.warn("needs a link; nothing rendered")
        return ""
    if link.rstrip("/") == ctx.page_url.rstrip("/"):
        return ""  # Blowfish does not embed the page in itself
    external = EXTERNAL if is_remote(link) else ""
    return (
        f'<div class="sc-article"><a class="sc-article-link" href="{escape(link)}"'
        f'{external} data-article="{escape(link)}">'
        f'<span class="sc-article-kicker">Article</span>'
        f'<span class="sc-article-title">{escape(_pretty_path(link))}</span>'
        f'<span class="sc-article-path">{escape(link)}</span></a></div>'
    )


@shortcode("list")
def render_list(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< list limit=N >}}``: a titled link to the latest articles (needs the site's pages)."""
    ctx.warn("listing recent pages needs the site's pages; rendered as a link to the home page")
    title = arg(sc, "title") or "Recent"
    data = ""
    for name in ("limit", "where", "value", "cardView"):
        value = arg(sc, name)
        if value:
            data += f' data-{name.lower()}="{escape(value)}"'
    return (
        f'<section class="sc-list"{data}><h2 class="sc-list-title">{escape(title)}</h2>'
        '<p class="sc-list-note"><a href="/">Browse the latest articles</a></p></section>'
    )


def _source(text: str | None) -> str:
    return textwrap.dedent(text or "").strip("\n")


@shortcode("mermaid")
def render_mermaid(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< mermaid >}}graph...{{< /mermaid >}}``: drawn by static/js/diagrams.js.

    The source is the no-JavaScript fallback; the script draws the diagram (Mermaid, from
    static/vendor) and puts it in the source's place."""
    source = _source(ctx.inner)
    if not source.strip():
        ctx.warn("no diagram source; nothing rendered")
        return ""
    return (
        '<figure class="sc-mermaid" data-mermaid>'
        f'<pre class="sc-mermaid-source"><code>{escape(source)}</code></pre>'
        '<figcaption>Diagram (Mermaid source)</figcaption></figure>'
    )


@shortcode("katex")
def render_katex(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< katex >}}``: the page has maths. As in Blowfish it outputs nothing; the page then
    loads KaTeX (static/vendor) and static/js/diagrams.js draws the TeX of the article body
    (``$$...$$``, ``\\[...\\]``, ``\\(...\\)``), which stays readable text without JavaScript.
    Inner text, if any, is shown as such a block."""
    source = _source(ctx.inner)
    if not source.strip():
        return ""
    return f'<div class="sc-math">{escape(source)}</div>'


@shortcode("typeit")
def render_typeit(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< typeit >}}lines{{< /typeit >}}``: the typed lines as plain text, no script."""
    tag = (arg(sc, "tag") or "div").strip().lower()
    if tag not in _TYPEIT_TAGS:
        ctx.warn(f"tag {tag!r} is not a text element; using div")
        tag = "div"
    classes = " ".join(v for v in (arg(sc, "class"), arg(sc, "classList")) if v)
    lines = [line.strip() for line in (ctx.inner or "").split("\n") if line.strip()]
    initial = arg(sc, "initialString")
    if not lines and initial:
        lines = [initial]
    body = "<br>".join(str(escape(line)) for line in lines)
    cls = f"sc-typeit {escape(classes)}" if classes else "sc-typeit"
    return f'<{tag} class="{cls}">{body}</{tag}>'
