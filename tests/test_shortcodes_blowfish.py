"""Blowfish's shortcodes through the page pipeline (app/render/shortcodes/blowfish*.py)."""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.content.frontmatter import split_front_matter
from app.render.pipeline import Rendered, RenderOptions, render
from app.render.shortcodes.registry import PageFile, known_names
from tests.html import soup
from tests.shared import CORPUS_CONTENT as CONTENT
from tests.shared import require

HOSTILE = '"><script>alert(1)</script>'
CHART_CONFIG = re.compile(r'<script type="application/json" class="sc-chart-config">[^<]*</script>')
PAGE = "/posts/x/"
BUNDLE = (
    PageFile("Abstract.JPG", PAGE + "Abstract.JPG", "image/jpeg", 1200, 800),
    PageFile("gallery/01.jpg", PAGE + "gallery/01.jpg", "image/jpeg", 640, 480),
    PageFile("gallery/02.jpg", PAGE + "gallery/02.jpg", "image/jpeg", 640, 480),
    PageFile("render-settings.jpg", PAGE + "render-settings.jpg", "image/jpeg", 1600, 900),
    PageFile("clip.mp4", PAGE + "clip.mp4", "video/mp4"),
    PageFile("clip.jpg", PAGE + "clip.jpg", "image/jpeg", 1280, 720),
)


def page(body: str, url: str = PAGE) -> Rendered:
    """Render ``body`` as a page of the bundle above."""
    return render(body, RenderOptions(page_url=url, files=BUNDLE, params={"title": "T"}))


def assert_private(html: str) -> BeautifulSoup:
    """Nothing in ``html`` runs a script or loads anything from another host."""
    doc = soup(html)
    assert doc.find(["iframe", "script", "embed", "object", "link"]) is None, html
    for tag in doc.find_all(True):
        for name in ("src", "poster", "srcset", "data"):
            value = (tag.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag.name, value)
    return doc


def card(html: str) -> tuple[str, str, str]:
    """Link, title and action text of the single link card in ``html``."""
    doc = assert_private(html)
    links = doc.select(".sc-card a.sc-card-link")
    assert len(links) == 1, html
    link = links[0]
    assert link["target"] == "_blank" and link["rel"] == ["noopener", "noreferrer"]
    title = link.select_one(".sc-card-title").get_text()
    return link["href"], title, link.select_one(".sc-card-action").get_text(" ", strip=True)


BLOWFISH = {
    "alert", "badge", "button", "carousel", "figure", "gallery", "icon", "lead", "mermaid",
    "tabs", "tab", "timeline", "timelineitem", "accordion", "accordionitem", "keyword",
    "keywordlist", "article", "list", "video", "youtubelite", "katex", "chart", "github",
    "gitlab", "gitea", "codeberg", "forgejo", "huggingface", "ansible", "codeimporter",
    "mdimporter", "typeit", "swatches", "email", "screenshot", "ltr", "rtl",
}


def test_all_blowfish_names_are_registered() -> None:
    assert known_names() >= BLOWFISH


# alert, badge, lead, button, icon, keyword


def test_alert_default_icon_and_markdown_inner() -> None:
    out = page("{{< alert >}}\n**Warning!** This action is destructive!\n{{< /alert >}}")
    doc = assert_private(out.html)
    alert = doc.select_one("div.sc-alert")
    assert alert["role"] == "note" and "style" not in alert.attrs
    assert alert.select_one(".sc-icon-triangle-exclamation svg") is not None
    assert alert.select_one(".sc-alert-body strong").get_text() == "Warning!"


def test_alert_positional_icon_and_named_colours() -> None:
    doc = soup(page('{{< alert "twitter" >}}Follow{{< /alert >}}').html)
    assert doc.select_one(".sc-alert .sc-icon-twitter svg") is not None
    body = ('{{< alert icon="fire" cardColor="#e63946" iconColor="#1d3557" textColor="white" >}}'
            "Error{{< /alert >}}")
    alert = soup(page(body).html).select_one(".sc-alert")
    assert alert["style"] == "background-color: #e63946; color: white"
    assert alert.select_one(".sc-alert-icon")["style"] == "color: #1d3557"


