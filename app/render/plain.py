"""Hugo 0.161 plain text, word count, reading time and summaries, ported from Hugo's Go sources.

Sources (gohugoio/hugo v0.161.x): ``tpl/template.go`` (StripHTML), the html/template fork
``tpl/internal/go_templates/htmltemplate`` (``html.go`` stripTags, ``transition.go``),
``helpers/content.go`` (TotalWords), ``hugolib/page__content.go`` (contentPlain: WordCount,
ReadingTime), ``hugolib/page__meta.go`` (cjkRe), ``resources/page/page_markup.go``
(ExtractSummaryFromHTML, ExtractSummaryFromHTMLWithDivider, expandSummaryDivider),
``parser/pageparser/pagelexer.go`` and ``hugolib/page__content.go`` (the HUGOMORE42 divider).
Go works on UTF-8 bytes; every delimiter here is ASCII, so working on ``str`` is equivalent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Go's unicode.IsSpace (used by strings.TrimSpace/Fields and Hugo's loops). Not str.isspace(),
# which also accepts U+001C..U+001F.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "".join(f"\\u{ord(c):04x}" for c in _GO_SPACE)
_WS_RUN = re.compile(f"([{_WS_CLASS}])[{_WS_CLASS}]+")
_WORD = re.compile(f"[^{_WS_CLASS}]+")

# ---------------------------------------------------------------- html/template stripTags port
_TEXT, _TAG, _ATTR_NAME, _AFTER_NAME, _BEFORE_VALUE = range(5)
_VALUE, _CMT, _RCDATA, _RAW, _ERROR = range(5, 10)
_IN_TAG = (_TAG, _ATTR_NAME, _AFTER_NAME, _BEFORE_VALUE, _VALUE)
# elementContentType: script/style bodies are skipped, textarea/title bodies are text.
_SPECIAL = {"script": _RAW, "style": _RAW, "textarea": _RCDATA, "title": _RCDATA}
_HTML_WS = " \t\n\f\r"
_SPACE_OR_TAG_END = re.compile(r"[ \t\n\f\r>]")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

_Ctx = tuple[int, str, str]  # (state, special element name or "", attribute delimiter or "")


def _eat_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _HTML_WS:
        i += 1
    return i


def _eat_attr_name(s: str, i: int) -> int:
    """Go eatAttrName; -1 stands for its error (quote or '<' in an attribute name)."""
    for j in range(i, len(s)):
        if s[j] in " \t\n\f\r=>":
            return j
        if s[j] in "'\"<":
            return -1
    return len(s)


def _t_text(s: str, i: int) -> tuple[_Ctx, int]:
    n, k = len(s), i
    while True:
        p = s.find("<", k)
        if p == -1 or p + 1 == n:
            return (_TEXT, "", ""), n
        if s.startswith("<!--", p):
            return (_CMT, "", ""), p + 4
        q, end = p + 1, False
        if s[q] == "/":
            if q + 1 == n:
                return (_TEXT, "", ""), n
            q, end = q + 1, True
        j = q  # eatTagName: "x-y" and "x:y" allowed, not "x-" or "x--y"
        if j < n and s[j].isascii() and s[j].isalpha():
            j += 1
            while j < n:
                if s[j] in _ALNUM:
                    j += 1
                elif s[j] in ":-" and j + 1 < n and s[j + 1] in _ALNUM:
                    j += 2
                else:
                    break
        if j != q:
            name = s[q:j].lower()
            return (_TAG, "" if end or name not in _SPECIAL else name, ""), j
        k = j


def _index_tag_end(s: str, i: int, tag: str) -> int:
    """Go indexTagEnd: index of `</tag` + separator, ASCII case-insensitive, or -1."""
    while i < len(s):
        p = s.find("</", i)
        if p == -1:
            return -1
        i = p + 2
        seg = s[i : i + len(tag)]
        if len(seg) == len(tag) and seg.isascii() and seg.lower() == tag:
            i += len(tag)
            if i < len(s) and s[i] in "> \t\n\f/":
                return p
    return -1


def _transition(ctx: _Ctx, s: str, i: int) -> tuple[_Ctx, int]:
    state, elem, _ = ctx
    n = len(s)
    if elem and state not in _IN_TAG:  # "Use RCDATA instead of parsing into JS or CSS styles."
        p = _index_tag_end(s, i, elem)
        return ((_TEXT, "", ""), p) if p != -1 else (ctx, n)
    if state == _TEXT:
        return _t_text(s, i)
    if state == _CMT:
        p = s.find("-->", i)
        return ((_TEXT, "", ""), p + 3) if p != -1 else (ctx, n)
    if state == _ATTR_NAME:
        j = _eat_attr_name(s, i)
        if j == -1:
            return (_ERROR, "", ""), n
        return ((_AFTER_NAME if j != n else _ATTR_NAME), elem, ""), j
    p = _eat_ws(s, i)
    if state == _ERROR or p == n:
        return ctx, n
    if state == _AFTER_NAME:  # '=' starts a value; anything else (e.g. '>') is back in the tag
        return ((_BEFORE_VALUE if s[p] == "=" else _TAG), elem, ""), p + (s[p] == "=")
    if state == _BEFORE_VALUE:
        if s[p] in "'\"":
            return (_VALUE, elem, s[p]), p + 1
        return (_VALUE, elem, " "), p  # unquoted: ends at whitespace or '>'
    if s[p] == ">":  # _TAG
        return (_SPECIAL.get(elem, _TEXT), elem, ""), p + 1
    j = _eat_attr_name(s, p)
    if j in (-1, p):
        return (_ERROR, "", ""), n
    return ((_ATTR_NAME if j == n else _AFTER_NAME), elem, ""), j


def _strip_tags(html: str) -> str:
    """Go html/template stripTags: text content only, entities untouched."""
    out: list[str] = []
    ctx: _Ctx = (_TEXT, "", "")
    i, n, all_text = 0, len(html), True
    while i != n:
        state, elem, delim = ctx
        if not delim:
            nctx, i1 = _transition(ctx, html, i)
            if state in (_TEXT, _RCDATA):
                j = i1
                if nctx[0] != state:  # emit text up to the start of the tag or comment
                    k = html.rfind("<", i, j)
                    j = k if k != -1 else j
                out.append(html[i:j])
            else:
                all_text = False
            ctx, i = nctx, i1
            continue
        if delim == " ":
            m = _SPACE_OR_TAG_END.search(html, i)
            i1 = m.start() if m else -1
        else:
            i1 = html.find(delim, i)
            i1 = i1 + 1 if i1 != -1 else -1  # consume the quote
        if i1 == -1:
            break
        ctx, i = (_TAG, elem, ""), i1
    if all_text:
        return html
    if ctx[0] in (_TEXT, _RCDATA):
        out.append(html[i:])
    return "".join(out)


# ---------------------------------------------------------------- tpl.StripHTML and counts
_NL_PLACEHOLDER = "___hugonl_"
_PRE = re.compile(r"\n|</p>|<br>|<br />")


def strip_html(html: str) -> str:
    """Hugo's .Plain: StripHTML of rendered content."""
    if "<" not in html and ">" not in html:
        return html  # Hugo's shortcut: no newline replacement, no whitespace collapsing
    pre = _PRE.sub(lambda m: " " if m.group() == "\n" else _NL_PLACEHOLDER, html)
    s = _strip_tags(pre)
    if pre != html:
        s = s.replace(_NL_PLACEHOLDER, "\n")
    return _WS_RUN.sub(r"\1", s)  # a whitespace run keeps its first rune


