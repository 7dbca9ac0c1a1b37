"""The Markdown grammar Hugo's Goldmark follows, as a markdown-it-py parser.

CommonMark 0.31.2 plus what Hugo turns on by default: GitHub's tables, strikethrough,
extended autolinks and task lists, definition lists, footnotes, the typographer, heading
attributes (`## Title {#id .class}`), emoji codes when the site asks for them, and the
passthrough extension (app/render/passthrough.py, TeX kept for KaTeX). Which of these apply
is the site's `markup.goldmark.*` configuration, read by `markup_options`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from app.render.highlight import CodeDefaults
from app.render.passthrough import Delimiters, delimiters, passthrough_plugin
from app.render.typographer import typographer_plugin


@dataclass(frozen=True)
class MarkupOptions:
    """What of Goldmark's behaviour applies. The defaults are Blowfish's `markup.toml` (raw
    HTML and block attributes on), for content that comes without a config of its own."""

    unsafe: bool = True
    hard_wraps: bool = False
    typographer: bool = True
    linkify: bool = True
    strikethrough: bool = True
    table: bool = True
    task_list: bool = True
    definition_list: bool = True
    footnote: bool = True
    heading_attributes: bool = True
    block_attributes: bool = True
    emoji: bool = False
    code: CodeDefaults = field(default_factory=CodeDefaults)
    # goldmark.extensions.passthrough: Blowfish's delimiters (Hugo's default: off).
    passthrough_block: Delimiters = (("\\[", "\\]"), ("$$", "$$"))
    passthrough_inline: Delimiters = (("\\(", "\\)"),)

    def key(self) -> tuple[Any, ...]:
        """A stable value for cache keys."""
        return dataclasses.astuple(self)


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


BLOWFISH_DEFAULTS = MarkupOptions()
HUGO_DEFAULTS = MarkupOptions(unsafe=False, block_attributes=False, passthrough_block=(),
                              passthrough_inline=())


def markup_options(markup: Mapping[str, Any] | None, emoji: bool = False) -> MarkupOptions:
    """A site's `markup` configuration (keys lower-cased) as MarkupOptions.

    What a site's config leaves out takes Hugo's defaults; content without any config (None)
    is read as Blowfish's config has it, the theme this engine stands in for."""
    gold = _get(markup, "goldmark") or {}
    ext = _get(gold, "extensions") or {}
    light = _get(markup, "highlight") or {}
    base = BLOWFISH_DEFAULTS if markup is None else HUGO_DEFAULTS
    defaults = CodeDefaults()
    passthrough = _get(ext, "passthrough")
    passing = (_bool(_get(passthrough, "enable"), False) if isinstance(passthrough, Mapping)
               else markup is None)
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
        block_attributes=_bool(_get(gold, "parser", "attribute", "block"),
                               base.block_attributes),
        emoji=emoji,
        passthrough_block=(delimiters(_get(passthrough, "delimiters", "block"))
                           if markup is not None else base.passthrough_block) if passing else (),
        passthrough_inline=(delimiters(_get(passthrough, "delimiters", "inline"))
                            if markup is not None else base.passthrough_inline) if passing else (),
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
    """Goldmark's attribute list as a dict in written order, or None when it is not one."""
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        found = _ATTR.match(raw, pos)
        if found is None or found.end() == pos:
            return None
        ident, cls, name, value = found.groups()
        if ident:
            attrs["id"] = ident
        elif cls:
            attrs["class"] = f"{attrs['class']} {cls}" if "class" in attrs else cls
        elif name:
            attrs[name] = value.strip("\"'") if value is not None else ""
        pos = found.end()
    return attrs if attrs else None


_ATTRS_LINE = re.compile(r"[ ]{0,3}\{([^{}\n]*)\}[ \t]*$")


def _attributes_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Hugo's block attributes: a line `{.class #id}` standing for the block above it."""
    if state.is_code_block(start):
        return False
    line = state.src[state.bMarks[start]:state.eMarks[start]]
    found = _ATTRS_LINE.match(line)
    attrs = parse_attributes(found.group(1)) if found else None
    if attrs is None:
        return False
    if not silent:
        token = state.push("attributes_block", "", 0)
        token.meta = attrs
        token.map = [start, start + 1]
    state.line = start + 1
    return True


def _attach_block_attributes(state: StateCore) -> None:
    """Each attribute line to the block just above it (none between); lone ones dropped."""
    tokens = state.tokens
    keep: list[Token] = []
    for token in tokens:
        if token.type != "attributes_block":
            keep.append(token)
            continue
        target = _previous_block(keep, token)
        if target is not None:
            for name, value in token.meta.items():
                if _unsafe_attribute(name, target.type):
                    continue
                if target.attrGet(name) is None:
                    target.attrSet(name, value)
    state.tokens = keep


