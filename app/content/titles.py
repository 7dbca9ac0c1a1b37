"""Hugo's default title case (AP style, titleCaseStyle "ap"), used for term titles."""

from __future__ import annotations

import re

# Words AP style leaves in lower case unless they start or end the title.
SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "but", "by", "en", "for", "if", "in",
                         "nor", "of", "on", "or", "per", "the", "to", "vs", "vs.", "via", "v",
                         "v."})
_WORD_RE = re.compile(r"[^\W_]+[^\s\-/]*")
_ASCII = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                        "\u2013": "-", "\u2014": "-"})


def _at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else text[:1]


def ap_title(text: str) -> str:
    """Each word's first letter upper-cased (the rest kept), small inner words lower-cased."""
    plain = text.translate(_ASCII)
    end = len(plain)

    def word(match: re.Match[str]) -> str:
        start, stop = match.span()
        lowered = match.group(0).lower()
        bounding = start == 0 or stop == end
        prev = _at(plain, start - 1)
        if (not bounding and lowered in SMALL_WORDS and prev in " -/"
                and _at(plain, start - 2) not in ":-"
                and (_at(plain, stop) != "-" or prev == "-")):
            return lowered
        return match.group(0)[:1].upper() + match.group(0)[1:]

    # The neighbours are read in `plain` (curly quotes and dashes made ASCII, same length).
    return _WORD_RE.sub(word, text)
