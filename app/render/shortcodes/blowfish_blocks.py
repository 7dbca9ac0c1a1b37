"""Blowfish's structural shortcodes: tabs, timeline, accordion, and charts.

Everything works without JavaScript. Tabs are radio buttons and labels styled by
``static/css/shortcodes.css`` (each panel keeps its own label, so without CSS support for
``:has()`` the tabs read as stacked sections); accordion items are ``<details>``. Charts are
drawn by a script (Chart.js, static/js/diagrams.js) over a table of their data.
"""

from __future__ import annotations

import re
import textwrap

from markupsafe import escape

from app.content.shortcodes import Shortcode
from app.render.shortcodes.blowfish import icon_html
from app.render.shortcodes.helpers import arg, block, block_md, flag
from app.render.shortcodes.js_literal import parse_object_body, to_script_json
from app.render.shortcodes.registry import ShortcodeContext, shortcode

_ALIGN = {"left", "center", "right"}
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", re.IGNORECASE)


def _children(sc: Shortcode, name: str) -> list[Shortcode]:
    return [n for n in sc.inner or [] if isinstance(n, Shortcode) and n.name.lower() == name]


def _content(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """Inner content: Markdown unless ``md=false`` (then as written, nested output kept)."""
    if flag(arg(sc, "md"), default=True):
        return block_md(ctx, ctx.inner)
    return textwrap.dedent(ctx.inner or "").strip()


@shortcode("tabs")
def render_tabs(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< tabs >}}{{< tab label="..." >}}...{{< /tabs >}}``: CSS-only tabs."""
    tabs = _children(sc, "tab")
    if not tabs:
        ctx.warn("no tab inside; rendered as a plain block")
        return block(sc, f'<div class="sc-tabs">{ctx.inner or ""}</div>')
    gid = f"sc-tabs-{ctx.ordinal + 1}"
    labels = [arg(t, "label") or f"Tab {i}" for i, t in enumerate(tabs, start=1)]
    wanted = arg(sc, "default")
    chosen = labels.index(wanted) if wanted in labels else 0
    if wanted and wanted not in labels:
        ctx.warn(f"default tab {wanted!r} is not a tab label; the first tab is shown")
    bar: list[str] = []
    for number, (tab, label) in enumerate(zip(tabs, labels, strict=True), start=1):
        icon = arg(tab, "icon")
        checked = " checked" if number - 1 == chosen else ""
        bar.append(
            f'<input class="sc-tabs-radio" type="radio" name="{gid}" id="{gid}-{number}"'
            f"{checked}><label for=\"{gid}-{number}\">"
            f"{icon_html(icon) if icon else ''}{escape(label)}</label>"
        )
    group = arg(sc, "group")
    data = f' data-group="{escape(group)}"' if group else ""
    return block(sc, (
        f'<div class="sc-tabs" id="{gid}"{data}>'
        f'<div class="sc-tabs-bar" role="radiogroup" aria-label="Tabs">{"".join(bar)}</div>'
        f'<div class="sc-tabs-panels">{ctx.inner or ""}</div></div>'
    ))


@shortcode("tab")
def render_tab(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< tab label="..." icon="..." md=true >}}``: one panel, with its label."""
    label = arg(sc, "label") or "Tab"
    icon = arg(sc, "icon")
    return block(sc, (
        f'<div class="sc-tab"><p class="sc-tab-label">'
        f"{icon_html(icon) if icon else ''}<strong>{escape(label)}</strong></p>\n"
        f"{_content(sc, ctx)}\n</div>"
    ))


@shortcode("timeline")
def render_timeline(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< timeline >}}{{< timelineItem >}}...{{< /timeline >}}``: an ordered timeline."""
    return block(sc, f'<ol class="sc-timeline">{(ctx.inner or "").strip()}</ol>')


@shortcode("timelineItem")
def render_timeline_item(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< timelineItem icon header badge subheader >}}``: one entry of a timeline."""
    head = ""
    header = arg(sc, "header")
    if header:
        head += f'<h3 class="sc-timeline-header">{escape(header)}</h3>'
    badge = arg(sc, "badge")
    if badge:
        head += f'<span class="sc-badge">{escape(badge)}</span>'
    sub = arg(sc, "subheader")
    subheader = f'<p class="sc-timeline-subheader">{escape(sub)}</p>' if sub else ""
    return block(sc, (
        f'<li class="sc-timeline-item">'
        f'{icon_html(arg(sc, "icon") or "check", "sc-timeline-icon")}'
        f'<div class="sc-timeline-card"><div class="sc-timeline-head">{head}</div>{subheader}'
        f'<div class="sc-timeline-body">\n{_content(sc, ctx)}\n</div></div></li>'
    ))


