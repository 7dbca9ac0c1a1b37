"""Blowfish's home layouts, list views and author box, on a site root with its hugo.toml:
what a reader gets for `[params.homepage]`, `[params.list]` and `[params.author]`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from PIL import Image

from tests.conftest import make_app, write
from tests.html import soup

AUTHOR = """
[params.author]
  name = "Ada Writer"
  image = "author.png"
  headline = "Writes about engines"
  bio = "Ada builds blog engines."
  links = [{ github = "https://github.com/ada" }, { email = "mailto:ada@example.org" },
           { evil = "javascript:alert(1)" }]
"""
BASE = """
baseURL = "https://example.org/"
title = "Engine Notes"
[taxonomies]
  tag = "tags"
  author = "authors"
"""


def _png(size: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _site(root: Path, params: str, *, posts: int = 7, author: bool = True) -> Flask:
    write(root, "hugo.toml", BASE + (AUTHOR if author else "") + params)
    content = root / "content"
    write(content, "_index.md", "---\ntitle: Welcome home\n---\nThe home page own words.\n")
    write(content, "author.png", _png())  # beside _index.md: served at /author.png
    write(content, "banner.png", _png(64))
    for n in range(1, posts + 1):
        year = 2020 + (n % 3)
        write(content, f"posts/p{n}.md",
              f"---\ntitle: Post {n}\ndate: {year}-01-{n:02}\nauthors: [ada]\n---\n"
              f"Summary of post {n}.\n")
    app = make_app(root)
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    return app


def _get(app: Flask, url: str) -> BeautifulSoup:
    response = app.test_client().get(url)
    assert response.status_code == 200, url
    return soup(response.data)


def _titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select(".card-title a")]


@pytest.mark.parametrize("layout", ["page", "profile", "hero", "card", "background"])
def test_each_layout_has_its_markup(tmp_path: Path, layout: str) -> None:
    params = f'[params.homepage]\n  layout = "{layout}"\n  homepageImage = "/banner.png"\n'
    page = _get(_site(tmp_path, params), "/")
    home = page.select_one(f"article.home.home--{layout}")
    assert home is not None
    h1 = page.select("h1")
    assert len(h1) == 1 and h1[0]["id"] == "home-title"
    assert "The home page own words." in home.select_one(".home-content").get_text()
    avatar = page.select_one("img.author-avatar")
    if layout in ("profile", "hero", "background"):
        # The author's name is the page's heading, with the image, headline and links.
        assert h1[0].get_text(strip=True) == "Ada Writer"
        assert avatar["src"].startswith("/author.png?v=")
        assert avatar["alt"] == "Ada Writer"
        assert home.select_one(".home-headline").get_text() == "Writes about engines"
        links = home.select(".author-links a")
        assert [(a.get_text(), a["href"]) for a in links] == [
            ("GitHub", "https://github.com/ada"), ("Email", "mailto:ada@example.org")]
        assert links[0]["rel"] == ["me", "noopener", "noreferrer"]
        assert links[0]["target"] == "_blank" and not links[1].has_attr("target")
    else:
        assert h1[0].get_text(strip=True) == "Welcome home"
        assert avatar is None
    image = page.select_one(".home-banner-image, .home-card-image, .home-backdrop-image")
    if layout == "page" or layout == "profile":
        assert image is None
    else:
        assert image["src"].startswith("/banner.png?v=") and image["alt"] == ""
    # showRecent is off by default: no recent articles.
    assert page.select_one(".home-recent") is None and not _titles(page)


def test_author_image_served_and_missing_image_left_out(tmp_path: Path) -> None:
    app = _site(tmp_path, '[params.homepage]\n  layout = "profile"\n')
    src = _get(app, "/").select_one("img.author-avatar")["src"]
    response = app.test_client().get(src)
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_profile_without_author_uses_site_title_and_no_image(tmp_path: Path) -> None:
    page = _get(_site(tmp_path, '[params.homepage]\n  layout = "profile"\n', author=False), "/")
    assert page.select_one("h1").get_text(strip=True) == "Engine Notes"
    assert page.select_one("img.author-avatar") is None
    assert page.select_one(".author-links") is None


def test_show_recent_and_its_limit(tmp_path: Path) -> None:
    params = ('[params.homepage]\n  layout = "page"\n  showRecent = true\n'
              "  showRecentItems = 3\n")
    app = _site(tmp_path, params)
    page = _get(app, "/")
    recent = page.select_one("section.home-recent")
    assert recent.select_one("h2").get_text() == "Recent posts"
    # newest first (post n is dated 2020 + n % 3, day n), at most showRecentItems
    assert len(_titles(page)) == 3
    assert _titles(page) == ["Post 5", "Post 2", "Post 7"]
    assert page.select_one(".show-more") is None
    assert app.test_client().get("/page/2/").status_code == 404  # one page, as Blowfish's


def test_show_recent_default_five_and_card_grid(tmp_path: Path) -> None:
    params = '[params.homepage]\n  showRecent = true\n  cardView = true\n'
    page = _get(_site(tmp_path, params), "/")
    assert len(_titles(page)) == 5
    assert page.select_one(".home-recent .cards.cards--grid") is not None
    assert page.select_one("article.home--page") is not None  # layout unset: page


def test_show_more_link(tmp_path: Path) -> None:
    params = ('[params.homepage]\n  showRecent = true\n  showMoreLink = true\n'
              '  showMoreLinkDest = "archive"\n')
    page = _get(_site(tmp_path, params), "/")
    link = page.select_one(".show-more a")
    assert link.get_text() == "Show more" and link["href"] == "/archive/"
    page = _get(_site(tmp_path / "b", '[params.homepage]\n  showRecent = true\n'
                      '  showMoreLink = true\n'), "/")
    assert page.select_one(".show-more a")["href"] == "/posts/"


def test_without_a_homepage_table_the_home_lists_posts_page_by_page(tmp_path: Path) -> None:
    app = _site(tmp_path, "", posts=12)
    page = _get(app, "/")
    assert len(_titles(page)) == 10 and page.select_one("nav.pagination") is not None
    assert page.select_one("article.home") is None
    assert app.test_client().get("/page/2/").status_code == 200


def test_group_by_year_headings(tmp_path: Path) -> None:
    app = _site(tmp_path, "[params.list]\n  groupByYear = true\n")
    page = _get(app, "/posts/")
    headings = [h.get_text() for h in page.select("section.year-group > h2.year-heading")]
    assert headings == ["2022", "2021", "2020"]
    groups = {g.select_one("h2").get_text(): _titles(g) for g in page.select(".year-group")}
    assert groups["2022"] == ["Post 5", "Post 2"]
    assert groups["2020"] == ["Post 6", "Post 3"]
    # [params.list] present: Blowfish's defaults, no summaries and no card frames.
    assert page.select_one(".card .summary") is None
    assert page.select_one(".cards.cards--plain") is not None


def test_group_by_year_from_the_section_front_matter(tmp_path: Path) -> None:
    app = _site(tmp_path, "")
    write(tmp_path / "content", "posts/_index.md", "---\ntitle: Posts\ngroupByYear: true\n---\n")
    assert app.test_cli_runner().invoke(args=["content", "import", str(tmp_path)]).exit_code == 0
    page = _get(app, "/posts/")
    assert len(page.select("h2.year-heading")) == 3
    assert page.select_one(".card .summary") is not None  # no [params.list]: summaries stay
    assert [h.get_text() for h in _get(app, "/").select("h2.year-heading")] == []


def test_list_card_view_and_summaries(tmp_path: Path) -> None:
    params = ("[params.list]\n  cardView = true\n  cardViewScreenWidth = true\n"
              "  showSummary = true\n")
    page = _get(_site(tmp_path, params), "/posts/")
    assert page.select_one(".cards.cards--grid.cards--wide") is not None
    assert page.select_one(".card .summary").get_text().startswith("Summary of post")
    assert not page.select("h2.year-heading")


def test_author_box_on_posts(tmp_path: Path) -> None:
    app = _site(tmp_path, "")
    page = _get(app, "/posts/p1/")
    box = page.select_one(".post-header aside.author-box.author-box--top")
    assert box is not None and len(page.select("aside.author-box")) == 1
    assert box.select_one(".author-name").get_text() == "Ada Writer"
    assert box.select_one(".author-bio").get_text() == "Ada builds blog engines."
    assert box.select_one("img.author-avatar")["src"].startswith("/author.png?v=")
    assert [a["href"] for a in box.select(".author-links a")] == [
        "https://github.com/ada", "mailto:ada@example.org"]
    assert page.select_one(".author-badges") is None  # showAuthorsBadges is off by default


def test_author_box_bottom_off_and_badges(tmp_path: Path) -> None:
    app = _site(tmp_path, "[params.article]\n  showAuthorBottom = true\n"
                          "  showAuthorsBadges = true\n")
    page = _get(app, "/posts/p1/")
    assert page.select_one(".post-header .author-box") is None
    assert page.select_one("article.post > aside.author-box--bottom") is not None
    badges = page.select(".post-header .author-badges a")
    assert [(a.get_text(), a["href"]) for a in badges] == [("Ada", "/authors/ada/")]
    assert app.test_client().get("/authors/ada/").status_code == 200
    write(tmp_path / "content", "posts/p1.md",
          "---\ntitle: Post 1\ndate: 2021-01-01\nshowAuthor: false\n---\nText.\n")
    assert app.test_cli_runner().invoke(args=["content", "import", str(tmp_path)]).exit_code == 0
    assert _get(app, "/posts/p1/").select_one(".author-box") is None


def test_no_author_box_without_an_author_name(tmp_path: Path) -> None:
    app = _site(tmp_path, "", author=False)
    assert _get(app, "/posts/p1/").select_one(".author-box") is None
    app2 = _site(tmp_path / "off", "[params.article]\n  showAuthor = false\n")
    assert _get(app2, "/posts/p1/").select_one(".author-box") is None


def test_remote_author_image_and_language_author(tmp_path: Path) -> None:
    params = ('[params.homepage]\n  layout = "profile"\n'
              '[languages.en]\n  weight = 1\n[languages.en.params.author]\n'
              '  image = "https://cdn.example.org/me.png"\n  headline = "English headline"\n')
    page = _get(_site(tmp_path, params), "/")
    # A remote image is left out: the page's CSP (img-src 'self') would refuse it.
    assert page.select_one("img.author-avatar") is None
    assert page.select_one(".home-headline").get_text() == "English headline"
    assert page.select_one("h1").get_text(strip=True) == "Ada Writer"  # from the site's