def test_alert_hostile_colour_and_icon_are_escaped() -> None:
    out = page(f"{{{{< alert icon=`{HOSTILE}` cardColor=`red;background:url(x)` >}}}}"
               "x{{< /alert >}}")
    assert "<script>" not in out.html and "url(x)" not in out.html
    assert any("cardColor" in w for w in out.warnings)
    assert soup(out.html).select_one(".sc-icon-name").get_text() == HOSTILE


def test_alert_in_markdown_notation() -> None:
    out = page("{{% alert %}}\n- a\n- b\n{{% /alert %}}")
    assert len(soup(out.html).select(".sc-alert-body li")) == 2


def test_badge_lead_and_keyword() -> None:
    out = page("{{< badge >}}\nNew article!\n{{< /badge >}}\n\n"
               "{{< lead >}}\nWhen life gives you *lemons*.\n{{< /lead >}}\n\n"
               "{{< keywordList >}}\n{{< keyword icon=\"github\" >}} Lorem {{< /keyword >}}\n"
               "{{< keyword >}} **Important** skill {{< /keyword >}}\n{{< /keywordList >}}")
    doc = assert_private(out.html)
    assert doc.select_one("span.sc-badge").get_text() == "New article!"
    assert doc.select_one("div.sc-lead em").get_text() == "lemons"
    chips = doc.select(".sc-keyword-list > .sc-keyword")
    assert len(chips) == 2 and chips[0].select_one(".sc-icon-github svg") is not None
    assert chips[1].strong.get_text() == "Important"


def test_button_href_target_rel_and_page_ref() -> None:
    doc = soup(page('{{< button href="https://e.org/x" target="_blank" >}}Go{{< /button >}}').html)
    link = doc.select_one("a.sc-button")
    assert link["href"] == "https://e.org/x" and link["rel"] == ["noopener", "noreferrer"]
    assert link.get_text() == "Go" and link["role"] == "button"
    ref = soup(page('{{< button pageRef="docs/getting-started" >}}Start{{< /button >}}').html)
    assert ref.select_one("a.sc-button")["href"] == "/docs/getting-started/"


def test_button_drops_script_urls_and_escapes_attributes() -> None:
    out = page(f'{{{{< button href="javascript:alert(1)" rel=`{HOSTILE}` >}}}}x{{{{< /button >}}}}')
    link = soup(out.html).select_one("a.sc-button")
    assert "href" not in link.attrs and "<script>" not in out.html
    assert any("javascript" in w for w in out.warnings)


def test_icon_known_unknown_and_hostile() -> None:
    doc = soup(page('Icon {{< icon "github" >}} and {{< icon "no-such-icon" >}}').html)
    icons = doc.select("span.sc-icon")
    assert icons[0].svg is not None and icons[0]["aria-hidden"] == "true"
    assert icons[1].svg is None and icons[1].get_text() == "no-such-icon"
    out = page(f"{{{{< icon `{HOSTILE}` >}}}}")
    assert "<script>" not in out.html


# figure, gallery, screenshot, video


def test_figure_resolves_the_bundle_case_insensitively() -> None:
    body = ('{{< figure src="abstract.jpg" alt="Abstract" class="thumb" figureClass="grid-w33" '
            'caption="Photo by [Jr](https://unsplash.com/@jr)" >}}')
    doc = assert_private(page(body).html)
    fig = doc.find("figure")
    assert fig["class"] == ["sc-figure", "grid-w33"]
    img = fig.img
    assert img["src"] == PAGE + "Abstract.JPG" and img["class"] == ["thumb"]
    assert (img["width"], img["height"], img["loading"]) == ("1200", "800", "lazy")
    assert fig.figcaption.a["href"] == "https://unsplash.com/@jr"


def test_figure_href_nozoom_and_site_path() -> None:
    body = '{{< figure src="/img/home.png" href="/about/" nozoom=true alt="Home" >}}'
    out = page(body)
    fig = soup(out.html).find("figure")
    assert fig.a["href"] == "/about/" and fig.a["target"] == "_blank"
    assert fig.img["src"] == "/img/home.png" and "nozoom" in fig.img["class"]
    assert not out.warnings  # a site path is used as given, quietly


