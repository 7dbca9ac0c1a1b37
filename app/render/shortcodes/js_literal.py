"""A JavaScript object literal made of plain data, read into Python (for Chart.js configs).

Blowfish's ``chart`` shortcode pastes its inner text into ``new Chart(ctx, { ... })``: a JS
object literal, not JSON (unquoted keys, single quotes, trailing commas, comments). The page
cannot run it (the CSP allows no inline script, and nothing is ever evaluated), so it is read
here and served as JSON. Only data is accepted: objects, arrays, strings (``'``, ``"``, or
`````` without ``${``), numbers, ``true``/``false``/``null``. Anything else (a function, a
variable, ``new Date()``, a spread) makes the whole config unreadable: ``None``, and the page
keeps its no-JavaScript fallback.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_MAX_DEPTH = 64
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class _Unreadable(ValueError):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isspace() or ch == "\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise _Unreadable("unclosed comment")
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise _Unreadable(f"expected {ch!r} at {self.pos}")
        self.pos += 1

    def value(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise _Unreadable("too deeply nested")
        ch = self.peek()
        if ch == "{":
            return self.obj(depth + 1)
        if ch == "[":
            return self.array(depth + 1)
        if ch in "'\"`":
            return self.string()
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return _number(match.group())
        ident = _IDENT.match(self.text, self.pos)
        if ident and ident.group() in _KEYWORDS:
            self.pos = ident.end()
            return _KEYWORDS[ident.group()]
        raise _Unreadable(f"not plain data at {self.pos}")

    def obj(self, depth: int) -> dict[str, Any]:
        self.expect("{")
        out: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.key()
            self.expect(":")
            out[key] = self.value(depth)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise _Unreadable(f"expected ',' or '}}' at {self.pos}")
        self.pos += 1
        return out

    def array(self, depth: int) -> list[Any]:
        self.expect("[")
        out: list[Any] = []
        while self.peek() != "]":
            if self.peek() == ",":
                raise _Unreadable("holes in arrays are not data")
            out.append(self.value(depth))
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _Unreadable(f"expected ',' or ']' at {self.pos}")
        self.pos += 1
        return out

    def key(self) -> str:
        ch = self.peek()
        if ch in "'\"`":
            return self.string()
        match = _IDENT.match(self.text, self.pos) or _NUMBER.match(self.text, self.pos)
        if not match:
            raise _Unreadable(f"expected a key at {self.pos}")
        self.pos = match.end()
        return match.group()

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        parts: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise _Unreadable("unclosed string")
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(parts)
            if quote == "`" and text.startswith("${", self.pos):
                raise _Unreadable("template literal with a substitution")
            if ch == "\n" and quote != "`":
                raise _Unreadable("line break in a string")
            if ch == "\\":
                parts.append(self.escape())
                continue
            parts.append(ch)
            self.pos += 1

    def escape(self) -> str:
        text = self.text
        self.pos += 1
        ch = text[self.pos:self.pos + 1]
        if not ch:
            raise _Unreadable("unclosed string")
        if ch == "u":
            if text.startswith("{", self.pos + 1):
                end = text.find("}", self.pos)
                digits = text[self.pos + 2:end] if end > 0 else ""
                self.pos = end + 1
            else:
                digits = text[self.pos + 1:self.pos + 5]
                self.pos += 5
            return chr(_hex(digits, 1, 6))
        if ch == "x":
            digits = text[self.pos + 1:self.pos + 3]
            self.pos += 3
            return chr(_hex(digits, 2, 2))
        self.pos += 1
        if ch == "\r" and text.startswith("\n", self.pos):
            self.pos += 1
        if ch in "\r\n\u2028\u2029":
            return ""  # a line continuation
        return _ESCAPES.get(ch, ch)


def _hex(digits: str, least: int, most: int) -> int:
    if not least <= len(digits) <= most or not re.fullmatch(r"[0-9a-fA-F]+", digits):
        raise _Unreadable("bad escape")
    value = int(digits, 16)
    if value > 0x10FFFF:
        raise _Unreadable("bad escape")
    return value


def _number(text: str) -> int | float:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body[:2].lower() == "0x":
        return sign * int(body, 16)
    if re.fullmatch(r"\d+", body):
        return sign * int(body)
    value = sign * float(body)
    if not math.isfinite(value):
        raise _Unreadable("not a finite number")
    return value


def parse_object_body(text: str) -> dict[str, Any] | None:
    """The object whose members ``text`` lists (``type: 'bar', data: {...}``), or None.

    ``text`` may also be a whole literal in braces. None when it is not plain data."""
    body = text.strip().rstrip(";").strip()
    source = body if body.startswith("{") else "{" + body + "\n}"
    reader = _Reader(source)
    try:
        result = reader.obj(0) if reader.peek() == "{" else None
        if reader.peek() != "":
            return None
    except (_Unreadable, ValueError, OverflowError, IndexError):
        return None
    return result


def to_script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
