"""The Markdown grammar Hugo's Goldmark follows, as a markdown-it-py parser.

CommonMark 0.31.2 plus what Hugo turns on by default: GitHub's tables, strikethrough,
extended autolinks and task lists, definition lists, footnotes, the typographer, heading
attributes (`## Title {#id .class}`), and emoji codes when the site asks for them. Which of
these apply is the site's `markup.goldmark.*` configuration, read by `markup_options`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from app.render.highlight import CodeDefaults
from app.render.typographer import typographer_plugin


@dataclass(frozen=True)
class MarkupOptions:
    """What of Goldmark's behaviour a site turns on: Hugo's defaults, Blowfish's `unsafe`."""

    unsafe: bool = True  # Blowfish's markup.toml sets goldmark.renderer.unsafe = true
    hard_wraps: bool = False
    typographer: bool = True
    linkify: bool = True
    strikethrough: bool = True
    table: bool = True
    task_list: bool = True
    definition_list: bool = True
    footnote: bool = True
    heading_attributes: bool = True
    emoji: bool = False
    code: CodeDefaults = field(default_factory=CodeDefaults)

    def key(self) -> tuple[Any, ...]:
        """A stable value for cache keys."""
        return (self.unsafe, self.hard_wraps, self.typographer, self.linkify,
                self.strikethrough, self.table, self.task_list, self.definition_list,
                self.footnote, self.heading_attributes, self.emoji,
                tuple(vars(self.code).values()))


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def markup_options(markup: Mapping[str, Any] | None, emoji: bool = False) -> MarkupOptions:
    """A site's `markup` configuration (keys lower-cased) as MarkupOptions."""
    gold = _get(markup, "goldmark") or {}
    ext = _get(gold, "extensions") or {}
    light = _get(markup, "highlight") or {}
    base = MarkupOptions()
    defaults = CodeDefaults()
    typographer = _get(ext, "typographer")
    typographer_on = not _bool(_get(typographer, "disable"), False) \
        if isinstance(typographer, Mapping) else _bool(typographer, True)
    return MarkupOptions(
        unsafe=_bool(_get(gold, "renderer", "unsafe"), base.unsafe),
        hard_wraps=_bool(_get(gold, "renderer", "hardwraps"), base.hard_wraps),
        typographer=typographer_on,
        linkify=_bool(_get(ext, "linkify"), base.linkify),
        strikethrough=_bool(_get(ext, "strikethrough"), base.strikethrough),
        table=_bool(_get(ext, "table"), base.table),
        task_list=_bool(_get(ext, "tasklist"), base.task_list),
        definition_list=_bool(_get(ext, "definitionlist"), base.definition_list),
        footnote=_bool(_get(ext, "footnote"), base.footnote),
        heading_attributes=_bool(_get(gold, "parser", "attribute", "title"),
                                 base.heading_attributes),
        emoji=emoji,
        code=CodeDefaults(
            code_fences=_bool(light.get("codefences"), defaults.code_fences),
            guess_syntax=_bool(light.get("guesssyntax"), defaults.guess_syntax),
            line_nos=_bool(light.get("linenos"), defaults.line_nos),
            line_numbers_in_table=_bool(light.get("linenumbersintable"),
                                        defaults.line_numbers_in_table),
            line_no_start=_int(light.get("linenostart"), defaults.line_no_start),
            tab_width=_int(light.get("tabwidth"), defaults.tab_width),
        ),
    )


# `{#id .class key=value key2="quoted value"}` at the end of a heading (Goldmark's attributes).
_ATTRS_AT_END = re.compile(r"[ \t]*\{([^{}\n]*)\}[ \t]*$")
_ATTR = re.compile(r"""\s*(?:#([^\s#.{}="']+)|\.([^\s#.{}="']+)|([A-Za-z_:][\w.:-]*)"""
                   r"""(?:=("[^"]*"|'[^']*'|[^\s"'=<>`{}]+))?)\s*""")


def parse_attributes(raw: str) -> dict[str, str] | None:
    """Goldmark's attribute list as a dict, or None when it is not one."""
    attrs: dict[str, str] = {}
    classes: list[str] = []
    pos = 0
    while pos < len(raw):
        found = _ATTR.match(raw, pos)
        if found is None or found.end() == pos:
            return None
        ident, cls, name, value = found.groups()
        if ident:
            attrs["id"] = ident
        elif cls:
            classes.append(cls)
        elif name:
            attrs[name] = (value or "").strip("\"'") if value is not None else ""
        pos = found.end()
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs if attrs else None


def _heading_attributes(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        found = _ATTRS_AT_END.search(inline.content)
        if found is None:
            continue
        attrs = parse_attributes(found.group(1))
        if attrs is None:
            continue
        inline.content = inline.content[:found.start()].rstrip()
        for name, value in attrs.items():
            token.attrSet(name, value)


_EMOJI_RE = re.compile(r":([a-z0-9_+-]+):")


def _emoji(state: StateCore) -> None:
    from app.render.extras import emoji_char

    for block in state.tokens:
        if block.type != "inline" or not block.children or ":" not in block.content:
            continue
        out: list[Token] = []
        for child in block.children:
            if child.type != "text" or ":" not in child.content:
                out.append(child)
                continue
            last = 0
            for found in _EMOJI_RE.finditer(child.content):
                char = emoji_char(found.group(1))
                if char is None:
                    continue
                if found.start() > last:
                    out.append(_text(child.content[last:found.start()]))
                emoji = Token("emoji", "span", 0, content=char, meta={"code": found.group(1)})
                out.append(emoji)
                last = found.end()
            out.append(_text(child.content[last:]) if last else child)
        block.children = out


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


@cache
def parser(options: MarkupOptions) -> MarkdownIt:
    """A markdown-it parser configured as Goldmark is for these options."""
    md = MarkdownIt("commonmark", {"html": True, "breaks": options.hard_wraps,
                                   "typographer": False})
    if options.table:
        md.enable("table")
    if options.strikethrough:
        md.enable("strikethrough")
        md.options["strikethrough_single_tilde"] = True
    if options.task_list:
        md.options["tasklists"] = True
    if options.linkify:
        md.use(gfm_autolink_plugin)
    if options.footnote:
        md.use(footnote_plugin, inline=False)
    if options.definition_list:
        md.use(deflist_plugin)
    if options.typographer:
        typographer_plugin(md)
    if options.heading_attributes:
        md.core.ruler.after("block", "heading_attributes", _heading_attributes)
    if options.emoji:
        md.core.ruler.after("inline", "emoji", _emoji)
    return md