def test_figure_remote_image_becomes_a_link_and_hostile_args_are_escaped() -> None:
    body = (f"{{{{< figure src=\"https://cdn.example.com/a.jpg\" alt=`{HOSTILE}` "
            f"caption=`{HOSTILE}` >}}}}")
    out = page(body)
    doc = assert_private(out.html)
    assert doc.find("img") is None
    link = doc.select_one("a.sc-remote-image")
    assert link["href"] == "https://cdn.example.com/a.jpg" and "cdn.example.com" in link.get_text()
    assert "<script>" not in out.html
    assert doc.figcaption.get_text().endswith("><script>alert(1)</script>")  # shown as text


def test_figure_offers_resized_variants() -> None:
    variant = PageFile("big.jpg", PAGE + "big.jpg", "image/jpeg", 2400, 1600,
                       srcset=PAGE + "big.800.jpg 800w, " + PAGE + "big.jpg 2400w")
    out = render('{{< figure src="big.jpg" alt="Big" >}}',
                 RenderOptions(page_url=PAGE, files=(variant,)))
    img = soup(out.html).img
    assert img["srcset"].startswith(PAGE + "big.800.jpg 800w") and img["sizes"]


def test_gallery_images_and_nested_figures() -> None:
    body = ("{{< gallery >}}\n"
            '  <img src="gallery/01.jpg" class="grid-w50 md:grid-w33" />\n'
            '  <img src="https://example.com/remote.jpg" alt="Far" class="grid-w50" />\n'
            '  {{< figure src="gallery/02.jpg" caption="Second" figureClass="grid-w33" >}}\n'
            "{{< /gallery >}}")
    out = page(body)
    doc = assert_private(out.html)
    gallery = doc.select_one("div.sc-gallery")
    img = gallery.find("img", recursive=False)
    assert img["src"] == PAGE + "gallery/01.jpg" and img["loading"] == "lazy"
    assert img["width"] == "640" and img["class"] == ["grid-w50", "md:grid-w33"]
    assert gallery.select_one("a.sc-remote-image")["href"] == "https://example.com/remote.jpg"
    fig = gallery.select_one("figure.sc-figure.grid-w33")
    assert fig.img["src"] == PAGE + "gallery/02.jpg" and fig.figcaption.get_text() == "Second"


def test_screenshot_matches_the_bundle_by_glob_and_halves_the_size() -> None:
    out = page('{{< screenshot src="render-settings" alt="Render settings" caption="*Cap*" >}}')
    fig = assert_private(out.html).select_one("figure.sc-screenshot")
    assert fig.img["src"] == PAGE + "render-settings.jpg"
    assert (fig.img["width"], fig.img["height"]) == ("800", "450")  # half of 1600 x 900
    assert "style" not in fig.img.attrs
    assert fig.figcaption.em.get_text() == "Cap"


def test_video_local_with_same_name_poster() -> None:
    body = ('{{< video src="clip.mp4" caption="**Demo**" loop=true autoplay=true start=2 end=5 '
            'ratio="4/3" fit="cover" preload="none" >}}')
    doc = assert_private(page(body).html)
    video = doc.select_one("figure.sc-video video")
    assert video["src"] == PAGE + "clip.mp4#t=2,5" and video["poster"] == PAGE + "clip.jpg"
    for name in ("controls", "loop", "autoplay", "muted", "playsinline"):
        assert video.has_attr(name), name
    assert video["preload"] == "none"
    assert video["style"] == "aspect-ratio: 4 / 3" and "sc-fit-cover" in video["class"]
    assert video.a["href"] == PAGE + "clip.mp4"
    assert doc.select_one("figure.sc-video figcaption strong").get_text() == "Demo"


def test_video_remote_is_a_link_and_remote_poster_is_never_loaded() -> None:
    body = ('{{< video src="https://upload.wikimedia.org/v.webm" '
            'poster="https://upload.wikimedia.org/p.jpg" caption="**Public** demo" >}}')
    out = page(body)
    href, title, action = card(out.html)
    assert href == "https://upload.wikimedia.org/v.webm" and title == "Public demo"
    assert action.startswith("Watch the video on upload.wikimedia.org")
    assert soup(out.html).find("video") is None


# embeds and cards: plain links


