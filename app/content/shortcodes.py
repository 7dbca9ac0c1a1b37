"""Parser for Hugo shortcodes in a Markdown body.

Lexing follows Hugo 0.161 ``parser/pageparser/pagelexer_shortcode.go``. Hugo pairs tags using the
template (does it use ``.Inner``?); without templates an opening tag is paired when a later closing
tag of the same name closes it with proper nesting, and is standalone otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = ["MAX_DEPTH", "Escaped", "Node", "Shortcode", "ShortcodeSyntaxError", "parse"]

MAX_DEPTH = 100

_START = re.compile(r"\{\{[<%]")
_WS = re.compile(r"[ \t\r\n]*")
_BLANK = re.compile(r"[ \t]*")
_NONSPACE = re.compile(r"\S*")
_QUOTE_STOP = re.compile(r'["\\\n]')
_FAST_QUOTED = re.compile(r'"([^"\\\n]*)"')
# Optional closing slash, then the name: alnum first, then alnum, '-', '/'; '.' only in
# "name.inline " (Hugo lexIdentifierInShortcode).
_HEAD = re.compile(r"(/?)[ \t\r\n]*(\w[\w/-]*(?:\.inline(?= ))?)")
# One element after the name; anything else goes through _Lexer._slow_param.
_ELEMENT = re.compile(
    r"(?P<slash>/)"
    r"|(?P<word>[\w-][\w.-]*)(?P<eq>=\s*)?"  # bare value (alnum/hyphen, then '.') or key=
    r'|"(?P<quoted>[^"\\\n]*)"'  # quoted value without backslashes (fast path)
    r"|`(?P<raw>[^`]*)`"  # raw string: no escapes, may span lines
)



def _run_end(run: re.Pattern[str], text: str, pos: int) -> int:
    """Where the run of ``run`` (a starred class, so it matches nothing too) from ``pos`` ends."""
    found = run.match(text, pos)
    assert found is not None  # a starred class always matches, if only the empty string
    return found.end()


@dataclass
class Shortcode:
    """One shortcode call; ``inner`` is None unless a closing tag pairs with it."""

    name: str
    args: list[str]
    kwargs: dict[str, str]
    markdown: bool
    inner: list[Node] | None
    line: int
    raw: str
    self_closing: bool = False
    raw_inner: str = ""
    raw_close: str = field(default="", compare=False)  # exact closing tag text (paired only)


@dataclass
class Escaped:
    """An escaped shortcode such as ``{{</* x */>}}``; ``text`` is what Hugo prints."""

    text: str
    line: int
    raw: str = field(default="", compare=False)  # exact source text, comment markers included


Node: TypeAlias = str | Shortcode | Escaped


class ShortcodeSyntaxError(ValueError):
    """A shortcode that Hugo would refuse to build."""

    def __init__(self, line: int, reason: str) -> None:
        """Store the 1-based ``line`` and the ``reason``."""
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass
class _Tag:
    start: int
    end: int
    name: str
    node: Shortcode | None  # None for a closing tag
    paired: bool = False


class _Lexer:
    def __init__(self, text: str, line_offset: int) -> None:
        self.text = text
        self.offset = line_offset
        self._line_pos = 0
        self._line = 1 + line_offset

    def line_at(self, pos: int) -> int:
        """Line of ``pos``; positions usually increase, so count incrementally."""
        if pos >= self._line_pos:
            self._line += self.text.count("\n", self._line_pos, pos)
        else:
            self._line = self.text.count("\n", 0, pos) + 1 + self.offset
        self._line_pos = pos
        return self._line

    def fail(self, pos: int, reason: str) -> ShortcodeSyntaxError:
        """Error located at text position ``pos``."""
        return ShortcodeSyntaxError(self.text.count("\n", 0, pos) + 1 + self.offset, reason)

    def tokens(self) -> list[str | Escaped | _Tag]:
        """Split the text into text spans, escaped shortcodes and tags."""
        text = self.text
        out: list[str | Escaped | _Tag] = []
        pos = 0
        while (m := _START.search(text, pos)) is not None:
            start = m.start()
            if start > pos:
                out.append(text[pos:start])
            right = ">}}" if text[start + 2] == "<" else "%}}"
            if text.startswith("/*", start + 3):  # Hugo lexShortcodeComment
                close = text.find("*/" + right, start + 3)
                if close < start + 5:
                    raise self.fail(
                        start, f"escaped shortcode: comment must be closed with */{right}"
                    )
                pos = close + 5
                shown = text[start : start + 3] + text[start + 5 : close] + right
                out.append(Escaped(shown, self.line_at(start), text[start:pos]))
            else:
                try:
                    tag = self._tag(start, right)
                except ShortcodeSyntaxError:
                    end, again = text.find(right, start + 3), _START.search(text, start + 3)
                    if end < 0 or (again is not None and again.start() < end):
                        raise self.fail(start, f"unterminated shortcode: missing {right}") from None
                    raise
                out.append(tag)
                pos = tag.end
        if pos < len(text):
            out.append(text[pos:])
        return out

    def _tag(self, start: int, right: str) -> _Tag:
        text = self.text
        i = _run_end(_WS, text, start + 3)
        if (head := _HEAD.match(text, i)) is None:
            j = _run_end(_WS, text, i + 1) if text.startswith("/", i) else i
            if text.startswith(right, j):
                raise self.fail(start, "shortcode has no name")
            if j >= len(text):
                raise self.fail(start, f"unterminated shortcode: missing {right}")
            raise self.fail(j, f"expected shortcode name, got {text[j]!r}")
        name, i = head.group(2), head.end()
        if head.group(1):  # closing tag: only spaces or tabs may follow the name
            i = _run_end(_BLANK, text, i)
            if not text.startswith(right, i):
                raise self.fail(i, f"closing tag for {name!r} takes no parameters")
            return _Tag(start, i + 3, name, None)
        if text.startswith(".", i):
            raise self.fail(i, "period in shortcode name only allowed for inline identifiers")
        args: list[str] = []
        kwargs: dict[str, str] = {}
        self_closing = False
        while not text.startswith(right, i := _run_end(_WS, text, i)):
            if (m := _ELEMENT.match(text, i)) is None:
                i = self._slow_param(start, i, args, kwargs)
                continue
            kind, begin, i = m.lastgroup, i, m.end()
            if kind == "slash":
                if not text.startswith(right, _run_end(_WS, text, i)):
                    raise self.fail(begin, "unexpected '/' in shortcode")
                self_closing = True
                continue
            key: str | None = None
            if kind == "eq":
                key = m.group("word")
                value, i = self._value(i)
            else:
                value = m.group(kind or "")
            self._add(begin, key, value, args, kwargs)
        end = i + 3
        sc = Shortcode(
            name, args, kwargs, right == "%}}", None, self.line_at(start), text[start:end]
        )
        sc.self_closing = self_closing
        return _Tag(start, end, name, sc)

    def _slow_param(self, start: int, i: int, args: list[str], kwargs: dict[str, str]) -> int:
        """Lex a positional parameter the fast regex did not take, or fail like Hugo."""
        text = self.text
        c, nxt = text[i : i + 1], text[i + 1 : i + 2]
        if c == "":
            raise self.fail(start, "unterminated shortcode")
        if c == "`":
            raise self.fail(i, "unterminated raw string in shortcode parameter")
        if c == "\\" and nxt == "`":
            raise self.fail(i, "unrecognized escape character")
        if c == "\\" and nxt != '"':
            return i + 1  # Hugo skips a stray backslash
        if c not in '"\\':
            raise self.fail(
                i,
                f"unrecognized character {c!r} in shortcode; "
                "parameters with non-alphanumeric characters must be quoted",
            )
        value, end = self._quoted(i + 1, True) if c == "\\" else self._quoted(i, False)
        self._add(i, None, value, args, kwargs)
        return end

    def _value(self, i: int) -> tuple[str, int]:
        """Value of a named parameter starting at ``i`` (after '=' and whitespace)."""
        text = self.text
        c = text[i : i + 1]
        if (m := _FAST_QUOTED.match(text, i)) is not None:
            return m.group(1), m.end()
        if c == '"':
            return self._quoted(i, False)
        if c == "`":
            return self._raw(i)
        if c == "\\":
            if not text.startswith('"', i + 1):
                raise self.fail(i, "unrecognized escape character")
            return self._quoted(i + 1, True)
        end = _run_end(_NONSPACE, text, i)  # Hugo consumeToSpace: unquoted runs to whitespace
        return text[i:end], end

    def _quoted(self, i: int, backslash_delims: bool) -> tuple[str, int]:
        """Double-quoted value at ``i``; returns (value, position after the closing quote)."""
        text = self.text
        j = i + 1
        escaped = False
        while True:
            m = _QUOTE_STOP.search(text, j)
            if m is None or m.group() == "\n":
                raise self.fail(i, "unterminated quoted string in shortcode parameter")
            k = m.start()
            nxt = text[k + 1 : k + 2]
            if m.group() == '"' or (nxt == '"' and backslash_delims):  # \"value\" form
                value, end = text[i + 1 : k], k + 1 + (m.group() != '"')
                break
            if nxt == '"':
                escaped, j = True, k + 2
            elif nxt == "`":
                raise self.fail(k, "unrecognized escape character")
            else:
                j = k + 1
        # Hugo strips every backslash once an escaped quote was seen, else keeps them all.
        return (value.replace("\\", "") if escaped else value), end

    def _raw(self, i: int) -> tuple[str, int]:
        """Backtick raw string at ``i``; no escapes, may span lines."""
        k = self.text.find("`", i + 1)
        if k < 0:
            raise self.fail(i, "unterminated raw string in shortcode parameter")
        return self.text[i + 1 : k], k + 1

    def _add(self, at: int, key: str | None, val: str, args: list[str], kw: dict[str, str]) -> None:
        """Record a parameter; Hugo forbids mixing positional and named ones."""
        if kw if key is None else args:
            raise self.fail(at, "cannot mix named and positional parameters")
        if key is None:
            args.append(val)
        else:
            kw[key] = val


def _build(lexer: _Lexer, tokens: list[str | Escaped | _Tag]) -> list[Node]:
    """Pair opening and closing tags and build the node tree."""
    stack: list[_Tag] = []
    open_count: dict[str, int] = {}
    demoted: dict[str, tuple[_Tag, _Tag]] = {}  # name -> (unclosed tag, close that skipped it)
    for tok in tokens:
        if not isinstance(tok, _Tag):
            continue
        if tok.node is not None:
            if not tok.node.self_closing:
                stack.append(tok)
                open_count[tok.name] = open_count.get(tok.name, 0) + 1
            continue
        if not open_count.get(tok.name):
            if tok.name in demoted:
                inner, outer_close = demoted[tok.name]
                raise lexer.fail(
                    outer_close.start,
                    f"closing tag for {outer_close.name!r} does not match the innermost open "
                    f"shortcode {inner.name!r} (closed later on line {lexer.line_at(tok.start)})",
                )
            raise lexer.fail(tok.start, f"closing tag for {tok.name!r} has no opening tag")
        while (top := stack.pop()).name != tok.name:
            open_count[top.name] -= 1
            demoted[top.name] = (top, tok)
        open_count[top.name] -= 1
        top.paired = True

    root: list[Node] = []
    frames: list[tuple[list[Node], _Tag]] = []
    current = root
    for tok in tokens:
        if not isinstance(tok, _Tag):
            current.append(tok)
        elif tok.node is None:
            current, opener = frames.pop()
            sc = opener.node
            assert sc is not None
            sc.raw_inner = lexer.text[opener.end : tok.start]
            sc.raw_close = lexer.text[tok.start : tok.end]
        elif tok.paired:
            current.append(tok.node)
            if len(frames) >= MAX_DEPTH:
                raise lexer.fail(tok.start, f"shortcodes nested deeper than {MAX_DEPTH} levels")
            frames.append((current, tok))
            tok.node.inner = current = []
        else:
            current.append(tok.node)
    return root


def parse(text: str, line_offset: int = 0) -> list[Node]:
    """Split a Markdown body into text, shortcodes and escaped shortcodes."""
    lexer = _Lexer(text, line_offset)
    return _build(lexer, lexer.tokens())
