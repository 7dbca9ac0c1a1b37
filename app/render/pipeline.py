"""Body -> Rendered: shortcodes expanded, Markdown converted, TOC, summary and counts."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.content import shortcodes as parser
from app.render import markdown as md
from app.render import plain
from app.render.commonmark import BLOWFISH_DEFAULTS as DEFAULT_MARKUP
from app.render.commonmark import MarkupOptions
from app.render.shortcodes.registry import PageFile, ShortcodeContext, get_renderer
from app.render.toc import toc_html

# Bump when the output of render() changes for the same input: old cache entries then
# simply stop being asked for.
RENDERER_VERSION = "7"  # 7: mermaid/chart drawn (diagrams.js), passthrough
COMMENTS_MARKER = "<!--blog:comments-->"
_PARTIAL_RE = re.compile(
    r'^[ \t]*\{\{-?\s*(?:partial\s+"disqus(?:\.html)?"|template\s+"_internal/disqus\.html")'
    r"\s*\.?\s*-?\}\}[ \t]*$",
    re.MULTILINE,
)
MORE = "HUGOMORE42"  # what Hugo puts in place of the first <!--more--> before rendering
_MORE_P_RE = re.compile(r"<p>HUGOMORE42</p>\n?")
_PH_RE = re.compile(r"HBLOGSC(\d{6})X")
# A code block scrolls sideways: keyboard users must be able to focus it (Hugo's Chroma output
# has the same tabindex).
_PRE_RE = re.compile(r"<pre(?![^>]*\btabindex=)(?=[\s>])")
_HEADING_RE = re.compile(r'<h([1-6])((?: [^>]*?)?) id="([^"]+)"([^>]*)>(.*?)</h\1>', re.DOTALL)


@dataclass(frozen=True)
class RenderOptions:
    """Everything besides the body that the output depends on."""

    page_url: str = "/"
    files: tuple[PageFile, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    toc_start: int = 2
    toc_end: int = 4
    summary_length: int = 70
    heading_anchors: bool = True
    detect_cjk: bool = False  # Hugo's hasCJKLanguage site setting
    line_offset: int = 0
    refs: Mapping[str, str | None] = field(default_factory=dict)  # ref/relref key -> URL
    emoji: bool = False  # Hugo's enableEmoji site setting
    markup: MarkupOptions = DEFAULT_MARKUP  # the site's markup.goldmark / markup.highlight

    @property
    def markdown(self) -> MarkupOptions:
        """The Markdown options in force, emoji included."""
        if self.emoji == self.markup.emoji:
            return self.markup
        return dataclasses.replace(self.markup, emoji=self.emoji)

    def key(self) -> str:
        """A stable digest of these options, for cache keys."""
        payload: dict[str, object] = {
            "u": self.page_url,
            "f": [(f.path, f.url, f.width, f.height, f.media_type, f.srcset)
                  for f in self.files],
            "p": self.params,
            "t": (self.toc_start, self.toc_end, self.summary_length, self.heading_anchors,
                  self.detect_cjk),
        }
        if self.refs:
            payload["r"] = self.refs
        if self.emoji:
            payload["e"] = True
        if self.markup != DEFAULT_MARKUP:
            payload["m"] = self.markup.key()
        raw = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class PageHtml:
    """A page body rendered for display: HTML, TOC and what it used (what a view needs)."""

    html: str
    toc: str  # Hugo's <nav id="TableOfContents"> markup
    headings: tuple[md.Heading, ...]
    has_comments_marker: bool
    shortcodes: Mapping[str, int]  # name -> uses rendered
    unknown_shortcodes: Mapping[str, int]
    warnings: tuple[str, ...]

    @property
    def toc_has_entries(self) -> bool:
        """Blowfish shows the TOC only when it lists at least one heading."""
        return "<ul" in self.toc


@dataclass(frozen=True)
class Rendered(PageHtml):
    """A page body rendered with its text measures, as the importer stores it."""

    plain_text: str
    word_count: int
    reading_time: int
    summary_html: str
    truncated: bool


def render_digest(body: str, options: RenderOptions) -> str:
    """A digest of everything render(body, options) depends on besides the code."""
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass"))
    digest.update(options.key().encode())
    return digest.hexdigest()


def cache_key(digest: str) -> str:
    """The cache key of a rendered body: content digest plus renderer version."""
    return f"render:{RENDERER_VERSION}:{digest}"


class _Expander:
    """Turns parsed shortcode nodes into Markdown source with placeholders."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.outputs: list[str] = []
        self.used: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.ordinals: Counter[str] = Counter()
        self.warnings: list[str] = []

    def markdownify(self, text: str) -> str:
        return md.markdownify(text, self.options.markdown)

    def placeholder(self, output: str) -> str:
        self.outputs.append(output)
        return f"HBLOGSC{len(self.outputs) - 1:06d}X"

    def expand(self, nodes: Sequence[parser.Node]) -> str:
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(node)
            elif isinstance(node, parser.Escaped):
                parts.append(self.placeholder(html.escape(node.text, quote=False)))
            else:
                parts.append(self.shortcode(node))
        return "".join(parts)

    def shortcode(self, sc: parser.Shortcode) -> str:
        inner = self.expand(sc.inner) if sc.inner is not None else None
        renderer = get_renderer(sc.name)
        if renderer is None:
            self.unknown[sc.name] += 1
            self.warnings.append(f"line {sc.line}: unknown shortcode '{sc.name}'")
            shown = (
                '<code class="shortcode-unknown" title="Unknown shortcode">'
                f"{html.escape(sc.raw)}</code>"
            )
            if inner is None:
                return self.placeholder(shown)
            closing = html.escape("{{< /" + sc.name + " >}}")
            return self.placeholder(shown) + inner + self.placeholder(
                f'<code class="shortcode-unknown">{closing}</code>'
            )
        ordinal = self.ordinals[sc.name]
        self.ordinals[sc.name] += 1

        def warn(message: str, line: int = sc.line, name: str = sc.name) -> None:
            self.warnings.append(f"line {line}: {name}: {message}")

        ctx = ShortcodeContext(
            files=self.options.files,
            params=self.options.params,
            page_url=self.options.page_url,
            ordinal=ordinal,
            inner=inner,
            markdownify=self.markdownify,
            warn=warn,
            refs=self.options.refs,
        )
        output = renderer(sc, ctx)
        self.used[sc.name] += 1
        # {{% %}} output is Markdown and goes through the converter; {{< >}} output is final.
        return output if sc.markdown else self.placeholder(output)