@pytest.mark.parametrize(("body", "href", "title", "action"), [
    ('{{< youtubeLite id="SgXhGb-7QbU" label="Blowfish-tools demo" params="start=130&end=10" >}}',
     "https://www.youtube.com/watch?v=SgXhGb-7QbU&t=130s", "Blowfish-tools demo",
     "Watch on YouTube"),
    ('{{< github repo="nunocoracao/blowfish" showThumbnail=true >}}',
     "https://github.com/nunocoracao/blowfish", "nunocoracao/blowfish",
     "View the repository on GitHub"),
    ('{{< gitlab projectID="278964" >}}', "https://gitlab.com/projects/278964",
     "GitLab project 278964", "View the project on gitlab.com"),
    ('{{< gitlab projectID="1" baseURL="https://git.example.org/" >}}',
     "https://git.example.org/projects/1", "GitLab project 1",
     "View the project on git.example.org"),
    ('{{< gitea server="https://git.fsfe.org" repo="FSFE/fsfe-website" >}}',
     "https://git.fsfe.org/FSFE/fsfe-website", "FSFE/fsfe-website",
     "View the repository on git.fsfe.org"),
    ('{{< forgejo server="https://v11.next.forgejo.org" repo="a/mastodon" >}}',
     "https://v11.next.forgejo.org/a/mastodon", "a/mastodon",
     "View the repository on v11.next.forgejo.org"),
    ('{{< codeberg repo="forgejo/forgejo" >}}', "https://codeberg.org/forgejo/forgejo",
     "forgejo/forgejo", "View the repository on Codeberg"),
    ('{{< huggingface model="google-bert/bert-base-uncased" >}}',
     "https://huggingface.co/google-bert/bert-base-uncased", "google-bert/bert-base-uncased",
     "View the model on Hugging Face"),
    ('{{< huggingface dataset="stanfordnlp/imdb" >}}',
     "https://huggingface.co/datasets/stanfordnlp/imdb", "stanfordnlp/imdb",
     "View the dataset on Hugging Face"),
    ('{{< ansible role="geerlingguy.docker" >}}',
     "https://galaxy.ansible.com/ui/standalone/roles/geerlingguy/docker/", "geerlingguy.docker",
     "View the role on Ansible Galaxy"),
    ('{{< ansible collection="community.general" >}}',
     "https://galaxy.ansible.com/ui/repo/published/community/general/", "community.general",
     "View the collection on Ansible Galaxy"),
    ('{{< codeimporter url="https://raw.githubusercontent.com/nunocoracao/blowfish/main/'
     'config/_default/hugo.toml" type="toml" startLine="11" endLine="18" >}}',
     "https://github.com/nunocoracao/blowfish/blob/main/config/_default/hugo.toml#L11-L18",
     "hugo.toml", "View the code on github.com"),
    ('{{< mdimporter url="https://raw.githubusercontent.com/nunocoracao/nunocoracao/master/'
     'README.md" >}}', "https://github.com/nunocoracao/nunocoracao/blob/master/README.md",
     "README.md", "Read the document on github.com"),
])
def test_remote_things_are_link_cards(body: str, href: str, title: str, action: str) -> None:
    got = card(page(body).html)
    assert got[0] == href and got[1] == title and got[2].startswith(action)


def test_codeimporter_detail_names_lines_and_language() -> None:
    out = page('{{< codeimporter url="https://example.com/a/b.go" type="go" startLine="3" >}}')
    detail = soup(out.html).select_one(".sc-card-detail").get_text()
    assert detail == "from line 3 · go · example.com"
    assert any("not fetched" in w for w in out.warnings)


@pytest.mark.parametrize("body", [
    f"{{{{< github repo=`{HOSTILE}` >}}}}",
    f'{{{{< gitea server=`javascript:{HOSTILE}` repo="a/b" >}}}}',
    f"{{{{< gitlab projectID=`{HOSTILE}` >}}}}",
    f"{{{{< huggingface model=`{HOSTILE}` >}}}}",
    f"{{{{< ansible role=`{HOSTILE}` >}}}}",
    f"{{{{< codeimporter url=`javascript:{HOSTILE}` >}}}}",
    f"{{{{< mdimporter url=`{HOSTILE}` >}}}}",
    f"{{{{< youtubeLite id=`{HOSTILE}` >}}}}",
])
def test_hostile_card_arguments_render_nothing_and_warn(body: str) -> None:
    out = page(body)
    assert "<script" not in out.html and "sc-card" not in out.html
    assert out.warnings


