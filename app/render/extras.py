"""GitHub-style alerts as Blowfish shows them, and Hugo's emoji codes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from app.render.shortcodes.icons import icon_svg

_ALERT_RE = re.compile(r"^\[!(?P<type>[A-Za-z]+)\](?P<sign>[+-]?)[ \t]*(?P<title>[^\n]*)\n?")
# Blowfish's render-blockquote.html: Obsidian callout aliases and each type's icon.
ALIASES = {"summary": "abstract", "tldr": "abstract", "hint": "tip", "check": "success",
           "done": "success", "help": "question", "faq": "question", "attention": "warning",
           "fail": "failure", "missing": "failure", "error": "danger", "cite": "quote"}
ICONS = {"note": "circle-info", "abstract": "file-lines", "info": "circle-info",
         "todo": "list-check", "tip": "lightbulb", "important": "star", "success": "check",
         "question": "circle-question", "warning": "triangle-exclamation",
         "caution": "triangle-exclamation", "failure": "xmark", "danger": "fire", "bug": "bug",
         "example": "list-ol", "quote": "quote-left"}
EMOJI_ATTR = "data-emoji"


class AlertTreeprocessor(Treeprocessor):
    """`> [!NOTE]` blockquotes become admonitions; `[!TIP]+ Title` folds open, `-` closed."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "blockquote":
                    # `{icon="..."}` under an alert names its icon (Blowfish); never an attribute
                    icon = child.attrib.pop("icon", None)
                    replacement = self._alert(child, icon)
                    if replacement is not None:
                        parent.remove(child)
                        parent.insert(index, replacement)

    def _alert(self, quote: etree.Element, icon_name: str | None) -> etree.Element | None:
        first = quote[0] if len(quote) else None
        if first is None or first.tag != "p" or not first.text:
            return None
        found = _ALERT_RE.match(first.text)
        if found is None:
            return None
        kind = found.group("type").lower()
        kind = ALIASES.get(kind, kind)
        first.text = first.text[found.end():]
        if not first.text.strip() and not len(first):
            quote.remove(first)
        sign = found.group("sign")
        box = etree.Element("details" if sign else "div",
                            {"class": "admonition", "data-type": kind})
        if sign == "+":
            box.set("open", "open")
        head = etree.SubElement(box, "summary" if sign else "div", {"class": "admonition-title"})
        icon = etree.SubElement(head, "span", {"class": "admonition-icon"})
        icon.text = self.md.htmlStash.store(
            icon_svg(icon_name or ICONS.get(kind, "circle-info")))
        icon.tail = found.group("title").strip() or kind.title()
        body = etree.SubElement(box, "div", {"class": "admonition-content"})
        body.text = quote.text if quote.text and quote.text.strip() else None
        for item in list(quote):
            body.append(item)
        return box


class HugoExtras(Extension):
    """Alerts: GitHub-style `> [!NOTE]` blockquotes as Blowfish shows them."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - API name
        md.treeprocessors.register(AlertTreeprocessor(md), "hugo_alerts", 5)


_CODE_RE = re.compile(r":([a-z0-9_+-]+):")
_EMOJI: dict[str, str] = {}


def _emoji_table() -> dict[str, str]:
    if not _EMOJI:
        from pymdownx import emoji

        index = emoji.gemoji(None, None)
        for code, info in index["emoji"].items():
            _EMOJI[code.strip(":")] = "".join(chr(int(x, 16)) for x in info["unicode"].split("-"))
        for alias, code in index["aliases"].items():
            if code.strip(":") in _EMOJI:
                _EMOJI[alias.strip(":")] = _EMOJI[code.strip(":")]
    return _EMOJI


def emoji_char(code: str) -> str | None:
    """The character of an emoji code (`tada`), or None when it is not one."""
    return _emoji_table().get(code)


def emojify(text: str) -> str:
    """Hugo's emojify: `:tada:` codes in plain text replaced by their characters."""
    if ":" not in text:
        return text
    table = _emoji_table()
    return _CODE_RE.sub(lambda m: table.get(m.group(1), m.group(0)), text)
