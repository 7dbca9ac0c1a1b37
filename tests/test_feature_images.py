"""Feature images as Blowfish finds and shows them: discovery order, the post hero in each
heroStyle, og:image, the feed's media:content and the card thumbnails."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from sqlalchemy import event, select

from app.extensions import db
from app.feeds.rss import MEDIA
from app.models import Page
from app.services.site import feature
from tests.conftest import make_app, write
from tests.html import soup

GALLERY = (Path(__file__).resolve().parent.parent
           / "content/posts/the-rise-of-ai-generated-images/gallery")
JPG = GALLERY / "bing-Dall-E1.jpg"  # 1024 x 576: variants at 800 only
PNG = GALLERY / "midjourney.png"  # 1200 x 675: variants at 800 only
BASE = "https://blog.example"
HUGO_TOML = f"""\
baseURL = "{BASE}/"
title = "Features"
[params]
  description = "Feature images"
"""


def _bundle(root: Path, name: str, front: str, images: dict[str, Path],
            body: str = "Words.") -> None:
    write(root, f"content/posts/{name}/index.md",
          f"---\ntitle: Post {name}\ndate: 2024-02-{len(name) % 27 + 1:02d}\n{front}---\n"
          f"{body}\n")
    for rel, source in images.items():
        target = root / "content/posts" / name / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    tmp = tmp_path_factory.mktemp("features")
    root = tmp / "site"
    write(root, "hugo.toml", HUGO_TOML)
    _bundle(root, "featured", "showHero: true\n", {"featured.jpg": JPG, "other.png": PNG})
    _bundle(root, "frontmatter", "featureimage: pick.png\nshowHero: true\nheroStyle: big\n"
            "featureimagecaption: 'By *me* <script>alert(1)</script> [src](https://x.example)'\n",
            {"featured.jpg": JPG, "pick.png": PNG})
    _bundle(root, "covers", "", {"thumbnail.png": PNG, "cover.jpg": JPG,
                                 "gallery/feature.png": PNG})
    _bundle(root, "upper", "", {"My-Thumbnail.PNG": PNG, "gallery/cover.jpg": JPG})
    _bundle(root, "sitepath", "featureimage: /posts/featured/other.png\n", {})
    _bundle(root, "remote", "featureimage: https://img.example/r.jpg\nshowHero: true\n", {})
    _bundle(root, "bodyonly", "showHero: true\n", {"inline.png": PNG}, "![A](inline.png)")
    _bundle(root, "hidden", "hideFeatureImage: true\n", {"feature.jpg": JPG})
    _bundle(root, "off", "showHero: false\n", {"featured.jpg": JPG})
    for style in ("basic", "big", "background", "thumbAndBackground"):
        _bundle(root, f"style-{style.lower()}",
                f"showHero: true\nheroStyle: {style}\nimagePosition: 50% 20%\n",
                {"featured.jpg": JPG, "background.png": PNG})
    app = make_app(tmp, SITE_BASE_URL=BASE, PAGE_SIZE=50)
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    return app


def _page(site: Flask, path: str) -> BeautifulSoup:
    response = site.test_client().get(path)
    assert response.status_code == 200, path
    return soup(response.data)


def _og(site: Flask, path: str) -> str | None:
    tag = _page(site, path).select_one('meta[property="og:image"]')
    return tag["content"] if tag is not None else None


def test_discovery_order(site: Flask) -> None:
    # front matter wins over featured.jpg; then *feature*, *cover*, *thumbnail*
    assert _og(site, "/posts/frontmatter/").startswith(f"{BASE}/posts/frontmatter/pick.png?v=")
    assert _og(site, "/posts/featured/").startswith(f"{BASE}/posts/featured/featured.jpg?v=")
    # cover before thumbnail; gallery/feature.png is not at the bundle's top level
    assert _og(site, "/posts/covers/").startswith(f"{BASE}/posts/covers/cover.jpg?v=")
    # names match case-insensitively, and anywhere in the name
    assert _og(site, "/posts/upper/").startswith(f"{BASE}/posts/upper/My-Thumbnail.PNG?v=")
    # a site path names another bundle's file; a URL is used as it is
    assert _og(site, "/posts/sitepath/").startswith(f"{BASE}/posts/featured/other.png?v=")
    assert _og(site, "/posts/remote/") == "https://img.example/r.jpg"
    # no feature image: the first image of the body, as before
    assert _og(site, "/posts/bodyonly/").startswith(f"{BASE}/posts/bodyonly/inline.png?v=")


def test_twitter_card_uses_the_feature_image(site: Flask) -> None:
    page = _page(site, "/posts/featured/")
    assert page.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
    image = page.select_one('meta[name="twitter:image"]')["content"]
    assert image == page.select_one('meta[property="og:image"]')["content"]
    assert '"image": ["https://blog.example/posts/featured/featured.jpg?v=' in str(page)


def _hero(site: Flask, path: str) -> Tag:
    header = _page(site, path).select_one("header.post-header")
    assert header is not None
    return header


def test_basic_hero_is_a_responsive_sized_banner(site: Flask) -> None:
    header = _hero(site, "/posts/featured/")
    figure = header.select_one("figure.post-hero.post-hero-basic")
    img = figure.select_one("img.post-hero-img")
    assert img["src"].startswith("/posts/featured/featured.jpg?v=")
    assert (img["width"], img["height"]) == ("1024", "576")
    assert "/posts/featured/featured.jpg?w=800&v=" in img["srcset"] and img["sizes"]
    assert header.select_one(".post-hero-backdrop") is None
    # the hero comes first in the header, before the title
    assert header.find(True) is figure


def test_big_hero_has_its_caption_rendered_safely(site: Flask) -> None:
    figure = _hero(site, "/posts/frontmatter/").select_one("figure.post-hero-big")
    assert figure.select_one("img")["src"].startswith("/posts/frontmatter/pick.png?v=")
    caption = figure.select_one("figcaption.post-hero-caption")
    assert caption.select_one("em").get_text() == "me"
    assert caption.select_one("a")["href"] == "https://x.example"
    assert caption.select_one("script") is None and "alert" not in str(caption)


def test_background_styles(site: Flask) -> None:
    header = _hero(site, "/posts/style-background/")
    backdrop = header.select_one(".post-hero-backdrop.post-hero-backdrop-background")
    assert backdrop["aria-hidden"] == "true"
    img = backdrop.select_one("img")
    # *background* comes first for the image behind the header
    assert img["src"].startswith("/posts/style-background/background.png?v=")
    assert img["alt"] == "" and img["width"] == "1200" and img["height"] == "675"
    assert img["style"] == "object-position: 50% 20%"
    assert header.select_one("figure.post-hero") is None

    header = _hero(site, "/posts/style-thumbandbackground/")
    assert header.select_one(".post-hero-backdrop-thumbAndBackground img")["src"].startswith(
        "/posts/style-thumbandbackground/background.png?v=")
    thumb = header.select_one("figure.post-hero-thumbAndBackground img")
    assert thumb["src"].startswith("/posts/style-thumbandbackground/featured.jpg?v=")


def test_image_position_style_is_allowed_by_the_csp(site: Flask) -> None:
    response = site.test_client().get("/posts/style-basic/")
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy and "unsafe-inline" not in policy
    img = soup(response.data).select_one("figure.post-hero-basic img")
    assert img["style"] == "object-position: 50% 20%"


def test_every_style_shows_the_image(site: Flask) -> None:
    for style in ("basic", "big", "thumbandbackground"):
        figure = _hero(site, f"/posts/style-{style}/").select_one("figure.post-hero")
        assert figure is not None, style
        assert figure.select_one("img")["src"].startswith(f"/posts/style-{style}/featured.jpg")


def test_no_hero_unless_shown(site: Flask) -> None:
    assert _hero(site, "/posts/off/").select_one(".post-hero, .post-hero-backdrop") is None
    assert _hero(site, "/posts/covers/").select_one(".post-hero") is None  # default: off
    # shown, but a remote image is not shown (the CSP allows same-origin images only)
    assert _hero(site, "/posts/remote/").select_one(".post-hero") is None
    # shown, but no feature image: a body image is not a feature image
    assert _hero(site, "/posts/bodyonly/").select_one(".post-hero") is None


def test_cards_show_sized_responsive_lazy_thumbnails(site: Flask) -> None:
    page = _page(site, "/posts/")
    cards = {card.select_one(".card-title a")["href"]: card for card in page.select(".card")}
    img = cards["/posts/featured/"].select_one("figure.card-thumb img")
    assert img["src"].startswith("/posts/featured/featured.jpg?v=")
    assert (img["width"], img["height"], img["alt"]) == ("1024", "576", "")
    assert img["loading"] == "lazy" and "800w" in img["srcset"] and img["sizes"]
    assert cards["/posts/frontmatter/"].select_one(".card-thumb img")["src"].startswith(
        "/posts/frontmatter/pick.png?v=")
    assert cards["/posts/sitepath/"].select_one(".card-thumb img")["src"].startswith(
        "/posts/featured/other.png?v=")
    assert cards["/posts/hidden/"].select_one(".card-thumb") is None  # hideFeatureImage
    assert cards["/posts/remote/"].select_one(".card-thumb") is None
    assert cards["/posts/bodyonly/"].select_one(".card-thumb") is None
    home = _page(site, "/")
    assert home.select_one('.card-thumb img[src^="/posts/featured/featured.jpg"]') is not None


def test_card_thumbnails_take_a_fixed_number_of_queries(site: Flask) -> None:
    """One query for every card's feature image (one more when front matter names a site
    path), never one per card."""
    with site.app_context():
        pages = list(db.session.execute(
            select(Page).where(Page.kind == "page").order_by(Page.url_path)).scalars())
        assert len(pages) > 10

        def queries(some: list[Page]) -> tuple[int, int]:
            statements: list[str] = []

            def seen(*args: object) -> None:
                statements.append(str(args[2]))

            event.listen(db.engine, "before_cursor_execute", seen)
            try:
                found = feature.feature_images(db.session, some, {})
            finally:
                event.remove(db.engine, "before_cursor_execute", seen)
            return len(statements), len(found)

        plain = [p for p in pages if not str(p.param("featureimage") or "").startswith("/")]
        assert queries(plain[:2])[0] == queries(plain)[0] == 1
        assert queries(pages) == (2, 10)  # not: remote, bodyonly, hidden


def test_feed_items_carry_the_feature_image(site: Flask) -> None:
    response = site.test_client().get("/posts/index.xml")
    assert response.status_code == 200
    items = {item.findtext("link"): item
             for item in ElementTree.fromstring(response.data).iter("item")}
    image = items[f"{BASE}/posts/frontmatter/"].find(f"{{{MEDIA}}}content")
    assert image is not None and image.get("medium") == "image"
    assert image.get("url") == f"{BASE}/posts/frontmatter/pick.png"
    assert image.get("type") == "image/png"
    assert image.get("width") == "1200" and image.get("height") == "675"
    covers = items[f"{BASE}/posts/covers/"].find(f"{{{MEDIA}}}content")
    assert covers is not None and covers.get("url") == f"{BASE}/posts/covers/cover.jpg"
    remote = items[f"{BASE}/posts/remote/"].find(f"{{{MEDIA}}}content")
    assert remote is not None and remote.get("url") == "https://img.example/r.jpg"
    assert items[f"{BASE}/posts/bodyonly/"].find(f"{{{MEDIA}}}content") is None


# Last in the file: on PostgreSQL every new app empties the run's one database
# (tests/backends.py), the module's `site` fixture's pages included.
def test_site_default_hero_style(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", HUGO_TOML.replace(
        "[params]", "[params]\n  defaultFeaturedImage = '/posts/a/featured.jpg'\n"
        "  [params.article]\n    showHero = true\n    heroStyle = 'big'\n[params.x]"))
    _bundle(root, "a", "", {"featured.jpg": JPG})
    _bundle(root, "b", "", {})
    app = make_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    for name in ("a", "b"):  # b: the site's defaultFeaturedImage
        img = soup(client.get(f"/posts/{name}/").data).select_one("figure.post-hero-big img")
        assert img["src"].startswith("/posts/a/featured.jpg?v="), name
