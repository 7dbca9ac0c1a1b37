"""Goldmark's passthrough extension (app/render/passthrough.py): TeX reaches the page as written.

On with Blowfish's delimiters for content without a config (the theme's markup.toml), off with
Hugo's defaults, and as a site's `markup.goldmark.extensions.passthrough` says.
"""

from __future__ import annotations

import pytest

from app.render.commonmark import HUGO_DEFAULTS, MarkupOptions, markup_options
from app.render.pipeline import RenderOptions, render_html
from tests.html import soup

MATHS = r"""Inline \(\varphi = \dfrac{1+\sqrt5}{2}= a_1 * b_2 * c\) here.

$$
 \varphi = 1+\frac{1} {1+\frac{1} {x_1 * y_1 * z}}
$$

\[x < y \\ \{z\}\]

Use `\(` in code, and a display $$a*b*c$$ in a paragraph.

```tex
\(kept*as*code\)
```
"""


def html(body: str, markup: MarkupOptions | None = None) -> str:
    options = RenderOptions() if markup is None else RenderOptions(markup=markup)
    return render_html(body, options).html


def test_blowfish_defaults_keep_the_tex_as_written() -> None:
    out = html(MATHS)
    text = soup(out).get_text()
    assert r"\(\varphi = \dfrac{1+\sqrt5}{2}= a_1 * b_2 * c\)" in text
    assert "$$\n\\varphi = 1+\\frac{1} {1+\\frac{1} {x_1 * y_1 * z}}\n$$" in text
    assert r"\[x < y \\ \{z\}\]" in text
    assert "$$a*b*c$$" in text
    assert "<em>" not in out and "x &lt; y" in out  # no emphasis; escaped, never a tag
    assert soup(out).select("code")[0].get_text() == "\\("
    assert "\\(kept*as*code\\)" in soup(out).select_one("pre code").get_text()
    # A block passthrough stands between blocks, as Hugo renders it.
    assert "<p>$$" not in out


def test_hugo_defaults_read_it_as_markdown() -> None:
    out = html(MATHS, HUGO_DEFAULTS)
    assert "\\(" not in soup(out).get_text().split("Use")[0]
    assert "<em>" in out


@pytest.mark.parametrize(("markup", "kept"), [
    ({"goldmark": {"extensions": {"passthrough": {"enable": True, "delimiters": {
        "block": [["$$", "$$"]], "inline": [["$", "$"]]}}}}}, ["$a*b*c$", "$$x*y$$"]),
    ({"goldmark": {"extensions": {"passthrough": {"enable": False, "delimiters": {
        "inline": [["$", "$"]]}}}}}, []),
    ({}, []),
])
def test_a_sites_config_says_which_delimiters(markup: dict[str, object],
                                              kept: list[str]) -> None:
    options = markup_options(markup)
    out = html("Inline $a*b*c$ and\n\n$$x*y$$\n", options)
    text = soup(out).get_text()
    for item in kept:
        assert item in text
    assert ("<em>" in out) == (not kept)


def test_bad_delimiters_are_ignored() -> None:
    options = markup_options({"goldmark": {"extensions": {"passthrough": {
        "enable": True, "delimiters": {"block": "$$", "inline": [["\\(", ""], [1, 2], ["a"]]}}}}})
    assert options.passthrough_block == () and options.passthrough_inline == ()


def test_unclosed_delimiters_stay_markdown() -> None:
    out = html("\\(a*b*\n\n$$\nc*d*\n")
    assert "\\(" not in out and out.count("<em>") == 2
