"""Python-Markdown set up as a Hugo author expects, with Hugo's heading ids and TOC data."""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any

import markdown
import nh3
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, STX, Registry

from app.render import commonmark
from app.render.commonmark import MarkupOptions
from app.render.extras import EMOJI_ATTR, HugoExtras
from app.render.headings import IdRegistry, github_id
from app.render.tree import TreeBuilder, serialize
from app.render.typographer import as_characters, as_entities

DEFAULT_MARKUP = commonmark.BLOWFISH_DEFAULTS

# Elements Hugo keeps in TOC titles (its bluemonday policy); links become their text.
TOC_TAGS = {
    "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
}
_TAG_RE = re.compile(r"<[^>]*>")
# The article column is at most 46rem (736 px) wide; below that it spans the viewport.
IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw"
_WS_RE = re.compile(r"\s+")
_HEADING_TAGS = frozenset(f"h{level}" for level in range(1, 7))


@dataclass(frozen=True)
class Heading:
    """A heading of the page: level, id and title (inline HTML, as in Hugo's TOC)."""

    level: int
    id: str
    title: str


@dataclass
class LinkContext:
    """What the link and image hooks need: the page's files and URL."""

    page_url: str = "/"
    files: Mapping[str, Any] = field(default_factory=dict)  # lower-cased rel path -> PageFile


def _first_child_text(node: etree.Element, stash: Callable[[str], str]) -> str:
    # Hugo's TextPlain recurses only into the first child of inline nodes; an emoji is its code.
    if node.get(EMOJI_ATTR):
        return f":{node.get(EMOJI_ATTR)}:"
    if node.text:
        return stash(node.text)
    if len(node):
        return _first_child_text(node[0], stash)
    return ""


