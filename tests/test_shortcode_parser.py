"""Tests for the Hugo shortcode parser (app/content/shortcodes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.shortcodes import (
    MAX_DEPTH,
    Escaped,
    Node,
    Shortcode,
    ShortcodeSyntaxError,
    parse,
)
from tests.shared import CORPUS_CONTENT as CORPUS
from tests.shared import require


def only(text: str) -> Shortcode:
    """Parse ``text`` and return its single shortcode node."""
    nodes = [n for n in parse(text) if not isinstance(n, str)]
    assert len(nodes) == 1
    assert isinstance(nodes[0], Shortcode)
    return nodes[0]


def source(nodes: list[Node]) -> str:
    """Rebuild the source text from parsed nodes."""
    out: list[str] = []
    for n in nodes:
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, Escaped):
            out.append(n.raw)
        else:
            out.append(n.raw)
            if n.inner is not None:
                inner = source(n.inner)
                assert inner == n.raw_inner
                out.append(inner + n.raw_close)
    return "".join(out)


def walk(nodes: list[Node]) -> list[Shortcode]:
    """All shortcodes, depth first (iterative)."""
    found: list[Shortcode] = []
    todo = list(reversed(nodes))
    while todo:
        n = todo.pop()
        if isinstance(n, Shortcode):
            found.append(n)
            todo.extend(reversed(n.inner or []))
    return found


def error(text: str, line_offset: int = 0) -> ShortcodeSyntaxError:
    """Parse ``text`` expecting a ShortcodeSyntaxError and return it."""
    with pytest.raises(ShortcodeSyntaxError) as info:
        parse(text, line_offset)
    return info.value


# --- arguments ---------------------------------------------------------------------------


def test_bare_positional_args() -> None:
    sc = only("{{< youtube -ziL-Q_456igdO-4 3.14 abc >}}")
    assert sc.name == "youtube"
    assert sc.args == ["-ziL-Q_456igdO-4", "3.14", "abc"]
    assert sc.kwargs == {}


def test_double_quoted_positional_args() -> None:
    sc = only('{{< alert "twitter" "two words" "**/*.pdf" >}}')
    assert sc.args == ["twitter", "two words", "**/*.pdf"]


def test_quoted_escaped_quotes_are_unescaped() -> None:
    sc = only(r'{{< x title="Hello \"escaped\" World" >}}')
    assert sc.kwargs == {"title": 'Hello "escaped" World'}


def test_backslashes_kept_without_escaped_quote_like_hugo() -> None:
    assert only(r'{{< x "C:\path\to" >}}').args == [r"C:\path\to"]
    # Hugo drops every backslash once the value contains an escaped quote
    assert only(r'{{< x "a \"b\" \c" >}}').args == ['a "b" c']


def test_raw_backtick_args_span_lines_without_escapes() -> None:
    sc = only('{{< x `Hello\n\tWorld` `a \\b "c"` >}}')
    assert sc.args == ["Hello\n\tWorld", 'a \\b "c"']


def test_named_args_all_forms() -> None:
    sc = only('{{< carousel images="{a.png,b.png}" interval=2500 raw=`x y` spaced= "v" f=3.14 >}}')
    assert sc.args == []
    assert sc.kwargs == {
        "images": "{a.png,b.png}",
        "interval": "2500",
        "raw": "x y",
        "spaced": "v",
        "f": "3.14",
    }


def test_escaped_quote_delimiters_in_args() -> None:
    assert only(r"{{< x k=\"Hello World\" >}}").kwargs == {"k": "Hello World"}
    assert only(r"{{< x \"param1\" >}}").args == ["param1"]


def test_args_need_no_separating_space() -> None:
    sc = only('{{< x`one``two`"three">}}')
    assert sc.args == ["one", "two", "three"]


def test_whitespace_optional_and_newlines_inside_tag() -> None:
    sc = only('{{<figure src="a">}}')
    assert (sc.name, sc.kwargs, sc.raw) == ("figure", {"src": "a"}, '{{<figure src="a">}}')
    sc = only('{{< figure\n  src="a"\n  alt="b"\n>}}')
    assert sc.kwargs == {"src": "a", "alt": "b"}


@pytest.mark.parametrize("name", ["icon-ref", "theme_switcher", "x2", "nested/dir/name"])
def test_name_characters(name: str) -> None:
    assert only(f"{{{{< {name} >}}}}").name == name


def test_markdown_notation_flag() -> None:
    assert only("{{% lead %}}").markdown is True
    assert only("{{< lead >}}").markdown is False


# --- self-closing, paired, nested --------------------------------------------------------


def test_self_closing() -> None:
    nodes = parse('a {{< icon "github" />}} b {{% x /%}}')
    icon, x = walk(nodes)
    assert icon.self_closing
    assert icon.inner is None
    assert icon.args == ["github"]
    assert x.self_closing
    assert x.markdown
    assert icon.raw == '{{< icon "github" />}}'


def test_standalone_has_no_inner() -> None:
    nodes = parse('{{< figure src="a.png" >}}\ntext')
    assert isinstance(nodes[0], Shortcode)
    assert nodes[0].inner is None
    assert nodes[0].raw_inner == ""
    assert nodes[1] == "\ntext"


def test_paired_inner_text_and_raw() -> None:
    text = '{{< alert icon="fire" >}}\n**Warning!** careful\n{{< /alert >}}\nafter'
    nodes = parse(text)
    sc = nodes[0]
    assert isinstance(sc, Shortcode)
    assert sc.inner == ["\n**Warning!** careful\n"]
    assert sc.raw_inner == "\n**Warning!** careful\n"
    assert sc.raw_close == "{{< /alert >}}"
    assert nodes[1:] == ["\nafter"]


def test_closing_tag_forms() -> None:
    for close in ("{{< /tab >}}", "{{</tab>}}", "{{</ tab >}}", "{{< / tab >}}", "{{% /tab %}}"):
        sc = only("{{< tab >}}x" + close)
        assert sc.inner == ["x"], close
        assert sc.raw_close == close


def test_nested_tabs_timeline_accordion() -> None:
    text = (
        '{{< tabs >}}\n{{< tab label="A" >}}one{{< /tab >}}\n{{< tab label="B" >}}two'
        "{{< /tab >}}\n{{< /tabs >}}\n"
        '{{< timeline >}}{{< timelineItem icon="code" header="H" >}}{{< icon "star" >}}'
        "{{< /timelineItem >}}{{< /timeline >}}\n"
        '{{< accordion mode="open" >}}{{< accordionItem title="T" >}}x{{< /accordionItem >}}'
        "{{< /accordion >}}"
    )
    tabs, timeline, accordion = (n for n in parse(text) if isinstance(n, Shortcode))
    assert tabs.inner is not None
    tab_nodes = [n for n in tabs.inner if isinstance(n, Shortcode)]
    assert [(t.name, t.kwargs["label"], t.inner) for t in tab_nodes] == [
        ("tab", "A", ["one"]),
        ("tab", "B", ["two"]),
    ]
    item = timeline.inner[0] if timeline.inner else None
    assert isinstance(item, Shortcode)
    assert item.name == "timelineItem"
    icon = item.inner[0] if item.inner else None
    assert isinstance(icon, Shortcode)
    assert icon.args == ["star"]
    assert icon.inner is None
    assert [s.name for s in walk([accordion])] == ["accordion", "accordionItem"]


def test_same_name_nesting() -> None:
    outer = only("{{< box >}}a{{< box >}}b{{< /box >}}c{{< /box >}}")
    assert outer.inner is not None
    assert outer.inner[0] == "a"
    assert outer.inner[2] == "c"
    inner = outer.inner[1]
    assert isinstance(inner, Shortcode)
    assert inner.inner == ["b"]
    assert outer.raw_inner == "a{{< box >}}b{{< /box >}}c"


def test_unclosed_same_name_is_standalone_and_inner_one_paired() -> None:
    nodes = parse("{{< x >}} {{< x >}}in{{< /x >}}")
    first, second = (n for n in nodes if isinstance(n, Shortcode))
    assert first.inner is None
    assert second.inner == ["in"]


def test_standalone_inside_paired_stays_standalone() -> None:
    sc = only('{{< alert >}}{{< icon "x" >}} text {{< /alert >}}')
    assert sc.inner is not None
    icon = sc.inner[0]
    assert isinstance(icon, Shortcode)
    assert icon.inner is None
    assert sc.inner[1] == " text "


def test_self_closing_never_pairs() -> None:
    err = error("{{< x />}}\n{{< /x >}}")
    assert err.line == 2


# --- escaped shortcodes and template code ------------------------------------------------


def test_escaped_single_tag() -> None:
    assert parse('{{</* figure src="x" */>}}') == [Escaped('{{< figure src="x" >}}', 1)]
    assert parse("{{%/* rtl */%}}") == [Escaped("{{% rtl %}}", 1)]


def test_escaped_keeps_inside_text_verbatim() -> None:
    (esc,) = parse('{{</* sc1 "**/*.pdf" header="H"*/>}}')
    assert isinstance(esc, Escaped)
    assert esc.text == '{{< sc1 "**/*.pdf" header="H">}}'
    assert esc.raw == '{{</* sc1 "**/*.pdf" header="H"*/>}}'


def test_escaped_paired_example() -> None:
    text = '```\n{{</* alert "twitter" */>}}\nDon\'t forget!\n{{</* /alert */>}}\n```\n'
    nodes = parse(text)
    assert nodes == [
        "```\n",
        Escaped('{{< alert "twitter" >}}', 2),
        "\nDon't forget!\n",
        Escaped("{{< /alert >}}", 4),
        "\n```\n",
    ]
    assert source(nodes) == text


def test_escaped_inside_real_shortcode() -> None:
    sc = only("{{< tab >}}{{</* x */>}}{{< /tab >}}")
    assert sc.inner == [Escaped("{{< x >}}", 1)]


@pytest.mark.parametrize(
    "text",
    ['{{ partial "disqus.html" . }}', "{{ .Title }}", "{{", "{{ < x > }}", "{ {< x >}", "}}>}}"],
)
def test_template_code_is_plain_text(text: str) -> None:
    body = f"before\n{text}\nafter"
    assert parse(body) == [body]


def test_triple_brace_is_text_around_shortcode() -> None:
    assert [type(n).__name__ for n in parse("{{{< x >}}}")] == ["str", "Shortcode", "str"]


# --- line numbers --------------------------------------------------------------------------


def test_line_numbers_and_offset() -> None:
    text = "l1\nl2 {{< a >}}\n{{< b `x\ny` >}}\n{{</* c */>}}\n{{< d >}}in\n{{< e >}}{{< /d >}}"
    for offset in (0, 7):
        nodes = parse(text, line_offset=offset)
        shortcodes = {s.name: s.line - offset for s in walk(nodes)}
        assert shortcodes == {"a": 2, "b": 3, "d": 6, "e": 7}
        esc = next(n for n in nodes if isinstance(n, Escaped))
        assert esc.line - offset == 5


def test_error_line_with_offset() -> None:
    err = error("ok\n\n{{< x", line_offset=10)
    assert err.line == 13


# --- errors ----------------------------------------------------------------------------------


def test_error_type_and_message() -> None:
    err = error("a\n{{< /nope >}}")
    assert isinstance(err, ValueError)
    assert err.line == 2
    assert "nope" in err.reason
    assert str(err) == f"line 2: {err.reason}"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("one\n{{< figure src='x'\n\nmore text", 2, "unterminated"),
        ('one\n{{< figure src="x"\n\nmore text', 2, "unterminated"),
        ('{{< figure src="x"\ntext. {{< icon "y" >}}', 1, "unterminated"),
        ("{{< x 'single' >}}", 1, "must be quoted"),
        ("{{< x a='two words' >}}", 1, "mix named and positional"),  # ' is no quote in Hugo
        ("{{<", 1, "unterminated"),
        ("x\n{{% lead", 2, "unterminated"),
        ("{{< x a=b>}}", 1, "unterminated"),  # Hugo: unquoted value runs to whitespace
        ("a\n\n{{< /alert >}}", 3, "no opening"),
        ("{{< alert >}}x{{< /alert >}}\n{{< /alert >}}", 2, "no opening"),
        ("{{< a >}}\n{{< b >}}\n{{< /a >}}\n{{< /b >}}", 3, "does not match"),
        ('\n{{< x title="no end\n" >}}', 2, "unterminated quoted"),
        ("\n{{< x `no end >}}", 2, "unterminated raw"),
        ("{{< x\nk=`no end >}}", 2, "unterminated raw"),
        ('{{< x a="1"\n  "pos" >}}', 2, "mix named and positional"),
        ('{{< x "pos"\n  a="1" >}}', 2, "mix named and positional"),
        ("{{< x pos a=`1` >}}", 1, "mix named and positional"),
        ("\n{{<  >}}", 2, "no name"),
        ("{{% %}}", 1, "no name"),
        ("{{< / >}}", 1, "no name"),
        ('{{< "x" >}}', 1, "expected shortcode name"),
        ("{{< x https://example.com >}}", 1, "must be quoted"),
        ("{{< a >}}{{< /a extra >}}", 1, "takes no parameters"),
        ("{{< a / b >}}", 1, "unexpected '/'"),
        ("{{< sc1.Inline >}}", 1, "period"),
        ("{{< x %}}", 1, "unterminated"),
        ("{{< x 50% >}}", 1, "unrecognized character"),
        ("\n{{</* x >}}", 2, "comment must be closed"),
        ("{{%/* x */>}}", 1, "comment must be closed"),
        (r"{{< x k=\`v\` >}}", 1, "escape"),
    ],
)
def test_syntax_errors(text: str, line: int, words: str) -> None:
    err = error(text)
    assert err.line == line, err
    assert words in err.reason


def test_nesting_depth_cap() -> None:
    ok = "{{< d >}}" * MAX_DEPTH + "x" + "{{< /d >}}" * MAX_DEPTH
    depth, node = 0, parse(ok)[0]
    while isinstance(node, Shortcode) and node.inner:
        depth, node = depth + 1, node.inner[0]
    assert depth == MAX_DEPTH
    assert node == "x"
    deep = "\n".join("{{< d >}}" for _ in range(5000)) + "{{< /d >}}" * 5000
    err = error(deep)
    assert err.line == MAX_DEPTH + 1
    assert "nested" in err.reason


# --- round trip, speed, corpus ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain text only\r\nwith CRLF\r\n",
        "{{< a >}}",
        'x {{% alert "y" %}}\n*md* {{< icon z />}}\n{{% /alert %}} {{</* e */>}} {{ .Title }}',
        "{{< t >}}{{< t >}}{{< t >}}in{{< /t >}}{{< /t >}}{{< /t >}}tail",
    ],
)
def test_round_trip(text: str) -> None:
    assert source(parse(text)) == text


def test_text_nodes_are_never_empty_or_adjacent() -> None:
    nodes = parse("a{{< x >}}{{< y >}}b")
    assert nodes[0] == "a"
    assert nodes[-1] == "b"
    assert len(nodes) == 4


def test_one_megabyte_body_round_trips() -> None:
    chunk = (
        "## A heading\n\nSome *markdown* text with {{ .Title }} and a [link](https://x.org). "
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n\n"
        '{{< alert icon="fire" cardColor="#e63946" >}}\nInner **text** {{< icon "star" >}}\n'
        '{{< /alert >}}\n\n```md\n{{</* figure src="x" */>}}\n```\n\n{{< tabs >}}\n'
        "{{< tab label=`A` >}}\nTab text.\n{{< /tab >}}\n{{< /tabs >}}\n\n"
        '{{< figure src="a.png" alt="An image" caption="A caption" >}}\n'
        'Closing paragraph with more words, and {{< ref "docs/x" >}} too.\n\n'
    )
    body = chunk * (1_000_000 // len(chunk) + 1)
    nodes = parse(body)
    assert source(nodes) == body


@pytest.mark.parametrize(
    "body",
    [
        "{{ " * 300_000,
        "{{< a >}}" * 30_000 + "{{< /a >}}",
        "{{< o >}}" + "{{< s >}}" * 30_000 + "{{< /o >}}",
        ("{{< o >}}" + "{{< s >}}" * 100 + "{{< /o >}}") * 300,
        "{{</* a */>}}" * 30_000,
        "{{</* " * 30_000 + "*/>}}",
        '{{< x "' + "a\\b" * 90_000 + '" >}}',
    ],
    ids=["braces", "standalone", "wide", "repeated", "escaped", "one-comment", "backslashes"],
)
def test_pathological_inputs_parse_and_round_trip(body: str) -> None:
    # Speed is measured in bench/; here each hostile input must still parse losslessly.
    assert source(parse(body)) == body


def _body(path: Path) -> tuple[str, int]:
    """Markdown body of ``path`` without YAML front matter, and its line offset."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[0].strip() == "---":
        for k in range(1, len(lines)):
            if lines[k].strip() == "---":
                return "\n".join(lines[k + 1 :]), k + 1
    return "\n".join(lines), 0


def test_blowfish_corpus_parses() -> None:
    files = sorted(require(CORPUS).rglob("*.md"))
    assert len(files) > 1000
    alerts = escaped = 0
    for path in files:
        body, offset = _body(path)
        try:
            nodes = parse(body, offset)
        except ShortcodeSyntaxError as exc:  # pragma: no cover - failure report
            pytest.fail(f"{path}: {exc}")
        assert source(nodes) == body, path
        found = walk(nodes)
        alerts += sum(1 for s in found if s.name == "alert")
        assert all(s.inner is not None for s in found if s.name == "alert"), path
        todo = list(nodes)
        while todo:
            n = todo.pop()
            escaped += isinstance(n, Escaped)
            if isinstance(n, Shortcode):
                todo.extend(n.inner or [])
    assert alerts >= 200
    assert escaped >= 800


def test_blowfish_timeline_docs_example() -> None:
    body, offset = _body(require(CORPUS / "docs/shortcodes/index.md"))
    items = [s for s in walk(parse(body, offset)) if s.name == "timelineItem"]
    assert len(items) == 4
    assert all(s.inner is not None for s in items)
    assert items[0].kwargs["header"] == "header"
    assert items[0].line == 1149
