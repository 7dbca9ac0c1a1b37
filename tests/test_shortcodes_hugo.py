"""Hugo's built-in shortcodes through the page pipeline (app/render/shortcodes/hugo.py)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from app.render.pipeline import Rendered, RenderOptions, render
from app.render.shortcodes.registry import PageFile, known_names
from tests.html import soup

HOSTILE = '"><script>alert(1)</script>'
BUNDLE = (
    PageFile("Cover.PNG", "/posts/x/Cover.PNG", "image/png", 800, 600),
    PageFile("gallery/01.jpg", "/posts/x/gallery/01.jpg", "image/jpeg", 640, 480),
)
PARAMS = {
    "title": "A page",
    "author": {"name": "Ada <Lovelace>", "links": ["a", "b"]},
    "draft": False,
    "hostile": HOSTILE,
}


def page(body: str, **params: object) -> Rendered:
    """Render ``body`` as a page of the bundle above."""
    merged = {**PARAMS, **params}
    return render(body, RenderOptions(page_url="/posts/x/", files=BUNDLE, params=merged))


def assert_private(html: str) -> BeautifulSoup:
    """Nothing in ``html`` runs a script or loads anything from another host."""
    doc = soup(html)
    assert doc.find(["iframe", "script", "embed", "object", "link"]) is None, html
    for tag in doc.find_all(True):
        for name in ("src", "poster", "srcset", "data"):
            value = (tag.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag.name, value)
    return doc


def card(html: str) -> tuple[str, str]:
    """The link and the action text of the single link card in ``html``."""
    doc = assert_private(html)
    cards = doc.select(".sc-card a.sc-card-link")
    assert len(cards) == 1, html
    link = cards[0]
    assert link["rel"] == ["noopener", "noreferrer"] and link["target"] == "_blank"
    return link["href"], link.select_one(".sc-card-action").get_text(" ", strip=True)


def test_all_hugo_names_are_registered() -> None:
    names = {"figure", "highlight", "details", "param", "qr", "youtube", "vimeo",
             "vimeo_simple", "x", "twitter", "instagram", "gist"}
    assert names <= known_names()


# youtube / vimeo / x / instagram / gist: links, never embeds


def test_youtube_positional_id_is_a_link_card() -> None:
    out = page("{{< youtube ZJthWmvUzzc >}}")
    href, action = card(out.html)
    assert href == "https://www.youtube.com/watch?v=ZJthWmvUzzc"
    assert action.startswith("Watch on YouTube")
    assert out.shortcodes == {"youtube": 1} and not out.warnings


def test_youtube_named_args_start_and_hostile_title() -> None:
    out = page(f"{{{{< youtube id=\"TmWIrBPE6Bc\" start=30 title=`{HOSTILE}` >}}}}")
    href, _ = card(out.html)
    assert href == "https://www.youtube.com/watch?v=TmWIrBPE6Bc&t=30s"
    assert soup(out.html).select_one(".sc-card-title").get_text() == HOSTILE
    assert "<script>" not in out.html


def test_youtube_hostile_id_renders_nothing_and_warns() -> None:
    out = page(f"{{{{< youtube `{HOSTILE}` >}}}}")
    assert "script" not in out.html and "sc-card" not in out.html
    assert any("youtube: needs a video id" in w for w in out.warnings)


@pytest.mark.parametrize("body", ["{{< vimeo 48912912 >}}", "{{< vimeo_simple 48912912 >}}",
                                  '{{< vimeo id="48912912" title="Clip" >}}'])
def test_vimeo_is_a_link_card(body: str) -> None:
    href, action = card(page(body).html)
    assert href == "https://vimeo.com/48912912" and action.startswith("Watch on Vimeo")


@pytest.mark.parametrize(("body", "expected"), [
    ('{{< x user="DesignReviewed" id="1085870671291310081" >}}',
     "https://x.com/DesignReviewed/status/1085870671291310081"),
    ('{{< twitter user="golang" id="1234" >}}', "https://x.com/golang/status/1234"),
    ("{{< tweet 877500564405444608 >}}", "https://x.com/i/status/877500564405444608"),
])
def test_x_and_twitter_are_link_cards(body: str, expected: str) -> None:
    href, action = card(page(body).html)
    assert href == expected and action.startswith("View the post on X")


def test_x_with_hostile_user_keeps_the_link_safe() -> None:
    out = page(f'{{{{< x user=`{HOSTILE}` id="42" >}}}}')
    href, _ = card(out.html)
    assert href == "https://x.com/i/status/42"
    assert any("not an X user name" in w for w in out.warnings)
    bad = page('{{< x user="a" id="not-a-number" >}}')
    assert "sc-card" not in bad.html and bad.warnings


def test_instagram_is_a_link_card() -> None:
    href, action = card(page("{{< instagram CxOWiQNP2MO >}}").html)
    assert href == "https://www.instagram.com/p/CxOWiQNP2MO/"
    assert action.startswith("View the post on Instagram")


def test_gist_is_a_link_card_with_optional_file() -> None:
    href, action = card(page("{{< gist nunocoracao 2779792841f7ffa7c7e62dc4d38626d4 >}}").html)
    assert href == "https://gist.github.com/nunocoracao/2779792841f7ffa7c7e62dc4d38626d4"
    assert action.startswith("View the gist on GitHub")
    out = page('{{< gist "rauchg" "2052694" "README.md" >}}')
    href, _ = card(out.html)
    assert href == "https://gist.github.com/rauchg/2052694#file-readme-md"
    assert "README.md" in soup(out.html).select_one(".sc-card-title").get_text()


def test_gist_with_hostile_args_renders_nothing() -> None:
    out = page(f'{{{{< gist `{HOSTILE}` "abc" >}}}}')
    assert "<script" not in out.html and "sc-card" not in out.html
    assert any("gist: needs a user" in w for w in out.warnings)


# param


def test_param_reads_front_matter_with_dotted_keys() -> None:
    out = page('Title: {{< param "title" >}}; by {{< param "Author.Name" >}}; '
               '{{< param author.links >}}; draft {{< param draft >}}')
    text = soup(out.html).get_text()
    assert "Title: A page; by Ada <Lovelace>; a b; draft false" in text
    assert "<Lovelace>" not in out.html


def test_param_escapes_hostile_values_and_warns_when_missing() -> None:
    out = page('{{< param "hostile" >}} and {{< param "nope.deeper" >}}')
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert any("param 'nope.deeper' not found" in w for w in out.warnings)


# details


def test_details_summary_open_and_markdown_inner() -> None:
    body = ('{{< details summary="See **more**" open=true class="note" name="grp" title="T" >}}\n'
            "Hidden *text*.\n\n- one\n- two\n{{< /details >}}")
    doc = assert_private(page(body).html)
    details = doc.find("details")
    assert details.has_attr("open") and details["class"] == ["sc-details", "note"]
    assert details["name"] == "grp" and details["title"] == "T"
    assert details.summary.strong.get_text() == "more"
    assert details.find("em").get_text() == "text" and len(details.find_all("li")) == 2


def test_details_defaults_and_hostile_summary() -> None:
    doc = soup(page("{{< details >}}x{{< /details >}}").html)
    assert doc.summary.get_text() == "Details" and not doc.details.has_attr("open")
    out = page(f"{{{{< details summary=`{HOSTILE}` class=`{HOSTILE}` >}}}}x{{{{< /details >}}}}")
    assert "<script>" not in out.html
    assert soup(out.html).summary.get_text().endswith("alert(1)</script>")


def test_details_in_markdown_notation_renders_markdown() -> None:
    out = page("Before\n{{% details summary=\"S\" %}}\n**bold**\n{{% /details %}}\nAfter")
    doc = soup(out.html)
    assert doc.details.strong.get_text() == "bold"
    assert [p.get_text() for p in doc.find_all("p", recursive=False)] == ["Before", "After"]


# highlight


def test_highlight_uses_pygments_with_the_markdown_css_class() -> None:
    body = ('{{< highlight go "linenos=table,hl_lines=2 3-4,linenostart=10" >}}\n'
            'package main\nimport "fmt"\nfunc main() {\n  fmt.Println("<b>")\n}\n'
            "{{< /highlight >}}")
    out = page(body)
    doc = assert_private(out.html)
    block = doc.select_one("div.highlight")
    assert block is not None and block.find("table", class_="highlighttable")
    assert len(block.select(".hll")) == 3
    assert "10" in block.select_one(".linenos").get_text()
    assert "<b>" not in out.html and "&lt;b&gt;" in out.html
    assert block.find("code", class_="language-go")


def test_highlight_unknown_language_and_inline() -> None:
    out = page("{{< highlight nosuchlang >}}x = 1{{< /highlight >}}")
    assert soup(out.html).select_one("div.highlight pre code").get_text().strip() == "x = 1"
    assert any("unknown language 'nosuchlang'" in w for w in out.warnings)
    inline = page('Say {{< highlight python "hl_inline=true" >}}print(1){{< /highlight >}} now')
    code = soup(inline.html).select_one("p > code.highlight")
    assert code is not None and code.get_text() == "print(1)"


def test_highlight_keeps_escaped_shortcodes_literal() -> None:
    out = page("{{< highlight md >}}\n{{</* figure src=\"a.png\" */>}}\n{{< /highlight >}}")
    assert '{{< figure src="a.png" >}}' in soup(out.html).get_text()


# qr


def test_qr_is_an_inline_svg_drawn_locally() -> None:
    out = page('{{< qr text="https://gohugo.io" class="c" id="q1" title="Scan me" >}}')
    doc = assert_private(out.html)
    svg = doc.find("svg", class_="sc-qr")
    assert svg is not None and svg["role"] == "img" and svg["id"] == "q1"
    assert svg["aria-label"] == "QR code: https://gohugo.io"
    assert svg.find("title").get_text() == "Scan me"
    assert int(svg["width"]) == int(svg["height"]) == 4 * (25 + 8)  # version 2 at scale 4
    assert svg.find("path") is not None and "c" in svg["class"]


def test_qr_inner_text_hostile_alt_and_bad_options() -> None:
    out = page(f"{{{{< qr level=extreme scale=1 alt=`{HOSTILE}` >}}}}\nhello\n{{{{< /qr >}}}}")
    svg = soup(out.html).find("svg")
    assert svg["aria-label"] == HOSTILE and "<script>" not in out.html
    assert any("level 'extreme'" in w for w in out.warnings)
    assert any("scale '1'" in w for w in out.warnings)
    empty = page("{{< qr >}}")
    assert "<svg" not in empty.html and empty.warnings


# figure with default=true is Hugo's own figure (Blowfish's is tested with Blowfish)


def test_hugo_default_figure() -> None:
    body = ('{{< figure default=true src="cover.png" link="/big/" target="_self" rel="me" '
            'title="The title" caption="A *caption*" attr="Someone" attrlink="https://e.org" '
            'class="wide" width="300" >}}')
    doc = assert_private(page(body).html)
    fig = doc.find("figure")
    assert fig["class"] == ["sc-figure", "wide"]
    link = fig.find("a")
    assert link["href"] == "/big/" and link["target"] == "_self" and link["rel"] == ["me"]
    img = link.find("img")
    assert img["src"] == "/posts/x/Cover.PNG" and img["width"] == "300"
    assert "height" not in img.attrs
    assert img["alt"] == "A caption" and img["loading"] == "lazy"
    assert fig.figcaption.h4.get_text() == "The title"
    assert fig.figcaption.em.get_text() == "caption"
    assert fig.figcaption.find("a", href="https://e.org").get_text() == "Someone"


def test_no_hugo_shortcode_output_loads_anything_remote() -> None:
    bodies = [
        "{{< youtube abc >}}", "{{< vimeo 1 >}}", '{{< x user="u" id="1" >}}',
        "{{< instagram abc >}}", "{{< gist u 123 >}}", '{{< qr text="x" >}}',
        '{{< figure default=true src="https://example.com/a.png" >}}',
    ]
    html = page("\n\n".join(bodies)).html
    assert_private(html)
    assert not re.search(r"<img[^>]+src=\"https?:", html)


def test_every_code_block_can_take_keyboard_focus() -> None:
    body = ("```python\nx = 1\n```\n\n    indented code\n\n"
            "{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n\nInline `code` stays.")
    doc = soup(page(body).html)
    blocks = doc.find_all("pre")
    assert len(blocks) == 3
    assert all(block.get("tabindex") == "0" for block in blocks)
    assert doc.find("code", string="code") is not None and not doc.select("code[tabindex]")