@shortcode("accordion")
def render_accordion(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< accordion mode="open|collapse" separated=true >}}``: a group of ``<details>``."""
    mode = (arg(sc, "mode") or "collapse").strip().lower()
    if mode not in ("open", "collapse"):
        ctx.warn(f"mode {mode!r} is not open or collapse; using collapse")
        mode = "collapse"
    cls = "sc-accordion sc-accordion-separated" if flag(arg(sc, "separated")) else "sc-accordion"
    return block(sc, f'<div class="{cls}" data-mode="{mode}">{(ctx.inner or "").strip()}</div>')


@shortcode("accordionItem")
def render_accordion_item(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< accordionItem title="..." open=true icon="..." >}}``: one ``<details>`` item."""
    title = arg(sc, "title") or arg(sc, "header") or "Details"
    icon = arg(sc, "icon")
    opened = " open" if flag(arg(sc, "open")) else ""
    align = (arg(sc, "align") or "").strip().lower()
    align_cls = f" sc-align-{align}" if align in _ALIGN else ""
    return block(sc, (
        f'<details class="sc-accordion-item"{opened}><summary>'
        f"{icon_html(icon) if icon else ''}<span>{escape(title)}</span></summary>"
        f'<div class="sc-accordion-body{align_cls}">\n{_content(sc, ctx)}\n</div></details>'
    ))


def _strings(text: str) -> list[str]:
    return [a if a is not None else b for a, b in _STRING.findall(text)]


def _chart_table(config: str) -> str | None:
    """A data table from a Chart.js config with labels and numeric datasets, else None."""
    labels_m = re.search(r"\blabels\s*:\s*\[([^\]]*)\]", config)
    series = re.findall(r"\bdata\s*:\s*\[([^\[\]{}]*)\]", config)
    if not labels_m or not series:
        return None
    labels = _strings(labels_m.group(1))
    rows: list[list[str]] = []
    for raw in series:
        values = [v.strip() for v in raw.split(",") if v.strip()]
        if len(values) != len(labels) or not all(_NUMBER.fullmatch(v) for v in values):
            return None
        rows.append(values)
    names = [m.group(1) for m in re.finditer(r"\blabel\s*:\s*('[^']*'|\"[^\"]*\")", config)]
    names = [n[1:-1] for n in names]
    if len(names) != len(rows):
        names = [f"Series {i}" for i in range(1, len(rows) + 1)]
    kind_m = re.search(r"\btype\s*:\s*['\"](\w+)['\"]", config)
    kind = kind_m.group(1) if kind_m else "chart"
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in names)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{escape(r[i])}</td>" for r in rows) + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f'<table class="sc-chart-table"><caption>{escape(kind.capitalize())} chart</caption>'
        f'<thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


@shortcode("chart")
def render_chart(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< chart >}}Chart.js config{{< /chart >}}``: drawn by static/js/diagrams.js.

    The config (a JS object literal's members, as Blowfish pastes it into ``new Chart``) is
    read as plain data and served as JSON beside a hidden ``<canvas>``; the script shows the
    canvas and hides the fallback: the data as a table (when it is tabular) and the config.
    Without JavaScript, or for a config that is code (functions, variables), the fallback
    is all there is."""
    config = textwrap.dedent(ctx.inner or "").strip("\n")
    if not config.strip():
        ctx.warn("no chart configuration; nothing rendered")
        return ""
    code = f'<pre><code class="language-js">{escape(config)}</code></pre>'
    table = _chart_table(config)
    data = parse_object_body(config)
    if data is None or not isinstance(data.get("type"), str):
        if table is None:
            return block(sc, f'<figure class="sc-chart">{code}'
                             "<figcaption>Chart (Chart.js configuration)</figcaption></figure>")
        return block(sc, (
            f'<figure class="sc-chart">{table}<details class="sc-chart-source">'
            f"<summary>Chart configuration</summary>{code}</details></figure>"
        ))
    fallback = (f'{table or ""}<details class="sc-chart-source"{"" if table else " open"}>'
                f"<summary>Chart configuration</summary>{code}</details>")
    label = f"{data['type'].capitalize()} chart"
    return block(sc, (
        f'<figure class="sc-chart" data-chart>'
        f'<div class="sc-chart-canvas" hidden><canvas role="img" aria-label="{escape(label)}">'
        f"</canvas></div>"
        f'<script type="application/json" class="sc-chart-config">{to_script_json(data)}</script>'
        f'<div class="sc-chart-fallback">{fallback}</div></figure>'
    ))