def plainify(html: str) -> str:
    """Hugo's `plainify` template function (transform.Plainify = tpl.StripHTML)."""
    return strip_html(html)


def count_words(plain: str, cjk: bool = False) -> int:
    """Hugo's .WordCount."""
    if not cjk:
        return len(_WORD.findall(plain))  # helpers.TotalWords
    # isCJKLanguage: an all-ASCII field counts 1, any other field counts its runes
    return sum(1 if w.isascii() else len(w) for w in _WORD.findall(plain))


def reading_time(words: int, cjk: bool = False) -> int:
    """Hugo's .ReadingTime."""
    return (words + 500) // 501 if cjk else (words + 212) // 213


# Go's unicode tables (Unicode 15) for Hugo's cjkRe: \p{Han}|\p{Hangul}|\p{Hiragana}|\p{Katakana}.
_CJK_RANGES = (
    "1100-11FF 2E80-2E99 2E9B-2EF3 2F00-2FD5 3005 3007 3021-3029 302E-302F 3038-303B 3041-3096 "
    "309D-309F 30A1-30FA 30FD-30FF 3131-318E 31F0-31FF 3200-321E 3260-327E 32D0-32FE 3300-3357 "
    "3400-4DBF 4E00-9FFF A960-A97C AC00-D7A3 D7B0-D7C6 D7CB-D7FB F900-FA6D FA70-FAD9 FF66-FF6F "
    "FF71-FF9D FFA0-FFBE FFC2-FFC7 FFCA-FFCF FFD2-FFD7 FFDA-FFDC 16FE2-16FE3 16FF0-16FF1 "
    "1AFF0-1AFF3 1AFF5-1AFFB 1AFFD-1AFFE 1B000-1B122 1B132 1B150-1B152 1B155 1B164-1B167 1F200 "
    "20000-2A6DF 2A700-2B739 2B740-2B81D 2B820-2CEA1 2CEB0-2EBE0 2F800-2FA1D 30000-3134A "
    "31350-323AF"
)
_CJK = re.compile(
    "["
    + "".join("-".join(f"\\U{int(x, 16):08x}" for x in r.split("-")) for r in _CJK_RANGES.split())
    + "]"
)


