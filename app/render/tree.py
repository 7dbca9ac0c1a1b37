"""markdown-it tokens as the element tree Python-Markdown's tree processors work on.

The block and inline grammar is CommonMark's (markdown-it-py); the tree it gives is
Python-Markdown's, so our tree processors (Hugo's heading ids and TOC, bundle images and
links, alerts) and its postprocessors run as before. Raw HTML and highlighted code go into
Python-Markdown's HTML stash, so they reach the page byte for byte. The markup of footnotes,
task lists and raw HTML left out follows Hugo's (Goldmark's).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections.abc import Callable, Sequence

from markdown_it.token import Token

from app.render.commonmark import MarkupOptions
from app.render.highlight import highlight, plain_block, split_info
from app.render.typographer import as_entities

RAW_HTML_OMITTED = "<!-- raw HTML omitted -->"
_ALIGN = {"text-align:left": "left", "text-align:center": "center",
          "text-align:right": "right"}
_RENAME = {"s": "del"}


def _add_text(parent: etree.Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _attrs(token: Token) -> dict[str, str]:
    attrs = {name: str(value) for name, value in token.attrs.items()}
    style = attrs.pop("style", None)
    if style in _ALIGN:  # table cell alignment as a class: no inline styles under our CSP
        attrs["class"] = f"align-{_ALIGN[style]}"
    return attrs


class TreeBuilder:
    """Builds the element tree of one document from its tokens."""

    def __init__(self, options: MarkupOptions, stash: Callable[[str], str]) -> None:
        self.options = options
        self.stash = stash
        self.omitted_lines: list[int] = []  # 1-based lines whose raw HTML was left out
        self.line = 1  # the line of the block being built

    def build(self, tokens: Sequence[Token], root: etree.Element) -> None:
        """Append the document's blocks to `root`."""
        stack = [root]
        for token in tokens:
            parent = stack[-1]
            kind = token.type
            if token.map is not None:
                self.line = token.map[0] + 1
            if kind == "inline":
                self.inline(token.children or [], parent)
            elif token.nesting == 1:
                stack.append(self.open_block(token, parent))
            elif token.nesting == -1:
                stack.pop()
            elif kind in ("fence", "code_block"):
                self.code(token, parent)
            elif kind == "html_block":
                _add_text(parent, "\n" + self.stash(self.raw(token.content)) + "\n")
            elif kind == "passthrough_block":  # app/render/passthrough.py: TeX as written
                _add_text(parent, "\n" + self.stash(_escape_text(token.content)) + "\n")
            elif kind == "hr":
                etree.SubElement(parent, "hr")
            elif kind == "footnote_anchor":
                self.footnote_backref(token, parent)

    def raw(self, html: str) -> str:
        """Raw HTML as written when the site allows it (Goldmark's `unsafe`), else omitted."""
        if self.options.unsafe:
            return html
        if not self.omitted_lines or self.omitted_lines[-1] != self.line:
            self.omitted_lines.append(self.line)
        return RAW_HTML_OMITTED

    def open_block(self, token: Token, parent: etree.Element) -> etree.Element:
        kind = token.type
        if token.hidden:  # a paragraph of a tight list: its text goes straight in the item
            return parent
        if kind == "footnote_block_open":
            box = etree.SubElement(parent, "div",
                                   {"class": "footnotes", "role": "doc-endnotes"})
            etree.SubElement(box, "hr")
            return etree.SubElement(box, "ol")
        if kind == "footnote_open":
            return etree.SubElement(parent, "li", {"id": f"fn:{token.meta['id'] + 1}"})
        element = etree.SubElement(parent, token.tag, _attrs(token))
        if kind == "list_item_open" and token.meta and "checked" in token.meta:
            attrs = {"checked": ""} if token.meta["checked"] else {}
            attrs.update({"disabled": "", "type": "checkbox"})  # Goldmark's order
            etree.SubElement(element, "input", attrs).tail = " "
        return element

    def code(self, token: Token, parent: etree.Element) -> None:
        code_options = self.options.code
        if token.type == "fence":
            lang, options = split_info(token.info)
            html = (highlight(token.content, lang, options, code_options)
                    if code_options.code_fences else plain_block(token.content, lang))
        else:
            html = highlight(token.content, "", {}, code_options)
        _add_text(parent, "\n" + self.stash(html) + "\n")

    def footnote_backref(self, token: Token, parent: etree.Element) -> None:
        number = token.meta["id"] + 1
        _add_text(parent, "\u00a0")
        link = etree.SubElement(parent, "a", {"href": f"#fnref:{number}",
                                              "class": "footnote-backref",
                                              "role": "doc-backlink"})
        link.text = "\u21a9\ufe0e"

    def inline(self, tokens: Sequence[Token], parent: etree.Element) -> None:
        stack = [parent]
        for token in tokens:
            current = stack[-1]
            kind = token.type
            if kind == "text":
                _add_text(current, token.content)
            elif kind == "softbreak":
                if self.options.hard_wraps:
                    etree.SubElement(current, "br")  # Python-Markdown's prettify adds the \n
                else:
                    _add_text(current, "\n")
            elif kind == "hardbreak":
                etree.SubElement(current, "br")
            elif token.nesting == 1:
                tag = _RENAME.get(token.tag, token.tag)
                stack.append(etree.SubElement(current, tag, _attrs(token)))
            elif token.nesting == -1:
                if len(stack) > 1:
                    stack.pop()
            else:
                self.inline_leaf(token, current)

    def inline_leaf(self, token: Token, parent: etree.Element) -> None:
        kind = token.type
        if kind == "code_inline":
            etree.SubElement(parent, "code").text = token.content
        elif kind == "image":
            attrs = _attrs(token)
            attrs["alt"] = _plain(token.children or [])
            if not attrs.get("title"):
                attrs.pop("title", None)
            image = etree.SubElement(parent, "img")
            for name in ("src", "alt", "title"):  # Goldmark's attribute order
                if name in attrs:
                    image.set(name, attrs.pop(name))
            for name, value in attrs.items():
                image.set(name, value)
        elif kind == "html_inline":
            _add_text(parent, self.stash(self.raw(token.content)))
        elif kind == "passthrough_inline":
            _add_text(parent, self.stash(_escape_text(token.content)))
        elif kind == "footnote_ref":
            number = token.meta["id"] + 1
            sub = token.meta.get("subId", 0)
            sup = etree.SubElement(parent, "sup",
                                   {"id": f"fnref{sub}:{number}" if sub else f"fnref:{number}"})
            link = etree.SubElement(sup, "a", {"href": f"#fn:{number}", "class": "footnote-ref",
                                               "role": "doc-noteref"})
            link.text = str(number)
        elif kind == "emoji":
            from app.render.extras import EMOJI_ATTR

            span = etree.SubElement(parent, "span", {"class": "emoji",
                                                     EMOJI_ATTR: token.meta["code"]})
            span.text = token.content


def _plain(tokens: Sequence[Token]) -> str:
    """An image's alt text: the text of its description, markup dropped."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
        elif token.type == "emoji":
            parts.append(token.content)
    return "".join(parts)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "source", "track", "wbr"})
_BOOLEAN = frozenset({"checked", "disabled", "open", "hidden"})


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return as_entities(text)


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def _write(element: etree.Element, out: list[str]) -> None:
    tag = element.tag
    if isinstance(tag, str):
        out.append("<" + tag)
        for name, value in element.items():
            if name in _BOOLEAN and value in ("", name):
                out.append(" " + name)
            else:
                out.append(f' {name}="{_escape_attr(value)}"')
        out.append(">")
        if tag not in _VOID:
            if element.text:
                out.append(_escape_text(element.text))
            for child in element:
                _write(child, out)
            out.append(f"</{tag}>")
    if element.tail:
        out.append(_escape_text(element.tail))


def serialize(element: etree.Element) -> str:
    """HTML of an element tree; text is escaped in full (`&` always), as CommonMark wants."""
    out: list[str] = []
    _write(element, out)
    return "".join(out)
