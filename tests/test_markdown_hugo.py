"""Real Hugo content renders in the shape Hugo gives it (Goldmark: CommonMark + extensions).

Each case is one of the ways Python-Markdown used to change a page's shape, or a Goldmark
extension Hugo turns on by default, or a `markup.*` setting of the site's config.
"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner

from app.render.commonmark import HUGO_DEFAULTS, markup_options
from app.render.pipeline import RenderOptions, render, render_html
from tests.conftest import write
from tests.markdown_shape import shape


def html_of(text: str, **options: object) -> str:
    return render_html(text, RenderOptions(**options)).html  # type: ignore[arg-type]


def test_a_list_nested_by_two_spaces_stays_nested() -> None:
    text = "- Fruit\n  - Apple\n  - Orange\n- Dairy\n  - Milk\n    - Whole\n"
    assert shape(html_of(text)) == [
        "<ul>", "<li>", "Fruit", "<ul>", "<li>", "Apple", "</li>", "<li>", "Orange", "</li>",
        "</ul>", "</li>", "<li>", "Dairy", "<ul>", "<li>", "Milk", "<ul>", "<li>", "Whole",
        "</li>", "</ul>", "</li>", "</ul>", "</li>", "</ul>"]


def test_a_change_of_list_type_or_delimiter_starts_a_new_list() -> None:
    html = html_of("- a\n- b\n1. one\n2. two\n\n3) three\n4) four\n")
    assert shape(html) == ["<ul>", "<li>", "a", "</li>", "<li>", "b", "</li>", "</ul>",
                           "<ol>", "<li>", "one", "</li>", "<li>", "two", "</li>", "</ol>",
                           "<ol 3>", "<li>", "three", "</li>", "<li>", "four", "</li>", "</ol>"]


def test_a_list_right_after_a_paragraph_line_is_a_list() -> None:
    assert shape(html_of("Shopping:\n- eggs\n- milk\n")) == [
        "<p>", "Shopping:", "</p>", "<ul>", "<li>", "eggs", "</li>", "<li>", "milk", "</li>",
        "</ul>"]


def test_a_fenced_block_inside_a_list_item_stays_in_the_item() -> None:
    html = html_of("1. Install:\n\n   ```sh\n   pip install x\n   ```\n\n2. Run it.\n")
    assert shape(html) == ["<ol>", "<li>", "<p>", "Install:", "</p>", "<pre>", "pip install x",
                           "</pre>", "</li>", "<li>", "<p>", "Run it.", "</p>", "</li>", "</ol>"]


def test_fence_rules_of_commonmark() -> None:
    indented_close = html_of("```\ncode\n   ```\nafter\n")
    assert shape(indented_close) == ["<pre>", "code", "</pre>", "<p>", "after", "</p>"]
    unclosed = html_of("```\nstill code\n\n# not a heading\n")
    assert shape(unclosed) == ["<pre>", "still code # not a heading", "</pre>"]


def test_backslash_at_the_end_of_a_line_is_a_hard_break() -> None:
    html = html_of("first\\\nsecond\n")
    assert "<br>" in html and "\\" not in html


def test_reference_label_with_a_code_span() -> None:
    html = html_of("See [`resources`][].\n\n[`resources`]: https://gohugo.io/resources/\n")
    assert '<a href="https://gohugo.io/resources/"' in html
    assert "<code>resources</code></a>" in html and "[" not in html


def test_a_table_with_compact_delimiter_row_and_alignment_classes() -> None:
    html = html_of("a | b\n:--|--:\n1 | 2\n")
    assert '<th class="align-left">a</th>' in html and '<td class="align-right">2</td>' in html
    assert "style=" not in html  # our CSP allows no inline styles


def test_html_blocks_end_at_a_blank_line_and_markdown_resumes() -> None:
    html = html_of("<div class=\"note\">\n\n*Markdown* inside\n\n</div>\n")
    assert '<div class="note">' in html and "<p><em>Markdown</em> inside</p>" in html


def test_goldmark_typographer_quotes_dashes_and_ellipses() -> None:
    html = html_of("\"Don't\" -- it's the '90s... <<yes>> --- 'single'\n")
    assert html == ("<p>&ldquo;Don&rsquo;t&rdquo; &ndash; it&rsquo;s the &rsquo;90s&hellip; "
                    "&laquo;yes&raquo; &mdash; &lsquo;single&rsquo;</p>")
    code = html_of("`\"quoted\" -- code`\n")
    assert "&ldquo;" not in code and '<code>"quoted" -- code</code>' in code


def test_goldmark_extensions_hugo_turns_on() -> None:
    html = html_of("~~gone~~ ~one~ www.example.com\n\n- [x] done\n- [ ] open\n\n"
                   "Term\n: Meaning\n\nNote[^a].\n\n[^a]: The note.\n")
    assert "<del>gone</del>" in html and "<del>one</del>" in html
    assert '<a href="http://www.example.com"' in html
    assert '<input checked disabled type="checkbox"> done' in html
    assert "<dl>\n<dt>Term</dt>\n<dd>Meaning</dd>\n</dl>" in html
    assert ('<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a>'
            "</sup>") in html
    assert '<div class="footnotes" role="doc-endnotes">' in html
    assert '<li id="fn:1">' in html and 'href="#fnref:1" class="footnote-backref"' in html


def test_heading_and_block_attributes_drop_event_handlers_and_styles() -> None:
    html = html_of('## Title {#custom .wide onclick="x()"}\n\n'
                   'Text.\n{.lead style="color:red"}\n')
    assert '<h2 id="custom" class="wide">Title' in html
    assert 'class="heading-anchor" href="#custom"' in html  # the anchor link, as without a class
    classed = html_of("## Classed {.big}\n")
    assert '<h2 class="big" id="classed">' in classed and 'href="#classed"' in classed
    assert '<p class="lead">Text.</p>' in html
    assert "onclick" not in html and "style" not in html


def test_code_fence_options_as_hugo_writes_them() -> None:
    html = html_of('```go {linenos=table hl_lines=[2,"4-5"] linenostart=10}\n'
                   "a := 1\nb := 2\nc := 3\nd := 4\ne := 5\n```\n")
    assert 'class="language-go"' in html and "highlighttable" in html
    assert html.count('<span class="hll">') == 3
    assert ">10<" in html.replace("\n", "") or ">10\n" in html  # numbering starts at 10


def test_unhandled_construct_renders_as_text_with_a_warning() -> None:
    rendered = render_html("ok\n\n" + "> " * 150 + "deep\n\nafter\n")
    assert "<p>ok</p>" in rendered.html and "<p>after</p>" in rendered.html
    assert any("nest more than 100 deep" in w for w in rendered.warnings)


def test_raw_html_follows_the_unsafe_setting() -> None:
    hugo = render("<div>raw</div>\n\ntext <b>b</b>\n", RenderOptions(markup=HUGO_DEFAULTS))
    assert hugo.html.count("<!-- raw HTML omitted -->") == 3 and "<b>" not in hugo.html
    assert hugo.warnings[0].startswith("line 1: raw HTML omitted")
    blowfish = render_html("<div>raw</div>\n")
    assert "<div>raw</div>" in blowfish.html and blowfish.warnings == ()


def test_markup_options_read_from_the_config_table() -> None:
    options = markup_options({"goldmark": {"renderer": {"unsafe": True, "hardwraps": True},
                                           "extensions": {"typographer": {"disable": True},
                                                          "strikethrough": False}},
                              "highlight": {"codefences": False}})
    assert options.unsafe and options.hard_wraps and not options.typographer
    assert not options.strikethrough and not options.code.code_fences
    assert markup_options({}) == HUGO_DEFAULTS
    assert markup_options(None).unsafe and markup_options(None).block_attributes


def test_site_config_markup_settings_reach_the_served_page(
        tmp_path: Path, runner: FlaskCliRunner, client: FlaskClient) -> None:
    site = tmp_path / "site"
    write(site, "hugo.toml", (
        "[markup.goldmark.renderer]\nhardWraps = true\n"
        "[markup.goldmark.extensions.typographer]\ndisable = true\n"
        "[markup.highlight]\ncodeFences = false\n"))
    write(site, "content/posts/a.md", ('---\ntitle: A\n---\nline one\nline "two"\n\n'
                                       "<span>raw</span>\n\n```py\nx = 1\n```\n"))
    result = runner.invoke(args=["content", "import", str(site)])
    assert result.exit_code == 0, result.output
    assert "raw HTML omitted" in result.output and "posts/a.md:7" in result.output
    page = client.get("/posts/a/").get_data(as_text=True)
    assert "line one<br>\nline &quot;two&quot;" in page or 'line one<br>\nline "two"' in page
    assert "<!-- raw HTML omitted -->" in page and "<span>raw</span>" not in page
    assert '<pre tabindex="0"><code class="language-py">x = 1' in page


def test_seed_without_config_keeps_its_raw_html(client: FlaskClient, runner: FlaskCliRunner,
                                                seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    page = client.get("/posts/the-rise-of-ai-generated-images/").get_data(as_text=True)
    assert "15$.<br>" in page


def test_an_alert_takes_its_icon_from_the_attribute_line_under_it() -> None:
    html = html_of('> [!TIP]+ Custom title\n> Folded open.\n{icon="bug"}\n\n> Plain.\n{icon="x"}\n')
    assert '<details class="admonition" data-type="tip" open>' in html
    assert html.count("<svg") == 1 and 'icon="' not in html and "{icon" not in html
    assert "<blockquote>\n<p>Plain.</p>\n</blockquote>" in html