def _substitute(text: str, outputs: list[str]) -> str:
    def block(match: re.Match[str]) -> str:
        return outputs[int(match.group(1))]

    # A placeholder alone in a paragraph stands for a block: drop the <p> around it.
    for _ in range(32):  # nested shortcodes leave placeholders inside outputs
        if "HBLOGSC" not in text:
            break
        text = re.sub(r"<p>(HBLOGSC\d{6}X)</p>", lambda m: _PH_RE.sub(block, m.group(1)), text)
        text = _PH_RE.sub(block, text)
    return text


def _anchor(match: re.Match[str]) -> str:
    level, before, anchor, attrs, inner = match.groups()
    link = (
        f' <a class="heading-anchor" href="#{anchor}" aria-hidden="true" tabindex="-1">#</a>'
    )
    return f'<h{level}{before} id="{anchor}"{attrs}>{inner}{link}</h{level}>'


def _convert(body: str, options: RenderOptions) -> tuple[PageHtml, str]:
    """The page for display, and the converted HTML with shortcode placeholders left in."""
    expander = _Expander(options)
    marker = expander.placeholder(COMMENTS_MARKER)
    body, partials = _PARTIAL_RE.subn(marker, body)
    nodes = parser.parse(body, line_offset=options.line_offset)
    source = expander.expand(nodes).replace("<!--more-->", f"\n\n{MORE}\n\n", 1)
    links = md.LinkContext(options.page_url, {f.path.lower(): f for f in options.files})
    done = md.convert(source, links, options.markdown)
    converted, headings = done.html, done.headings
    expander.warnings += [_shift(w, options.line_offset) for w in done.warnings]
    final = _substitute(_MORE_P_RE.sub("", converted), expander.outputs)
    if "<pre" in final:
        final = _PRE_RE.sub('<pre tabindex="0"', final)
    if options.heading_anchors:
        final = _HEADING_RE.sub(_anchor, final)
    page = PageHtml(
        html=final,
        toc=toc_html([(h.level, h.id, h.title) for h in headings], options.toc_start,
                     options.toc_end),
        headings=tuple(headings),
        has_comments_marker=partials > 0,
        shortcodes=dict(expander.used),
        unknown_shortcodes=dict(expander.unknown),
        warnings=tuple(expander.warnings),
    )
    return page, converted


def _shift(warning: str, offset: int) -> str:
    """A converter warning's body line as the file's line."""
    found = re.match(r"line (\d+): ", warning)
    if not found or not offset:
        return warning
    return f"line {int(found.group(1)) + offset}: {warning[found.end():]}"


def render_html(body: str, options: RenderOptions | None = None) -> PageHtml:
    """What a view shows of a Markdown body (no text measures: those are stored at import)."""
    return _convert(body, options or RenderOptions())[0]


def render(body: str, options: RenderOptions | None = None) -> Rendered:
    """Render a Markdown body as Hugo with Blowfish would; raises ShortcodeSyntaxError."""
    options = options or RenderOptions()
    page, converted = _convert(body, options)
    # Word counts and summaries leave shortcode output out, as Hugo's own oracle does.
    bare = re.sub(r"<p>HBLOGSC\d{6}X</p>\n?", "", converted)
    bare = _PH_RE.sub("", bare)
    summary_source = bare
    bare = _MORE_P_RE.sub("", bare)
    text = plain.strip_html(bare)
    cjk = _is_cjk(body, options)
    words = plain.count_words(text, cjk)
    summary = _summary(summary_source, options, cjk)
    return Rendered(
        **{f.name: getattr(page, f.name) for f in dataclasses.fields(PageHtml)},
        plain_text=text,
        word_count=words,
        reading_time=plain.reading_time(words, cjk),
        summary_html=summary.html,
        truncated=summary.truncated,
    )


def _is_cjk(body: str, options: RenderOptions) -> bool:
    # Front matter isCJKLanguage wins; otherwise Hugo detects only when the site asks it to.
    explicit = options.params.get("iscjklanguage")
    if isinstance(explicit, bool):
        return explicit
    return options.detect_cjk and plain.has_cjk(body)


def _summary(html_with_divider: str, options: RenderOptions, cjk: bool) -> plain.Summary:
    manual = plain.split_manual_summary(html_with_divider, MORE)
    if manual is not None:
        return manual
    front = options.params.get("summary")
    if isinstance(front, str) and front.strip():
        # Hugo skips the automatic summary here, so nothing counts as truncated.
        return plain.Summary(md.markdownify(front, options.markdown), False)
    return plain.auto_summary(html_with_divider, options.summary_length, cjk)