# tabs, timeline, accordion (nested)


TABS = """{{< tabs group="lang" default="macOS" >}}

    {{< tab label="Windows" icon="code" >}}
    Install **it**:

    ```pwsh
    choco install vscode
    ```
    {{< /tab >}}

    {{< tab label="macOS" >}}
    `brew install`
    {{< /tab >}}

    {{< tab label="Linux" md=false >}}
    {{< alert >}}See [docs](https://e.org).{{< /alert >}}
    {{< /tab >}}

{{< /tabs >}}"""


def test_tabs_are_radio_buttons_with_panels() -> None:
    doc = assert_private(page(TABS).html)
    tabs = doc.select_one("div.sc-tabs")
    assert tabs["data-group"] == "lang"
    radios = tabs.select(".sc-tabs-bar > input.sc-tabs-radio")
    assert [r["type"] for r in radios] == ["radio"] * 3
    assert len({r["name"] for r in radios}) == 1
    assert [r.has_attr("checked") for r in radios] == [False, True, False]
    labels = tabs.select(".sc-tabs-bar > label")
    assert [lab.get_text() for lab in labels] == ["Windows", "macOS", "Linux"]
    assert [lab["for"] for lab in labels] == [r["id"] for r in radios]
    assert labels[0].select_one(".sc-icon-code svg") is not None
    panels = tabs.select(".sc-tabs-panels > div.sc-tab")
    assert [p.select_one(".sc-tab-label").get_text() for p in panels] == [
        "Windows", "macOS", "Linux"]
    assert panels[0].select_one("p:not(.sc-tab-label) strong").get_text() == "it"
    assert panels[0].select_one("div.highlight") is not None
    assert panels[1].code.get_text() == "brew install"
    assert panels[2].select_one(".sc-alert a")["href"] == "https://e.org"
    assert "HBLOGSC" not in str(doc)


def test_two_tab_groups_get_their_own_radio_names() -> None:
    doc = soup(page(TABS + "\n\n" + TABS).html)
    names = [{r["name"] for r in t.select("input")} for t in doc.select("div.sc-tabs")]
    assert len(names) == 2 and names[0] != names[1]


def test_tab_with_hostile_label_and_unknown_default() -> None:
    out = page(f"{{{{< tabs default=\"nope\" >}}}}{{{{< tab label=`{HOSTILE}` >}}}}x"
               "{{< /tab >}}{{< /tabs >}}")
    assert "<script>" not in out.html
    assert soup(out.html).select_one(".sc-tabs-bar label").get_text() == HOSTILE
    assert soup(out.html).select_one("input")["checked"] is not None
    assert any("default tab 'nope'" in w for w in out.warnings)


def test_timeline_items_with_nested_shortcodes() -> None:
    body = """{{< timeline >}}

{{< timelineItem icon="github" header="Header" badge="badge test" subheader="Sub" >}}
Lorem *ipsum*.
{{< /timelineItem >}}

{{< timelineItem header="Shortcodes" >}}
With other shortcodes
{{< gallery >}}
  <img src="gallery/01.jpg" class="grid-w33" />
{{< /gallery >}}
{{< /timelineItem >}}

{{< /timeline >}}"""
    doc = assert_private(page(body).html)
    items = doc.select("ol.sc-timeline > li.sc-timeline-item")
    assert len(items) == 2
    first, second = items
    assert first.select_one(".sc-timeline-icon.sc-icon-github svg") is not None
    assert first.select_one(".sc-timeline-header").get_text() == "Header"
    assert first.select_one(".sc-badge").get_text() == "badge test"
    assert first.select_one(".sc-timeline-subheader").get_text() == "Sub"
    assert first.select_one(".sc-timeline-body em").get_text() == "ipsum"
    assert second.select_one(".sc-icon-check") is not None  # Blowfish's default icon
    assert second.select_one(".sc-gallery img")["src"] == PAGE + "gallery/01.jpg"


def test_timeline_item_hostile_args_are_escaped() -> None:
    out = page(f"{{{{< timeline >}}}}{{{{< timelineItem header=`{HOSTILE}` badge=`{HOSTILE}` "
               f"subheader=`{HOSTILE}` icon=`{HOSTILE}` >}}}}x{{{{< /timelineItem >}}}}"
               "{{< /timeline >}}")
    assert "<script>" not in out.html
    assert soup(out.html).select_one(".sc-timeline-header").get_text() == HOSTILE


