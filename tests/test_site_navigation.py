"""Navigation follows the site's config (mainSections, menus per language), every language has
its own search and interface text, and list pages load what their content needs."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.content.errors import ContentProblem
from app.content.site_config import load_site_config
from app.i18n import format_date, translate
from app.services.site.menus import MenuItem
from tests.conftest import make_app, write
from tests.shared import CORPUS, require

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _nav(html: str, label: str = "Main") -> list[tuple[str, str]]:
    """(href, text) of the top-level links of a navigation landmark."""
    found = re.search(rf'<nav class="[^"]*" aria-label="{label}">(.*?)</nav>', html, re.S)
    assert found, f"no {label} navigation"
    top = re.sub(r'<ul class="submenu">.*?</ul>', "", found.group(1), flags=re.S)
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', top)


# --- the Blowfish example site, imported from its root ---------------------------------------


@pytest.fixture(scope="module")
def blowfish(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    require(CORPUS / "hugo.toml")
    app = make_app(tmp_path_factory.mktemp("blowfish"))
    result = app.test_cli_runner().invoke(args=["content", "import", str(CORPUS)])
    assert result.exit_code == 0, result.output[-2000:]
    return app


@pytest.mark.parametrize("home", ["/", "/fr/", "/de/", "/ja/", "/zh-cn/"])
def test_blowfish_header_links_all_answer(blowfish: Flask, home: str) -> None:
    client = blowfish.test_client()
    links = _nav(client.get(home).get_data(as_text=True))
    assert links, "the header has links"
    for href, _ in links:
        assert client.get(href).status_code == 200, href
        if home != "/":
            assert href.startswith(home), f"{href} is not in the language of {home}"


def test_blowfish_recent_posts_come_from_the_main_section(blowfish: Flask) -> None:
    # No mainSections in its hugo.toml: Hugo's default, the section with the most pages.
    html = blowfish.test_client().get("/").get_data(as_text=True)
    cards = re.findall(r'<h2 class="card-title"><a href="([^"]+)"', html)
    assert cards and all(href.startswith("/users/") for href in cards)
    assert ("/users/", "Users") in _nav(html)
    # Its intro holds an icon and a youtubeLite video card: their stylesheet comes along.
    assert "sc-youtube" in html or "youtube" in html
    assert "css/shortcodes.css" in html


def test_blowfish_home_feed_has_items(blowfish: Flask) -> None:
    # Every page of `users` is an external link (not listed): the feed lists every page.
    client = blowfish.test_client()
    feed = feedparser.parse(client.get("/index.xml").data)
    assert len(feed.entries) == 20
    french = feedparser.parse(client.get("/fr/index.xml").data)
    assert french.entries and all("/fr/" in entry.link for entry in french.entries)


@pytest.mark.parametrize(("path", "query", "expected"), [
    ("/de/search", "Schnellstart", "/de/docs/installation/"),
    ("/ja/search", "インストール", "/ja/docs/installation/"),
    ("/zh-cn/search", "安装", "/zh-cn/docs/installation/"),
    ("/fr/search", "installation", "/fr/docs/installation/"),
])
def test_blowfish_words_find_their_page_in_their_language(
        blowfish: Flask, path: str, query: str, expected: str) -> None:
    response = blowfish.test_client().get(path, query_string={"q": query})
    html = response.get_data(as_text=True)
    hits = re.findall(r'<h2 class="search-hit-title"><a href="([^"]+)"', html)
    assert response.status_code == 200 and expected in hits, hits
    lang = path.split("/")[1]
    assert all(hit.startswith(f"/{lang}/") for hit in hits)
    assert re.search(f"<mark>{query}", html, re.I)


def test_blowfish_cjk_word_inside_a_longer_run_is_found(blowfish: Flask) -> None:
    # 設定 is written inside runs such as 設定ファイル: found through its character pairs.
    html = blowfish.test_client().get("/ja/search?q=設定").get_data(as_text=True)
    assert '<p class="search-count" role="status">' in html
    assert "<mark>設定</mark>" in html


def test_search_pages_exist_only_for_site_languages(blowfish: Flask) -> None:
    client = blowfish.test_client()
    assert client.get("/xx/search?q=a").status_code == 404
    assert client.get("/en/search?q=a").status_code == 404  # the default has no prefix
    data = client.get("/de/search.json?q=Schnellstart").get_json()
    assert data["total"] >= 1 and data["hits"][0]["url"].startswith("/de/")


def test_blowfish_french_pages_speak_french(blowfish: Flask) -> None:
    client = blowfish.test_client()
    home = client.get("/fr/").get_data(as_text=True)
    assert '<html lang="fr" ' in home and "Articles récents" in home
    assert 'action="/fr/search"' in home and "Aller au contenu" in home
    assert 'data-label-dark="Thème : sombre"' in home  # theme.js names the modes with it
    assert all(href.startswith("/fr/") for href, _ in _nav(home))
    assert ("/fr/tags/", "Étiquettes") in _nav(home)
    post = client.get("/fr/docs/installation/").get_data(as_text=True)
    assert "Laisser un commentaire" in post
    assert "Commentaires" in post and "Recent posts" not in post
    samples = client.get("/fr/samples/").get_data(as_text=True)
    assert re.search(r"<time datetime=\"[^\"]+\">\d{1,2} (janvier|février|mars|avril|mai|juin|"
                     r"juillet|août|septembre|octobre|novembre|décembre) \d{4}</time>", samples)
    japanese = client.get("/ja/").get_data(as_text=True)
    assert "最近の投稿" in japanese


# --- menus and mainSections from a config of our own ----------------------------------------

MENU_SITE = """\
baseURL = "https://blog.example/"
title = "Menus"
defaultContentLanguage = "en"
mainSections = ["notes"]
[languages.en]
  weight = 1
