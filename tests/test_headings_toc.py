"""Heading ids and the TOC against the facts read from Hugo's sources and builds."""

from __future__ import annotations

import pytest

from app.render.pipeline import render
from app.render.toc import toc_html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("## Introduction", "introduction"),
        ("### [DALL-E 2](https://openai.com/dall-e-2)", "dall-e-2"),
        (
            "#### Example using this prompt (SDXL v1.0): Cute dear eating ice cream",
            "example-using-this-prompt-sdxl-v10-cute-dear-eating-ice-cream",
        ),
        ("## A -- B", "a--b"),
        ("## Tom & Jerry's \"quotes\"", "tom--jerrys-quotes"),
        ("## Code `x.y()` here", "code-xy-here"),
        ("## Ünïcödé Straße 日本語", "ünïcödé-straße-日本語"),
        ("## 100% Sure! (Yes?) & <b>bold</b>", "100-sure-yes--bold"),
        ("## Rocket :rocket:", "rocket-rocket"),
        ("## [foo *bar* baz](https://x.org)", "foo"),
        ("## !!!", "heading"),
        ("## Custom {#my-id}", "my-id"),
        ("## snake_case stays", "snake_case-stays"),
    ],
)
def test_heading_id_is_hugos(markdown: str, expected: str) -> None:
    rendered = render(markdown + "\n")
    assert [h.id for h in rendered.headings] == [expected]
    assert f'id="{expected}"' in rendered.html


def test_duplicate_ids_get_numbers_in_document_order() -> None:
    body = "\n\n".join(["## Hello World"] * 3 + ["## hello-world-1", "## !!!", "## !!!"])
    ids = [h.id for h in render(body).headings]
    assert ids == ["hello-world", "hello-world-1", "hello-world-2", "hello-world-1-1",
                   "heading", "heading-1"]


def test_explicit_ids_take_part_in_deduplication() -> None:
    ids = [h.id for h in render("## Intro {#intro}\n\n## Intro\n").headings]
    assert ids == ["intro", "intro-1"]


def test_toc_titles_drop_links_but_keep_inline_code() -> None:
    rendered = render("## [Linked](https://x.org) and `code`\n")
    assert '<a href="#linked-and-code">Linked and <code>code</code></a>' in rendered.toc


def test_toc_levels_two_to_four_by_default() -> None:
    body = "# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n"
    toc = render(body).toc
    assert 'href="#two"' in toc and 'href="#four"' in toc
    assert 'href="#one"' not in toc and 'href="#five"' not in toc


def test_toc_placeholder_for_skipped_level_as_hugo() -> None:
    # h4 directly under h2 with Hugo's default levels 2-3: an empty <li> stands in for h3.
    html = toc_html([(2, "a", "A"), (4, "b", "B")], 2, 3)
    assert html == (
        '<nav id="TableOfContents">\n  <ul>\n    <li><a href="#a">A</a>\n'
        "      <ul>\n        <li></li>\n      </ul>\n    </li>\n  </ul>\n</nav>"
    )


def test_h1_starts_a_new_row() -> None:
    html = toc_html([(1, "x", "X"), (3, "y", "Y")], 2, 3)
    assert html == (
        '<nav id="TableOfContents">\n  <ul>\n    <li>\n      <ul>\n'
        '        <li><a href="#y">Y</a></li>\n      </ul>\n    </li>\n  </ul>\n</nav>'
    )


def test_empty_toc_has_no_list() -> None:
    rendered = render("Just a paragraph.\n")
    assert rendered.toc == '<nav id="TableOfContents"></nav>'
    assert not rendered.toc_has_entries


def test_standard_shortcode_headings_are_not_in_toc_but_markdown_ones_are() -> None:
    from app.render.shortcodes.registry import _REGISTRY, shortcode

    @shortcode("testheading")
    def _heading(sc, ctx):
        return "## From shortcode"

    try:
        standard = render("{{< testheading >}}\n")
        markdown = render("{{% testheading %}}\n")
    finally:
        _REGISTRY.pop("testheading")
    assert standard.headings == ()
    assert [h.id for h in markdown.headings] == ["from-shortcode"]
