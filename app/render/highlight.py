"""Code blocks highlighted with Pygments, with Hugo's code fence options.

One place for the rule, used by fenced code in Markdown and by the `highlight` shortcode:
`{linenos=table hl_lines=[2,"4-5"] linenostart=10}` after a fence's language, or the
shortcode's "linenos=table,hl_lines=2 4-5" argument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

_OPTION_RE = re.compile(r'(\w+)\s*=\s*("[^"]*"|\[[^\]]*\]|[^,\s]+(?:\s+\d[\d-]*)*)')
MAX_MARKED_LINES = 10000


@dataclass(frozen=True)
class CodeDefaults:
    """Site-wide code settings (Hugo's `markup.highlight`)."""

    code_fences: bool = True
    guess_syntax: bool = False
    line_nos: bool = False
    line_numbers_in_table: bool = True
    line_no_start: int = 1
    tab_width: int = 4


def parse_options(raw: str) -> dict[str, str]:
    """Hugo's highlight options, from `{k=v k2=[..]}` or `k=v,k2=v2`, keys lower-cased."""
    options: dict[str, str] = {}
    raw = raw.strip().removeprefix("{").removesuffix("}")
    for match in _OPTION_RE.finditer(raw):
        options[match.group(1).lower()] = match.group(2).strip('"')
    return options


def marked_lines(spec: str) -> list[int]:
    """`hl_lines` as line numbers: "2 4-5", `[2,"4-5"]`."""
    lines: list[int] = []
    for part in re.split(r"[\s,\[\]\"']+", spec):
        if re.fullmatch(r"\d+-\d+", part):
            first, last = (int(n) for n in part.split("-"))
            lines.extend(range(first, min(last, first + MAX_MARKED_LINES) + 1))
        elif part.isdigit():
            lines.append(int(part))
    return lines[:MAX_MARKED_LINES]


def lexer_for(lang: str, code: str = "", guess: bool = False) -> tuple[Lexer, bool]:
    """The lexer for a language name, and whether the name was known."""
    if lang:
        try:
            return get_lexer_by_name(lang), True
        except ClassNotFound:
            return TextLexer(), False
    if guess and code.strip():
        try:
            return guess_lexer(code), True
        except ClassNotFound:
            pass
    return TextLexer(), True


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes", "table", "inline"}


def highlight(code: str, lang: str = "", options: Mapping[str, str] | None = None,
              defaults: CodeDefaults | None = None) -> str:
    """A highlighted code block: `<div class="highlight"><pre><code>` with Pygments' spans."""
    options = options or {}
    defaults = defaults or CodeDefaults()
    if "\t" in code and defaults.tab_width > 0:
        code = code.expandtabs(defaults.tab_width)
    lexer, _ = lexer_for(lang, code, defaults.guess_syntax)
    raw = options.get("linenos")
    if raw is None:
        table = defaults.line_numbers_in_table
        linenos: str | bool = ("table" if table else "inline") if defaults.line_nos else False
    else:
        linenos = {"table": "table", "true": "table", "inline": "inline"}.get(raw.lower(), False)
    start = options.get("linenostart", "")
    formatter = HtmlFormatter(
        cssclass="highlight",
        wrapcode=True,
        linenos=linenos,
        linenostart=int(start) if start.isdigit() else defaults.line_no_start,
        hl_lines=marked_lines(options.get("hl_lines", "")),
    )
    out = pygments_highlight(code, lexer, formatter)
    if lang:
        out = out.replace("<code>", f'<code class="language-{escape(lang)}">', 1)
    return out


def inline_spans(code: str, lang: str) -> str:
    """Highlighted code as spans only, for inline code (`hl_inline`)."""
    lexer, _ = lexer_for(lang)
    return pygments_highlight(code, lexer, HtmlFormatter(nowrap=True)).rstrip("\n")


def plain_block(code: str, lang: str = "") -> str:
    """A code block without highlighting (Hugo's `codeFences = false`)."""
    cls = f' class="language-{escape(lang)}"' if lang else ""
    return f"<pre><code{cls}>{escape(code, quote=False)}</code></pre>"


def split_info(info: str) -> tuple[str, dict[str, str]]:
    """A fence's info string as language and Hugo options: "go {linenos=table}"."""
    info = info.strip()
    head, brace, rest = info.partition("{")
    words = head.split()
    lang = words[0] if words else ""
    return lang, parse_options(brace + rest) if brace else {}
