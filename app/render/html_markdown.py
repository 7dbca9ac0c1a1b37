"""Foreign comment HTML (Disqus) made safe, and turned into the Markdown subset we store."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import nh3

from app.render.comment_markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    render_comment,
)

BLOCKS = {"p", "pre", "ul", "ol", "blockquote"}
_VOID = {"br"}
_ESCAPE_RE = re.compile(r"([\\`*_\[\]~])")
_LINE_START_RE = re.compile(r"^(\s*)([#>+\-]|\d+\.)(?=\s|$)", re.MULTILINE)
_SPACE_RE = re.compile(r"[ \t\r\n\f]+")
URL_SCHEMES = {"http", "https", "mailto"}  # as render_comment
_RENAME = {"b": "strong", "i": "em", "s": "del", "strike": "del"}
_TAG_RE = re.compile(r"<[a-zA-Z/!]")

Node = tuple[str, dict[str, str], list["Node | str"]]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node = ("root", {}, [])
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: Node = (tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1][2].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].append(data)


def _raw_text(nodes: list[Node | str]) -> str:
    return "".join(n if isinstance(n, str) else _raw_text(n[2]) for n in nodes)


def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(r"\\\1", _SPACE_RE.sub(" ", text))


def _wrap(marker: str, inner: str) -> str:
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{marker}{core}{marker}{trail}"


def _code_span(text: str) -> str:
    text = _SPACE_RE.sub(" ", text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _href(value: str) -> str:
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _inline(nodes: list[Node | str]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape(node))
            continue
        tag, attrs, children = node
        if tag == "br":
            out.append("  \n")
        elif tag == "code":
            out.append(_code_span(_raw_text(children)))
        elif tag in ("em", "strong", "del"):
            out.append(_wrap({"em": "*", "strong": "**", "del": "~~"}[tag], _inline(children)))
        elif tag == "a" and attrs.get("href"):
            out.append(f"[{_inline(children).strip()}]({_href(attrs['href'])})")
        else:
            out.append(_inline(children))
    return "".join(out)


def _paragraph(nodes: list[Node | str]) -> str:
    lines = (_SPACE_RE.sub(" ", line).strip() for line in _inline(nodes).split("  \n"))
    text = "\n".join(lines)
    text = text.strip().replace("\n", "  \n")
    return _LINE_START_RE.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    mark = match.group(2)
    mark = mark[:-1] + "\\." if mark.endswith(".") else "\\" + mark
    return match.group(1) + mark


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"


def _indent(text: str, first: str) -> str:
    pad = " " * 4
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [pad + line if line else "" for line in lines[1:]])


def _list(tag: str, children: list[Node | str]) -> str:
    items = [c for c in children if not isinstance(c, str) and c[0] == "li"]
    bodies = []
    for item in items:
        tight = not any(not isinstance(c, str) and c[0] == "p" for c in item[2])
        bodies.append(("\n" if tight else "\n\n").join(_blocks(item[2])))
    loose = any("\n\n" in body for body in bodies)
    rendered = [
        _indent(body, f"{n}. " if tag == "ol" else "- ")
        for n, body in enumerate(bodies, start=1)
    ]
    return ("\n\n" if loose else "\n").join(rendered)


def _block(node: Node) -> str:
    tag, _attrs, children = node
    if tag == "p":
        return _paragraph(children)
    if tag == "pre":
        return _fence(_raw_text(children))
    if tag in ("ul", "ol"):
        return _list(tag, children)
    inner = "\n\n".join(_blocks(children))
    return "\n".join("> " + line if line else ">" for line in inner.split("\n"))


def _blocks(nodes: list[Node | str]) -> list[str]:
    out: list[str] = []
    run: list[Node | str] = []

    def flush() -> None:
        text = _paragraph(run)
        if text:
            out.append(text)
        run.clear()

    for node in nodes:
        if not isinstance(node, str) and node[0] in BLOCKS:
            flush()
            text = _block(node)
            if text.strip():
                out.append(text)
        else:
            run.append(node)
    flush()
    return out


def html_to_markdown(source: str) -> str:
    """Markdown for sanitized comment HTML (p, br, em, strong, del, a, code, pre, lists, quotes)."""
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    return "\n\n".join(_blocks(builder.root[2]))


def _unwrap_disqus_link(element: str, attribute: str, value: str) -> str | None:
    """Links through disq.us's redirector go straight to their target (no tracking)."""
    if element != "a" or attribute != "href":
        return value
    parts = urlsplit(value)
    if parts.hostname in ("disq.us", "www.disq.us") and parts.path.startswith("/url"):
        target = parse_qs(parts.query).get("url", [""])[0]
        target = re.sub(r":[A-Za-z0-9_-]+$", "", target)
        if urlsplit(target).scheme in ("http", "https"):
            return target
    return value


def sanitize_foreign(message: str) -> str:
    """Disqus HTML (or plain text) reduced by nh3 to the comment tag set; b/i kept as strong/em."""
    if not _TAG_RE.search(message):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", message) if p.strip()]
        message = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
                          for p in paragraphs)
    first = nh3.clean(message, tags=ALLOWED_TAGS | set(_RENAME), attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, strip_comments=True, link_rel=None,
                      attribute_filter=_unwrap_disqus_link)
    for old, new in _RENAME.items():  # nh3 output: these tags carry no attributes
        first = first.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return nh3.clean(first, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL, strip_comments=True).strip()


def convert_message(message: str) -> tuple[str, str]:
    """Disqus message to (Markdown source, HTML): the HTML is what render_comment makes of it."""
    source = html_to_markdown(sanitize_foreign(message))
    return source, render_comment(source) if source else ""