class HugoTreeprocessor(Treeprocessor):
    """Assigns Hugo's heading ids, records headings, and resolves bundle links and images."""

    def __init__(self, md: markdown.Markdown, ext: HugoExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def _unstash(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            raw = self.md.htmlStash.rawHtmlBlocks[int(match.group(1))]
            return html.unescape(_TAG_RE.sub("", str(raw)))

        return HTML_PLACEHOLDER_RE.sub(replace, text)

    def _inline_html(self, element: etree.Element) -> str:
        parts = [html.escape(element.text or "", quote=False)]
        for child in element:
            parts.append(etree.tostring(child, encoding="unicode", method="html"))
        text = as_entities("".join(parts))
        for processor in self.md.postprocessors:
            text = processor.run(text)
        if "<" in text:
            text = nh3.clean(text, tags=TOC_TAGS, attributes={}, link_rel=None)
        return _WS_RE.sub(" ", text.strip())

    def run(self, root: etree.Element) -> None:
        ids = IdRegistry()
        headings: list[Heading] = []
        for element in root.iter():
            tag = element.tag
            if tag in _HEADING_TAGS:  # comments' and processing instructions' tags are functions
                explicit = element.get("id")
                if explicit:
                    ids.reserve(explicit)
                    anchor = explicit
                else:
                    text = self._unstash(element.text or "")
                    for child in element:
                        text += _first_child_text(child, self._unstash)
                        text += self._unstash(child.tail or "")
                    anchor = ids.unique(github_id(as_characters(text)))
                    element.set("id", anchor)
                headings.append(Heading(int(tag[1]), anchor, self._inline_html(element)))
            elif tag == "img":
                self._image(element)
            elif tag == "a":
                self._link(element)
        self.ext.headings = headings

    def _bundle_file(self, ref: str) -> Any:
        if not ref or ref.startswith(("/", "#", "data:", "mailto:")) or "://" in ref:
            return None
        path = ref.split("#", 1)[0].split("?", 1)[0].removeprefix("./")
        return self.ext.links.files.get(path.lower())

    def _image(self, element: etree.Element) -> None:
        found = self._bundle_file(element.get("src", ""))
        if found is not None:
            element.set("src", found.url)
            if found.width and found.height:
                element.set("width", str(found.width))
                element.set("height", str(found.height))
            if found.srcset:
                element.set("srcset", found.srcset)
                element.set("sizes", IMAGE_SIZES)
        element.set("loading", "lazy")
        element.set("decoding", "async")

    def _link(self, element: etree.Element) -> None:
        href = element.get("href", "")
        found = self._bundle_file(href)
        if found is not None:
            element.set("href", found.url)
        elif href.startswith(("http://", "https://")):
            # Blowfish's externalLinkForceNewTab default.
            element.set("target", "_blank")
            element.set("rel", "noopener noreferrer")


class HugoExtension(Extension):
    """Registers the Hugo tree processor and keeps its per-document results."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headings: list[Heading] = []
        self.warnings: list[str] = []
        self.links = LinkContext()
        self.markup = DEFAULT_MARKUP

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - API name
        md.treeprocessors.register(HugoTreeprocessor(md, self), "hugo", 6)
        md.registerExtension(self)

    def reset(self) -> None:
        """Forget the previous document's results."""
        self.headings = []
        self.warnings = []
        self.links = LinkContext()


class CommonMarkProcessor(BlockProcessor):
    """The whole document parsed as CommonMark (markdown-it-py) into Python-Markdown's tree."""

    def __init__(self, parser: BlockParser, ext: HugoExtension) -> None:
        super().__init__(parser)
        self.ext = ext

    def test(self, parent: etree.Element, block: str) -> bool:
        return True

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        text = "\n\n".join(blocks)
        blocks.clear()
        options = self.ext.markup
        tokens = commonmark.parser(options).parse(text, {})
        builder = TreeBuilder(options, self.parser.md.htmlStash.store)
        builder.build(tokens, parent)
        cut = commonmark.nesting_cut(tokens)
        if cut is not None:
            self.ext.warnings.append(f"line {cut}: blocks nest more than "
                                     f"{commonmark.MAX_NESTING} deep; what is deeper is not shown")
        self.ext.warnings += [
            f"line {line}: raw HTML omitted (the site's markup.goldmark.renderer.unsafe is false)"
            for line in builder.omitted_lines]


class _Normalize(Preprocessor):
    """Line endings as CommonMark reads them; the stash's own markers taken out of the text."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        text = text.replace(STX, "").replace(ETX, "")
        return text.split("\n")


class CommonMarkExtension(Extension):
    """Python-Markdown with CommonMark's block and inline grammar (Goldmark's, as in Hugo)."""

    def __init__(self, hugo: HugoExtension) -> None:
        super().__init__()
        self.hugo = hugo

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - API name
        md.preprocessors = Registry()
        md.preprocessors.register(_Normalize(md), "normalize", 30)
        md.parser.blockprocessors = Registry()
        md.parser.blockprocessors.register(CommonMarkProcessor(md.parser, self.hugo),
                                           "commonmark", 100)
        md.inlinePatterns = Registry()
        md.treeprocessors.deregister("inline")


_local = threading.local()


def _instance(markup: MarkupOptions) -> tuple[markdown.Markdown, HugoExtension]:
    # Building a Markdown instance costs more than converting a page: one per thread.
    pair = getattr(_local, "pair", None)
    if pair is None:
        ext = HugoExtension()
        md = markdown.Markdown(
            extensions=[CommonMarkExtension(ext), ext, HugoExtras()],
            output_format="html",
        )
        md.serializer = serialize  # after the output format, which sets its own
        pair = (md, ext)
        _local.pair = pair
    pair[1].markup = markup
    return pair


@dataclass(frozen=True)
class Converted:
    """A converted document: HTML, its headings, and what the reader should be told."""

    html: str
    headings: list[Heading]
    warnings: list[str]


def convert(text: str, links: LinkContext | None = None,
            markup: MarkupOptions | None = None) -> Converted:
    """Markdown to HTML as Hugo renders it, with Hugo's heading ids.

    Whatever the source, a document renders: if the converter fails on it, each part between
    blank lines is converted alone, and a part that still fails is shown as its text, with a
    warning naming its line."""
    try:
        return _convert_once(text, links, markup)
    except (RecursionError, ValueError, IndexError, KeyError, TypeError) as exc:
        return _convert_by_parts(text, links, markup, exc)


def _convert_by_parts(text: str, links: LinkContext | None, markup: MarkupOptions | None,
                      exc: Exception) -> Converted:
    html: list[str] = []
    headings: list[Heading] = []
    warnings: list[str] = []
    line = 1
    for part in re.split(r"(\n[ \t]*\n)", text):
        if part.strip():
            try:
                done = _convert_once(part, links, markup)
                html.append(done.html)
                headings += done.headings
                warnings += done.warnings
            except (RecursionError, ValueError, IndexError, KeyError, TypeError):
                html.append(f"<p>{html_escape(part.strip())}</p>")
                warnings.append(f"line {line}: this Markdown could not be rendered "
                                f"({type(exc).__name__}); it is shown as text")
        line += part.count("\n")
    return Converted("\n".join(html), headings, warnings)


def _convert_once(text: str, links: LinkContext | None,
                  markup: MarkupOptions | None) -> Converted:
    md, ext = _instance(markup or DEFAULT_MARKUP)
    md.reset()
    ext.links = links or LinkContext()
    try:
        return Converted(md.convert(text), list(ext.headings), list(ext.warnings))
    except BaseException:
        # A failed conversion (RecursionError on hostile nesting) can leave the
        # extensions half-way: later pages would render wrongly. Drop the instance.
        _local.pair = None
        raise
    finally:
        md.reset()


def markdownify(text: str, markup: MarkupOptions | None = None) -> str:
    """Hugo's markdownify: Markdown to HTML, a lone outer paragraph unwrapped."""
    out = convert(text, markup=markup).html.strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