def test_accordion_items_are_details() -> None:
    body = """{{< accordion mode="open" separated=true >}}
  {{< accordionItem title="Markdown example" icon="code" open=true >}}
  This item has **bold** text.
  {{< /accordionItem >}}

  {{< accordionItem header="Shortcode example" md=false align="center" >}}
  Raw <code>md=false</code>: {{< badge >}}Tip{{< /badge >}}
  {{< /accordionItem >}}
{{< /accordion >}}"""
    doc = assert_private(page(body).html)
    acc = doc.select_one("div.sc-accordion")
    assert acc["class"] == ["sc-accordion", "sc-accordion-separated"] and acc["data-mode"] == "open"
    items = acc.select("details.sc-accordion-item")
    assert [d.has_attr("open") for d in items] == [True, False]
    assert [d.summary.get_text() for d in items] == ["Markdown example", "Shortcode example"]
    assert items[0].summary.select_one(".sc-icon-code") is not None
    assert items[0].strong.get_text() == "bold"
    body2 = items[1].select_one(".sc-accordion-body.sc-align-center")
    assert body2.code.get_text() == "md=false" and body2.select_one(".sc-badge").get_text() == "Tip"


def test_accordion_item_hostile_title() -> None:
    out = page(f"{{{{< accordionItem title=`{HOSTILE}` >}}}}x{{{{< /accordionItem >}}}}")
    assert "<script>" not in out.html and soup(out.html).summary.get_text() == HOSTILE


# article, list, email, swatches, ltr/rtl


def test_article_is_a_link_and_not_shown_on_its_own_page() -> None:
    doc = soup(page('{{< article link="/docs/welcome/" showSummary=true >}}').html)
    link = doc.select_one(".sc-article a.sc-article-link")
    assert link["href"] == "/docs/welcome/" and "Welcome" in link.get_text()
    assert "sc-article" not in page('{{< article link="/posts/x/" >}}').html
    out = page(f"{{{{< article link=`/a/{HOSTILE}` >}}}}")
    assert "<script>" not in out.html


def test_list_is_a_titled_link_and_warns() -> None:
    out = page('{{< list title="Samples" cardView=true limit=6 where="Type" value="sample" >}}')
    section = soup(out.html).select_one("section.sc-list")
    assert section.h2.get_text() == "Samples" and section.a["href"] == "/"
    assert section["data-where"] == "Type" and section["data-value"] == "sample"
    assert sum("list:" in w for w in out.warnings) == 1
    hostile = page(f"{{{{< list title=`{HOSTILE}` limit=`{HOSTILE}` >}}}}")
    assert "<script>" not in hostile.html


def test_email_is_entity_encoded_but_works() -> None:
    out = page('{{< email email="mailto:hello@test.com" text="text" '
               'subject="Reply to awesome article" >}}')
    assert "hello@test.com" not in out.html and "mailto" not in out.html
    link = soup(out.html).select_one("a.sc-email")
    assert link["href"] == "mailto:hello@test.com?subject=Reply%20to%20awesome%20article"
    assert link.get_text() == "text"
    bad = page(f"{{{{< email email=`{HOSTILE}` >}}}}")
    assert "<script" not in bad.html and "sc-email" not in bad.html


def test_swatches_show_the_colours_and_their_codes() -> None:
    out = page(f'{{{{< swatches "#64748b" "rgb(59, 130, 246)" `{HOSTILE}` >}}}}')
    doc = soup(out.html)
    colours = [s.rect["fill"] for s in doc.select("svg.sc-swatch-color")]
    assert colours == ["#64748b", "rgb(59, 130, 246)"]
    assert not doc.select("[style]")  # no inline style for the CSP to allow
    assert [s.get_text() for s in doc.select(".sc-swatch-label")] == [
        "#64748b", "rgb(59, 130, 246)"]
    assert "<script>" not in out.html and out.warnings