# Goldmark writes only global HTML attributes (and data-*) from an attribute list. `style` is
# left out too: our CSP refuses inline styles. `icon` on a quote is Blowfish's alert icon.
GLOBAL_ATTRIBUTES = frozenset({
    "accesskey", "autocapitalize", "autofocus", "class", "contenteditable", "dir", "draggable",
    "enterkeyhint", "hidden", "id", "inert", "inputmode", "is", "itemid", "itemprop", "itemref",
    "itemscope", "itemtype", "lang", "part", "role", "slot", "spellcheck", "tabindex", "title",
    "translate"})


def _unsafe_attribute(name: str, block: str = "") -> bool:
    """Whether an attribute from an attribute list is left out of the page."""
    lowered = name.lower()
    if lowered.startswith(("data-", "aria-")) or lowered in GLOBAL_ATTRIBUTES:
        return False
    return not (lowered == "icon" and block == "blockquote_open")


def _previous_block(tokens: list[Token], marker: Token) -> Token | None:
    """The opening token of the block just above `marker` at its level, if nothing is between."""
    if not tokens or tokens[-1].level != marker.level:
        return None
    last = tokens[-1]
    if last.nesting == -1:  # a container or paragraph: find where it opened
        depth = 0
        for token in reversed(tokens):
            depth += token.nesting
            if depth == 0:
                last = token
                break
    if last.type == "fence" or last.map is None or marker.map is None:
        return None  # fenced code takes attributes in its info string only
    return None if last.map[1] < marker.map[0] else last


def _heading_attributes(state: StateCore) -> None:
    """`## Title {#id .class}`: the attributes to the heading, the braces out of its text."""
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
            if not _unsafe_attribute(name):
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


# Blocks nested deeper than this (lists in quotes in lists ...) are not parsed further: far past
# anything written by hand, and it keeps the parser's recursion bounded.
MAX_NESTING = 100
_PROTOCOL_BEFORE = re.compile(r"(?:https?|mailto|xmpp)$")


def _guard_protocol_rule(md: MarkdownIt) -> None:
    """Call the GFM protocol autolink rule only where a protocol name ends.

    The plugin's rule copies the rest of the text at every position it is asked about,
    which makes a long line quadratic; a look at the few characters before is enough."""
    name = "gfm_autolink_protocol"
    original = next(rule.fn for rule in md.inline.ruler.__rules__ if rule.name == name)

    def guarded(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        if state.src[pos] != ":" or not _PROTOCOL_BEFORE.search(state.src, max(0, pos - 6),
                                                                  pos):
            return False
        return bool(original(state, silent))

    md.inline.ruler.at(name, guarded)


def nesting_cut(tokens: list[Token]) -> int | None:
    """The 1-based line where blocks nest so deep that the parser stopped, if any."""
    for token in tokens:
        if token.level >= MAX_NESTING - 1 and token.nesting == 1:
            return token.map[0] + 1 if token.map else 1
    return None


@cache
def parser(options: MarkupOptions) -> MarkdownIt:
    """A markdown-it parser configured as Goldmark is for these options."""
    md = MarkdownIt("commonmark", {"html": True, "breaks": options.hard_wraps,
                                   "typographer": False, "maxNesting": MAX_NESTING})
    if options.table:
        md.enable("table")
    if options.strikethrough:
        md.enable("strikethrough")
        md.options["strikethrough_single_tilde"] = True
    if options.task_list:
        md.options["tasklists"] = True
    if options.linkify:
        md.use(gfm_autolink_plugin)
        _guard_protocol_rule(md)
    if options.footnote:
        md.use(footnote_plugin, inline=False)
    if options.definition_list:
        md.use(deflist_plugin)
    if options.typographer:
        typographer_plugin(md)
    if options.heading_attributes:
        md.core.ruler.after("block", "heading_attributes", _heading_attributes)
    if options.block_attributes:
        md.block.ruler.before("paragraph", "attributes_block", _attributes_block,
                              {"alt": ["paragraph", "blockquote", "list"]})
        md.core.ruler.after("block", "block_attributes", _attach_block_attributes)
    if options.emoji:
        md.core.ruler.after("inline", "emoji", _emoji)
    if options.passthrough_block or options.passthrough_inline:
        passthrough_plugin(md, options.passthrough_block, options.passthrough_inline)
    return md
