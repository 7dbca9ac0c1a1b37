"""Goldmark's typographer as a markdown-it inline rule: Hugo's curly quotes, dashes, ellipses.

Hugo turns the typographer on by default. Its quote rules are Goldmark's own (not
SmartyPants'), and a reader sees the result, so they are followed to the letter: the rule runs
where Goldmark's inline parser would try it (after code spans, autolinks and raw HTML, never in
them), looks at the raw source around the mark as Goldmark does, and counts the quotes left
open in the block.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Goldmark writes its substitutions as entities (`d&rsquo;image`), and Hugo's TOC shows them
# so. In the tree they are markers between Python-Markdown's reserved STX and ETX (which never
# come from the author's text); the serializer writes the entity, text readers the character.
_ENTITIES = ("lsquo", "rsquo", "ldquo", "rdquo", "ndash", "mdash", "hellip", "laquo", "raquo")
_CHARS = ("\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026", "\u00ab",
          "\u00bb")
LSQUO, RSQUO, LDQUO, RDQUO, NDASH, MDASH, HELLIP, LAQUO, RAQUO = (
    f"\x02t{index}\x03" for index in range(len(_ENTITIES)))
_MARKER_RE = re.compile("\x02t([0-8])\x03")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ASCII_SPACE = frozenset(" \t\n\v\f\r")
TRIGGERS = "'\"-.<>"
LOOKAHEAD = 6  # Goldmark looks at most 4 characters past the mark; lengths up to 5 matter


def as_entities(text: str) -> str:
    """Typographer markers as Goldmark writes them: `&rsquo;`."""
    if "\x02" not in text:
        return text
    return _MARKER_RE.sub(lambda m: f"&{_ENTITIES[int(m.group(1))]};", text)


def as_characters(text: str) -> str:
    """Typographer markers as the characters they stand for."""
    if "\x02" not in text:
        return text
    return _MARKER_RE.sub(lambda m: _CHARS[int(m.group(1))], text)


def _is_punct(ch: str) -> bool:
    """Goldmark's IsPunctRune: Unicode punctuation or symbol."""
    return unicodedata.category(ch)[0] in "PS"


def _is_go_punct(ch: str) -> bool:
    """Go's unicode.IsPunct: punctuation only."""
    return unicodedata.category(ch)[0] == "P"


def _is_space(ch: str) -> bool:
    return ch in _ASCII_SPACE or ch.isspace()


def _flanking(state: StateInline, before: str) -> tuple[bool, bool]:
    """Goldmark's ScanDelimiter for the run of quotes at the position: (can open, can close)."""
    src, mark = state.src, state.src[state.pos]
    end = state.pos + 1
    while end < len(src) and src[end] == mark:
        end += 1
    after = src[end] if end < len(src) else " "
    before_punct, before_space = _is_punct(before), _is_space(before)
    after_punct, after_space = _is_punct(after), _is_space(after)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    return left, right


class _Open:
    """Quotes opened and not yet closed in one block (Goldmark's unclosedCounter)."""

    __slots__ = ("double", "single")

    def __init__(self) -> None:
        self.single = 0
        self.double = 0


def _counter(state: StateInline) -> _Open:
    found = getattr(state, "_typographer_open", None)
    if found is None:
        found = _Open()
        state._typographer_open = found  # type: ignore[attr-defined]
    return found


def _line(state: StateInline) -> str:
    """The rest of the line from the position, as far as Goldmark's rules look (5 chars)."""
    chunk = state.src[state.pos:state.pos + LOOKAHEAD]
    end = chunk.find("\n")
    return chunk if end < 0 else chunk[:end + 1]


def _punct_or_space_at(line: str, index: int) -> bool:
    return len(line) <= index or line[index] in _ASCII_PUNCT or line[index] in _ASCII_SPACE


def _single(line: str, before: str, can_open: bool, can_close: bool, open_: _Open) -> str | None:
    # Apostrophes first: '90s, a quote before t/e/n/l after a space, and inside words.
    if can_open and not can_close and len(line) > 3 and line[1].isascii() \
            and line[1].isdigit() and line[2].isascii() and line[2].isdigit() and line[3] == "s":
        after = line[4] if len(line) > 4 else " "
        if _is_space(after) or _is_punct(after):
            return RSQUO
    if len(line) > 1 and (_is_go_punct(before) or _is_space(before)) and line[1] in "tenl":
        return RSQUO
    if len(line) > 1 and (before.isdigit() or before.isalpha()) and line[1].isalpha():
        return RSQUO
    if can_open and not can_close:
        if len(line) > 1 and line[1] in "smtd" and _punct_or_space_at(line, 2):
            return RSQUO
        if len(line) > 2 and line[1:3] in ("ve", "ll", "re") and _punct_or_space_at(line, 3):
            return RSQUO
        open_.single += 1
        return LSQUO
    # Goldmark's own condition: the quote itself is punctuation, so this closes whenever two
    # more characters follow and the next is not a digit.
    if len(line) > 2 and not line[1].isdigit():
        return RSQUO
    if open_.single > 0 and _closes(line, can_open, can_close):
        open_.single -= 1
        return RSQUO
    return None


def _closes(line: str, can_open: bool, can_close: bool) -> bool:
    if can_close and not can_open:
        return True
    return (can_close and can_open and len(line) > 1 and _is_go_punct(line[1])
            and (len(line) == 2 or line[2] in _ASCII_PUNCT or line[2] in _ASCII_SPACE))


def _double(line: str, before: str, can_open: bool, can_close: bool, open_: _Open) -> str | None:
    if can_open and not can_close:
        open_.double += 1
        return LDQUO
    if open_.double > 0 and _closes(line, can_open, can_close):
        if len(line) > 1 and line[1] == '"' and before.isdigit():
            return None
        open_.double -= 1
        return RDQUO
    return None


def _substitute(state: StateInline) -> tuple[str, int] | None:
    line = _line(state)
    mark = line[0]
    if mark == "-" and line.startswith("---"):
        return MDASH, 3
    if mark == ".":
        return (HELLIP, 3) if line.startswith("...") else None
    if mark == "<":
        return (LAQUO, 2) if line.startswith("<<") else None
    if mark == ">":
        return (RAQUO, 2) if line.startswith(">>") else None
    if mark == "-":
        return (NDASH, 2) if line.startswith("--") else None
    before = state.src[state.pos - 1] if state.pos > 0 else "\n"
    can_open, can_close = _flanking(state, before)
    rule = _single if mark == "'" else _double
    found = rule(line, before, can_open, can_close, _counter(state))
    return (found, 1) if found else None


def typographer_rule(state: StateInline, silent: bool) -> bool:
    """Replace the typographic mark at the current position, as Goldmark would."""
    if state.src[state.pos] not in TRIGGERS:
        return False
    found = _substitute(state)
    if found is None:
        return False
    if not silent:
        state.append_pending(found[0])
    state.pos += found[1]
    return True


def typographer_plugin(md: MarkdownIt) -> None:
    """Register the rule last among inline rules (Goldmark's lowest priority)."""
    for char in TRIGGERS:
        md.inline.add_terminator_char(char)
    md.inline.ruler.push("goldmark_typographer", typographer_rule)