def test_rtl_in_markdown_notation_after_a_list() -> None:
    out = page("- LTR item\n{{% rtl %}}\n- هذه القائمة\n- من اليمين\n{{% /rtl %}}\n\nAfter")
    block = soup(out.html).select_one("div.sc-rtl")
    assert block["dir"] == "rtl" and len(block.find_all("li")) == 2
    ltr = soup(page("{{< ltr >}}\n*x*\n{{< /ltr >}}").html).select_one("div.sc-ltr")
    assert ltr["dir"] == "ltr" and ltr.em.get_text() == "x"


# mermaid, chart, katex, typeit


def test_mermaid_source_is_shown_escaped() -> None:
    # The source is the no-JavaScript fallback; static/js/diagrams.js draws over it (its class
    # is no longer "mermaid", which Mermaid itself would pick up on its own).
    out = page("{{< mermaid >}}\ngraph LR;\nA[Lemons]-->B[<b>Lemonade</b>];\n{{< /mermaid >}}")
    figure = assert_private(out.html).select_one("figure.sc-mermaid[data-mermaid]")
    pre = figure.select_one("pre.sc-mermaid-source")
    assert pre.get_text() == "graph LR;\nA[Lemons]-->B[<b>Lemonade</b>];"
    assert "<b>" not in out.html
    assert out.shortcodes == {"mermaid": 1}


def chart_parts(html: str) -> tuple[BeautifulSoup, dict[str, object] | None]:
    """The page and the chart's JSON config (None when it has none): apart from that
    <script type="application/json">, which is data and never runs, nothing is active."""
    doc = soup(html)
    config = doc.select_one("figure.sc-chart script.sc-chart-config")
    data = None
    if config is not None:
        assert config["type"] == "application/json"
        data = json.loads(config.string)
        config.decompose()
    return assert_private(str(doc)), data


def test_chart_becomes_a_table_with_its_configuration() -> None:
    body = """{{< chart >}}
type: 'bar',
data: {
  labels: ['Tomato', 'Blueberry', 'Banana'],
  datasets: [{
    label: '# of votes',
    data: [12, 19, 3],
  }]
}
{{< /chart >}}"""
    doc, data = chart_parts(page(body).html)
    table = doc.select_one("figure.sc-chart .sc-chart-fallback table.sc-chart-table")
    assert table.caption.get_text() == "Bar chart"
    assert [th.get_text() for th in table.select("thead th")] == ["# of votes"]
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
    assert rows == [["Tomato", "12"], ["Blueberry", "19"], ["Banana", "3"]]
    assert "type: 'bar'" in doc.select_one("details.sc-chart-source code").get_text()
    # With JavaScript: drawn on the (hidden until then) canvas from the config as JSON.
    assert data == {"type": "bar", "data": {"labels": ["Tomato", "Blueberry", "Banana"],
                    "datasets": [{"label": "# of votes", "data": [12, 19, 3]}]}}
    holder = doc.select_one("figure.sc-chart[data-chart] .sc-chart-canvas")
    assert holder.has_attr("hidden") and holder.canvas["aria-label"] == "Bar chart"


def test_chart_without_tabular_data_shows_the_configuration() -> None:
    body = ("{{< chart >}}\ntype: 'scatter', data: {datasets: [{data: [{x: 1, y: 2}]}]}\n"
            "{{< /chart >}}")
    doc, data = chart_parts(page(body).html)
    assert doc.find("table") is None and "scatter" in doc.select_one(".sc-chart code").get_text()
    assert data == {"type": "scatter", "data": {"datasets": [{"data": [{"x": 1, "y": 2}]}]}}
    out = page(f"{{{{< chart >}}}}\n{HOSTILE}\n{{{{< /chart >}}}}")
    assert "<script>" not in out.html and "application/json" not in out.html


def test_a_chart_config_with_code_keeps_only_the_fallback() -> None:
    body = """{{< chart >}}
type: 'line',
data: {labels: ['a', 'b'], datasets: [{label: 'n', data: [1, 2]}]},
options: {plugins: {tooltip: {callbacks: {label: function (c) { return c.raw; }}}}}
{{< /chart >}}"""
    out = page(body)
    assert "<script" not in out.html and "<canvas" not in out.html
    doc = assert_private(out.html)
    assert [td.get_text() for td in doc.select("table tbody td")] == ["1", "2"]
    assert "function (c)" in doc.select_one("details.sc-chart-source code").get_text()


