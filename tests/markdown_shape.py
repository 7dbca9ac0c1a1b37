"""What a reader sees of rendered Markdown: block structure and text, for comparing with Hugo.

The comparison the CommonMark reference README and the Blowfish body oracle describe: which
blocks there are, in which order and nesting (paragraph, list, list item, code block, quote,
heading, table, thematic break, definition list, footnotes), and the text in each, whitespace
collapsed. Inline markup, link targets, highlighting spans and anchors are not compared.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

BLOCKS = {
    "p", "ul", "ol", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "th", "td", "hr", "dl", "dt", "dd",
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}
# Goldmark's typographer output, folded back where a reference was written without it.
TYPOGRAPHER_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                                  "\u2013": "--", "\u2014": "---", "\u2026": "...",
                                  "\u00ab": "<<", "\u00bb": ">>"})
_WS = re.compile(r"\s+")
# Blowfish's blockquote render hook draws a GitHub alert (`> [!TIP]+ Title`) as an admonition
# box with its own title; Hugo without the theme prints the marker line as text. Compared as
# the quote it is: our box as a blockquote without its title, Hugo's without the marker line.
APP_OWN = frozenset({"heading-anchor", "admonition-title"})
AS_QUOTE = frozenset({"admonition"})
_ALERT_LINE = re.compile(r"(<blockquote>\s*<p>)\[![A-Za-z]+\][+-]?[^\n<]*(?:\n|(?=</p>))")


def without_alert_markers(html: str) -> str:
    """Hugo's plain rendering of alerts with the `[!TYPE]` line taken out."""
    return _ALERT_LINE.sub(r"\1", html)


class _Shape(HTMLParser):
    def __init__(self, *, fold: bool, skip_classes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.fold = fold
        self.skip_classes = skip_classes
        self.out: list[str] = []
        self.text: list[str] = []
        self.skipping = 0  # depth inside an element that is the app's own (heading anchor)
        self.stack: list[str] = []  # blocks as compared
        self.tags: list[str] = []  # the same, as written

    def _flush(self) -> None:
        text = _WS.sub(" ", "".join(self.text)).strip()
        self.text = []
        if text:
            self.out.append(text.translate(TYPOGRAPHER_FOLD) if self.fold else text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if self.skipping or classes & self.skip_classes:
            if tag not in _VOID:
                self.skipping += 1
            return
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.text.append(f" [img {alt}] ")
        elif tag == "input":
            checked = "x" if "checked" in dict(attrs) else " "
            self.text.append(f" [{checked}] ")
        written = tag
        if classes & AS_QUOTE:
            tag = "blockquote"
        if tag in BLOCKS:
            self._flush()
            start = dict(attrs).get("start") if tag == "ol" else None
            self.out.append(f"<{tag}{' ' + start if start and start != '1' else ''}>")
            if tag in _VOID:
                self.out.append(f"</{tag}>")
        if tag not in _VOID:
            self.stack.append(tag)
            self.tags.append(written)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag not in _VOID:
                self.skipping -= 1
            return
        if tag in _VOID or tag not in self.tags:
            return
        while self.tags:
            written, open_tag = self.tags.pop(), self.stack.pop()
            if open_tag in BLOCKS:
                self._flush()
                self.out.append(f"</{open_tag}>")
            if written == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)


def shape(html: str, *, fold_typographer: bool = False,
          skip_classes: frozenset[str] = APP_OWN) -> list[str]:
    """The block structure and text of `html`, as a list of tags and text runs."""
    parser = _Shape(fold=fold_typographer, skip_classes=skip_classes)
    parser.feed(html)
    parser.close()
    while parser.tags:
        parser.handle_endtag(parser.tags[-1])
    parser._flush()
    return parser.out


def examples(path: Path) -> list[dict[str, str | int]]:
    """The examples of a CommonMark-format spec file: number, section, Markdown, HTML."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"^`{32} example([^\n]*)\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)
    headings = [(m.start(), m.group(1)) for m in re.finditer(r"^#{1,6} (.*)$", text, re.M)]
    found: list[dict[str, str | int]] = []
    for number, match in enumerate(pattern.finditer(text), 1):
        above = [title for start, title in headings if start < match.start()]
        found.append({
            "number": number,
            "section": above[-1] if above else "",
            "markdown": match.group(2).replace("\u2192", "\t"),
            "html": match.group(3).replace("\u2192", "\t"),
        })
    return found