def has_cjk(text: str) -> bool:
    """Hugo's automatic CJK detection (hasCJKLanguage)."""
    # Hugo matches cjkRe against the whole source file, front matter included.
    return _CJK.search(text) is not None


# ---------------------------------------------------------------- summaries
@dataclass(frozen=True)
class Summary:
    """A page summary as Hugo computes it."""

    html: str  # summary HTML
    truncated: bool  # True when the summary is shorter than the content


_HTML_TAG_TOKEN = re.compile(r"</?[A-Za-z]+>?")
_HTML_ATTR_TOKEN = re.compile(r"[A-Za-z]+=[\"']")
_P_OPEN = re.compile(r"<p[\s>]")


def _count_summary_word(word: str, cjk: bool) -> int:
    word = word.strip(_GO_SPACE)
    if not word or word == ">" or _HTML_TAG_TOKEN.fullmatch(word) or _HTML_ATTR_TOKEN.match(word):
        return 0  # "Avoid counting words that are most likely HTML tokens."
    if cjk:
        word = strip_html(word)
        return 1 if word.isascii() else len(word)
    return 1


def auto_summary(html: str, words: int = 70, cjk: bool = False) -> Summary:
    """Hugo's automatic summary: whole blocks of the rendered HTML up to `words` words."""
    if words <= 0:
        return Summary("", len(html) > 0)  # summaryLength 0: empty summary, Truncated = content
    count, j, n = 0, 0, len(html)
    while j < n:
        close = html.find("</p>", j)
        if close == -1:
            break
        s = html[j:close]  # starts at the '>' of the previous "</p>"; Hugo's quirk, kept
        wi, last = 0, len(s) - 1
        for i, ch in enumerate(s):
            if ch in _GO_SPACE or i == last:
                count += _count_summary_word(s[wi:i], cjk)  # the last rune is left out
                wi = i
                if count >= words:
                    break
        if count >= words:
            high = close + 4
            return Summary(html[:high].strip(_GO_SPACE), high < n)
        j = close + 3
    return Summary(html.strip(_GO_SPACE), False)


def split_manual_summary(html: str, divider: str = "<!--more-->") -> Summary | None:
    """Content before the <!--more--> divider, or None if there is no divider."""
    idx = html.find(divider)
    if idx == -1:
        return None
    # Hugo swaps the first divider in the Markdown source for "\n\nHUGOMORE42\n\n", so Goldmark
    # renders it as a paragraph of its own, `<p>HUGOMORE42</p>`, closing any paragraph it was in.
    # On that shape expandSummaryDivider widens the divider to its whole <p>, so the summary is
    # everything before that paragraph, and Truncated() (summary end < len(content)) is always
    # true. Python-Markdown leaves <!--more--> as a raw comment, possibly inside a <p>: close
    # that paragraph the way the source-level split would (dropping it if it would be empty).
    before = html[:idx]
    opens = list(_P_OPEN.finditer(before))
    if opens and "</p>" not in before[opens[-1].start() :]:
        start = opens[-1].start()
        if before[before.find(">", start) + 1 :].strip(_GO_SPACE):
            before = before.rstrip(_GO_SPACE) + "</p>"
        else:
            before = before[:start]
    return Summary(before.strip(_GO_SPACE), True)