def test_a_chart_config_cannot_close_its_script() -> None:
    out = page("{{< chart >}}\ntype: 'bar', data: {labels: ['</script><b>x'], "
               "datasets: [{label: '<!--', data: [1]}]}\n{{< /chart >}}")
    assert out.html.count("</script>") == 1 and "<b>" not in out.html
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in out.html
    _, data = chart_parts(out.html)
    assert data == {"type": "bar", "data": {"labels": ["</script><b>x"],
                                            "datasets": [{"label": "<!--", "data": [1]}]}}


def test_katex_adds_nothing_and_shows_inner_source() -> None:
    out = page("{{< katex >}}")
    assert out.html.strip() == "" and out.shortcodes == {"katex": 1}
    out = page("{{< katex >}}\n$$x<y$$\n{{< /katex >}}")
    assert soup(out.html).select_one(".sc-math").get_text() == "$$x<y$$"


def test_display_maths_stays_text_for_katex() -> None:
    """What auto-render draws: the $$ block's TeX reaches the page as written."""
    out = page("{{< katex >}}\n\n$$c = \\sqrt{a^2 + b^2}$$\n")
    assert soup(out.html).get_text().strip() == "$$c = \\sqrt{a^2 + b^2}$$"


def test_typeit_shows_the_strings_as_text() -> None:
    out = page("{{< typeit\n  tag=h3\n  speed=50\n  breakLines=false\n>}}\n"
               '"Frankly, my dear."\n<i>Second</i>\n{{< /typeit >}}')
    doc = assert_private(out.html)
    h3 = doc.select_one("h3.sc-typeit")
    assert h3.get_text("|") == '"Frankly, my dear."|<i>Second</i>' and h3.find("i") is None
    bad = page(f"{{{{< typeit tag=script class=`{HOSTILE}` >}}}}x{{{{< /typeit >}}}}")
    assert "<script" not in bad.html and soup(bad.html).select_one("div.sc-typeit")


# the whole corpus


def _bundle(path: Path) -> tuple[PageFile, ...]:
    if not path.name.startswith("index."):
        return ()
    files = []
    for item in sorted(path.parent.rglob("*")):
        if item.is_file() and item.suffix != ".md":
            rel = item.relative_to(path.parent).as_posix()
            media = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
            files.append(PageFile(rel, "/page/" + rel, media))
    return tuple(files)


def test_every_corpus_page_renders_its_shortcodes() -> None:
    require(CONTENT)
    unknown: set[str] = set()
    used: set[str] = set()
    pages = 0
    for path in sorted(CONTENT.rglob("*.md")):
        front = split_front_matter(path.read_text(encoding="utf-8"))
        out = render(front.body, RenderOptions(page_url="/page/", files=_bundle(path),
                                               params=front.data))
        pages += 1
        unknown |= set(out.unknown_shortcodes)
        used |= set(out.shortcodes)
        lowered = CHART_CONFIG.sub("", out.html).lower()
        # Raw HTML the author wrote stays (docs/installation embeds a video itself); no
        # shortcode adds an iframe, a script (a chart's JSON config is data) or a remote image.
        assert lowered.count("<iframe") <= front.body.lower().count("<iframe"), path
        assert lowered.count("<script") <= front.body.lower().count("<script"), path
        assert not re.search(r"<img[^>]+src=\"(?:https?:)?//", out.html), path
        assert "HBLOGSC" not in out.html, path
    assert pages > 1500
    assert unknown <= {"ref", "relref", "icon-ref", "theme-switcher"}, unknown
    assert {n.lower() for n in used} >= BLOWFISH - {"ltr"}


def test_corpus_has_no_script_or_iframe_from_shortcodes() -> None:
    path = require(CONTENT / "docs" / "shortcodes" / "index.md")
    front = split_front_matter(path.read_text(encoding="utf-8"))
    out = render(front.body, RenderOptions(page_url="/docs/shortcodes/", files=_bundle(path)))
    configs = CHART_CONFIG.findall(out.html)
    assert len(configs) == out.shortcodes["chart"]  # Blowfish's own charts are all plain data
    html = CHART_CONFIG.sub("", out.html)
    assert "<iframe" not in html and "<script" not in html
    assert_private(html)
