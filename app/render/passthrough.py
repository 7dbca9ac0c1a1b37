"""Hugo's Goldmark passthrough extension (``markup.goldmark.extensions.passthrough``).

Text between a pair of delimiters is kept as written, delimiters included, instead of being
read as Markdown: ``\\(a_1 * b\\)`` stays ``\\(a_1 * b\\)`` for KaTeX (Blowfish's ``katex``
shortcode) to draw in the browser, where plain Markdown would drop the backslashes and make
emphasis. Blowfish's ``markup.toml`` turns it on with ``\\[ \\]`` and ``$$ $$`` as block
delimiters and ``\\( \\)`` inline. A block passthrough is a line starting with a block
opener, up to the line its closer ends; block delimiters inside a paragraph, and inline ones,
are kept inline. Code spans and code blocks are untouched. Hugo writes the text out raw; it
is escaped here (a ``<`` in TeX reads the same and can never open a tag).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

Delimiters = tuple[tuple[str, str], ...]
BLOCK_KIND = "passthrough_block"  # the token types app/render/tree.py writes out
INLINE_KIND = "passthrough_inline"


def delimiters(value: object) -> Delimiters:
    """``[['\\[', '\\]'], ['$$', '$$']]`` from a site config as pairs; bad entries dropped."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Sequence) and not isinstance(value, str):
        for pair in value:
            if (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2
                    and all(isinstance(d, str) and d and "\n" not in d for d in pair)):
                pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def passthrough_plugin(md: MarkdownIt, block: Delimiters, inline: Delimiters) -> None:
    """Add the block and inline passthrough rules for these delimiters."""
    if block:
        md.block.ruler.before("paragraph", "passthrough_block", _block_rule(block),
                              {"alt": ["paragraph", "blockquote", "list"]})
    everything = sorted(set(block) | set(inline), key=lambda pair: -len(pair[0]))
    if everything:
        md.inline.ruler.before("escape", "passthrough_inline", _inline_rule(tuple(everything)))


def _block_rule(pairs: Delimiters) -> Callable[[StateBlock, int, int, bool], bool]:
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.sCount[start] - state.blkIndent >= 4:
            return False
        first = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
        for opener, closer in pairs:
            if not first.startswith(opener):
                continue
            lines: list[str] = []
            line = start
            offset = len(opener)  # where the closer may start in the current line
            while line < end:
                text = (first if line == start else
                        state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]])
                if line > start and state.sCount[line] < state.blkIndent:
                    break  # the container (list item, quote) ended first
                at = text.find(closer, offset)
                lines.append(text)
                if at >= 0:
                    if text[at + len(closer):].strip():
                        break  # text after the closer: not a block
                    if silent:
                        return True
                    token = state.push(BLOCK_KIND, "", 0)
                    token.content = "\n".join([*lines[:-1], text[:at + len(closer)]])
                    token.map = [start, line + 1]
                    token.block = True
                    state.line = line + 1
                    return True
                line += 1
                offset = 0
            return False
        return False

    return rule


def _inline_rule(pairs: Delimiters) -> Callable[[StateInline, bool], bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        for opener, closer in pairs:
            if not src.startswith(opener, pos):
                continue
            at = src.find(closer, pos + len(opener))
            if at < 0 or at + len(closer) > state.posMax:
                continue
            if not silent:
                token = state.push(INLINE_KIND, "", 0)
                token.content = src[pos:at + len(closer)]
            state.pos = at + len(closer)
            return True
        return False

    return rule