[languages.fr]
  weight = 2
  [[languages.fr.menus.main]]
    pageRef = "/notes"
    weight = 1
[[menus.main]]
  name = "Notes"
  pageRef = "/notes"
  weight = 20
[[menus.main]]
  pageRef = "/about"
  weight = 10
[[menus.main]]
  name = "Elsewhere"
  url = "https://example.org/"
[[menus.main]]
  name = "Archive"
  identifier = "archive"
  pageRef = "/posts"
  weight = 20
[[menus.main]]
  name = "Old posts"
  pageRef = "/posts/old"
  parent = "archive"
[[menus.main]]
  name = "Gone"
  pageRef = "/nowhere"
  weight = 5
[[menus.main]]
  name = "Evil"
  url = "javascript:alert(1)"
[[menus.footer]]
  name = "Imprint"
  url = "/about/"
"""


def _page(title: str, body: str = "Words.", **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\ntitle: {title}\n{extra}---\n{body}\n"


@pytest.fixture
def menu_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root, "hugo.toml", MENU_SITE)
    content = root / "content"
    write(content, "about.md", _page("About us", linkTitle="About"))
    write(content, "notes/search.md", _page("How I search", date="2023-01-01"))
    write(content, "faq/search.md", _page("Searching", date="2022-01-01"))
    write(content, "contact.md", _page("Contact me", linkTitle="Contact", weight="30",
                                       menu="main"))
    write(content, "colophon.md", _page("Colophon", menu="{footer: {weight: 1, name: How}}"))
    write(content, "notes/_index.md", _page("Field notes"))
    write(content, "notes/n1.md", _page("Note one", date="2024-03-01"))
    write(content, "notes/n1.fr.md", _page("Note un", "## Premier\n\nMots.\n\n## Second\n",
                                           date="2024-03-01", showTableOfContents="true"))
    for number in range(3):  # posts has the most pages, but mainSections says notes
        write(content, f"posts/p{number}.md", _page(f"Post {number}", date="2024-01-0" + str(
            number + 1)))
    write(content, "posts/old.md", _page("Old post", date="2020-01-01"))
    write(root, "config/_default/menus.fr.toml",
          '[[footer]]\nname = "Mentions"\npageRef = "/about"\n')
    return root


@pytest.fixture
def menus_imported(runner: FlaskCliRunner, menu_site: Path) -> None:
    result = runner.invoke(args=["content", "import", str(menu_site)])
    assert result.exit_code == 0, result.output


def test_menu_config_is_read_per_language(menu_site: Path) -> None:
    site = load_site_config(menu_site)
    assert site is not None and site.main_sections == ("notes",)
    menus = site.menus_by_language()
    assert [e["page_ref"] for e in menus["fr"]["main"]] == ["/notes"]  # its own main menu
    assert menus["fr"]["footer"] == [{"name": "Mentions", "page_ref": "/about"}]
    assert [e.get("name", "") for e in menus["en"]["main"]][:2] == ["Notes", ""]
    assert menus["en"]["footer"] == [{"name": "Imprint", "url": "/about/"}]


def test_bad_menu_entries_are_clear_errors(tmp_path: Path) -> None:
    write(tmp_path, "hugo.toml", '[menus]\nmain = ["Blog"]\n')
    with pytest.raises(ContentProblem, match=re.escape("each entry of 'menus.main' must be")):
        load_site_config(tmp_path)


def test_header_follows_the_menu_in_hugos_order(client: FlaskClient,
                                                menus_imported: None) -> None:
    html = client.get("/").get_data(as_text=True)
    # Weight 10, then the two of weight 20 by name, then the unweighted (0 sorts last).
    # "Gone" names no page and "Evil" runs script: neither is shown. "Contact" comes from
    # its page's front matter (`menu: main`, weighted by the page's weight).
    assert _nav(html) == [("/about/", "About"), ("/posts/", "Archive"), ("/notes/", "Notes"),
                          ("/contact/", "Contact"), ("https://example.org/", "Elsewhere")]
    assert '<ul class="submenu">' in html and 'href="/posts/old/">Old posts</a>' in html
    assert _nav(html, "Footer") == [("/colophon/", "How"), ("/about/", "Imprint")]
    for href, _ in _nav(html)[:3]:
        assert client.get(href).status_code == 200
    french = client.get("/fr/").get_data(as_text=True)
    # Its own main menu; no French _index.md: the folder's list page, named after it.
    assert _nav(french) == [("/fr/notes/", "Notes")]
    assert 'aria-label="Footer"' not in french  # /about has no French page
    note = client.get("/fr/notes/n1/").get_data(as_text=True)
    assert "<summary>Table des matières</summary>" in note and "1 mars 2024" in note


def test_main_sections_drive_home_and_feed(client: FlaskClient, menus_imported: None) -> None:
    html = client.get("/").get_data(as_text=True)
    cards = re.findall(r'<h2 class="card-title"><a href="([^"]+)"', html)
    assert cards == ["/notes/n1/", "/notes/search/"]
    feed = feedparser.parse(client.get("/index.xml").data)
    assert [entry.title for entry in feed.entries] == ["Note one", "How I search"]


def test_search_url_of_a_non_language_is_the_page_it_names(client: FlaskClient,
                                                          menus_imported: None) -> None:
    moved = client.get("/notes/search")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/notes/search/")
    moved = client.get("/faq/search")  # shaped like a language code, but not one
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/faq/search/")
    assert client.get("/xx/search.json?q=a").status_code == 404
    french = client.get("/fr/search?q=note").get_data(as_text=True)
    assert re.findall(r'class="search-hit-title"><a href="([^"]+)"', french) == ["/fr/notes/n1/"]
    assert 'action="/fr/search"' in french and "Mots à chercher" in french


def test_menu_items_are_plain_data() -> None:
    item = MenuItem("Notes", "/notes/")
    assert item.children == () and item.weight == 0


# --- interface text ----------------------------------------------------------------------------


def test_interface_text_falls_back_by_language_then_english() -> None:
    assert translate("fr", "recent_posts") == "Articles récents"
    assert translate("pt-br", "recent_posts") == "Posts recentes"
    assert translate("pt-pt", "recent_posts") == "Publicações recentes"  # pt
    assert translate("sw", "recent_posts") == "Recent posts"
    assert translate("../../etc/passwd", "toc") == "Table of Contents"
    from datetime import datetime
    day = datetime(2023, 8, 3)
    assert format_date("en", day) == "3 August 2023"
    assert format_date("fr", day) == "3 août 2023"
    assert format_date("de", day) == "3. August 2023"
    assert format_date("ja", day) == "2023年8月3日"
    assert format_date("zh-cn", day) == "2023年8月3日"


# --- list pages load their content's assets; small things ------------------------------------


def test_section_intro_with_shortcodes_loads_their_assets(
        runner: FlaskCliRunner, content_dir: Path, client: FlaskClient) -> None:
    write(content_dir, "gallery/_index.md", _page(
        "Gallery", '{{< alert >}}Look!{{< /alert >}}\n\n{{< carousel images="*.png" >}}'))
    write(content_dir, "gallery/one.md", _page("One"))
    write(content_dir, "plain/_index.md", _page("Plain", "Only words."))
    write(content_dir, "plain/two.md", _page("Two"))
    assert runner.invoke(args=["content", "import", str(content_dir)]).exit_code == 0
    html = client.get("/gallery/").get_data(as_text=True)
    assert "css/carousel.css" in html and "js/carousel.js" in html
    assert "css/shortcodes.css" in html
    plain = client.get("/plain/").get_data(as_text=True)
    assert "carousel" not in plain and "shortcodes.css" not in plain


def test_undated_cards_start_with_no_separator(runner: FlaskCliRunner, content_dir: Path,
                                               client: FlaskClient) -> None:
    write(content_dir, "posts/undated.md", _page("Undated", "word " * 400))
    assert runner.invoke(args=["content", "import", str(content_dir)]).exit_code == 0
    html = client.get("/posts/").get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', html, re.S)
    assert meta and meta.group(1).startswith("<span title=")  # the reading time, first


def test_no_javascript_comment_form_is_filled_in_again(tmp_path: Path, seed_dir: Path) -> None:
    (tmp_path / "app").mkdir()
    app = make_app(tmp_path / "app", COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0)
    assert app.test_cli_runner().invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    client = app.test_client()
    post = "/posts/the-rise-of-ai-generated-images/"
    token = TOKEN.search(client.get(post).get_data(as_text=True)).group(1)
    posted = client.post("/comments", data={
        "url": post, "text": "Plain form comment.", "author": "Ann Example",
        "email": "ann@example.org", "website": "https://ann.example/", "form_token": token},
        headers={"Origin": "http://localhost"})
    assert posted.status_code == 303
    html = client.get(post).get_data(as_text=True)
    form = html.split('id="comment-form"', 1)[1]
    assert 'name="author" maxlength="100" autocomplete="name" value="Ann Example"' in form
    assert 'value="https://ann.example/"' in form
    assert "Plain form comment." not in form  # the text is not put back
    # No response carries an email address, not even to its author (the API's rule).
    assert "ann@example.org" not in html
    stranger = app.test_client().get(post).get_data(as_text=True)
    assert "Ann Example" not in stranger.split('id="comment-form"', 1)[1]
