"""RSS feeds at Hugo's paths: site, sections, taxonomies and terms; published pages only."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image

from app.content.dates import zone
from app.extensions import db as _db
from app.feeds import rss
from app.services.site import queries
from tests.conftest import make_app, write
from tests.html import soup

SEED = "/posts/the-rise-of-ai-generated-images/"
SEED_TITLE = "The Rise of AI-Generated Images: A Creative Revolution"
SECOND = "/posts/second-post/"
SECOND_TITLE = 'Second post: "Ampersands" & <angles>'
RSS_TYPE = "application/rss+xml; charset=utf-8"
HIDDEN_TITLES = ("Draft post", "Future post", "Expired post", "Not in XML")
HIDDEN_TAGS = ("secret-tag", "future-tag", "expired-tag")


def write_site(root: Path) -> Path:
    """Extra pages next to the seed: odd tags, sections, and pages readers must not see."""
    write(root, "posts/second-post.md", (
        "---\ntitle: 'Second post: \"Ampersands\" & <angles>'\ndate: 2023-09-02T10:30:00Z\n"
        "lastmod: 2024-01-02\ntags: [\"Dream Studio\", \"C++\"]\ncategories: [\"Guides\"]\n"
        "---\n\nSee [the first post](/posts/the-rise-of-ai-generated-images/) and "
        "[below](#later).\n\n![A picture](/img/pic.png)\n\n<!--more-->\n\n"
        "## Later\n\nSECOND-BODY-ONLY text.\n"))
    write(root, "posts/second-post.fr.md",
          "---\ntitle: Deuxième article\ndate: 2023-09-03\ntags: [\"Français\"]\n---\n\nBonjour.\n")
    write(root, "posts/draft-post.md", "---\ntitle: Draft post\ndate: 2023-09-05\ndraft: true\n"
          "tags: [\"AI\", \"Secret Tag\"]\n---\n\nDRAFT-TEXT\n")
    write(root, "posts/future-post.md", "---\ntitle: Future post\ndate: 2999-01-01\n"
          "tags: [\"AI\", \"Future Tag\"]\n---\n\nFUTURE-TEXT\n")
    write(root, "posts/expired-post.md", "---\ntitle: Expired post\ndate: 2023-01-01\n"
          "expiryDate: 2023-06-01\ntags: [\"AI\", \"Expired Tag\"]\n---\n\nEXPIRED-TEXT\n")
    write(root, "posts/not-in-xml.md", "---\ntitle: Not in XML\ndate: 2023-09-04\nxml: false\n"
          "tags: [\"AI\"]\n---\n\nHTML only.\n")
    write(root, "posts/no-sitemap.md", "---\ntitle: No sitemap\ndate: 2023-02-01\n"
          "sitemap:\n  disable: true\n---\n\nIn feeds, not in the sitemap.\n")
    write(root, "notes/first-note.md", "---\ntitle: First note\ndate: 2023-10-01\n"
          "tags: [\"C++\"]\n---\n\nA note.\n")
    write(root, "guides/_index.md", "---\ntitle: Guides Hub\n---\n\nAll the guides.\n")
    write(root, "guides/guide-one.md", "---\ntitle: Guide one\ndate: 2023-07-01\n---\n\nStep.\n")
    write(root, "about.md", "---\ntitle: About\ndate: 2023-05-01\n---\n\nAbout me.\n")
    write(root, "tags/_index.md", "---\ntitle: All Tags\n---\n")
    return root


def other_app(tmp_path: Path, name: str, **overrides: object) -> Flask:
    """A second app with other settings, on a database of its own."""
    folder = tmp_path / name
    folder.mkdir()
    return make_app(folder, **overrides)


def import_site(app: Flask, root: Path) -> None:
    """Import a content folder through the CLI."""
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def site(runner: FlaskCliRunner, seed_dir: Path) -> Path:
    """The seed plus the extra pages, imported."""
    write_site(seed_dir)
    result = runner.invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return seed_dir


def parse(client: FlaskClient, url: str, **headers: str) -> feedparser.FeedParserDict:
    """Fetch a feed and parse it, asserting it is well-formed RSS 2.0."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"] == RSS_TYPE
    feed = feedparser.parse(response.data)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    assert feed.version == "rss20"
    return feed


def _feed_urls(client: FlaskClient) -> list[str]:
    tags = parse(client, "/tags/index.xml")
    terms = [entry.link.removeprefix("http://localhost") + "index.xml" for entry in tags.entries]
    return ["/index.xml", "/posts/index.xml", "/notes/index.xml", "/guides/index.xml",
            "/tags/index.xml", "/categories/index.xml", "/categories/guides/index.xml", *terms]


def test_site_feed_lists_the_main_section_newest_first(site: Path, client: FlaskClient) -> None:
    feed = parse(client, "/index.xml")
    assert feed.feed.title == "AI Images Blog"
    assert feed.feed.link == "http://localhost/"
    assert feed.feed.description == "Recent content on AI Images Blog"
    assert feed.feed.language == "en"
    assert feed.feed.generator == rss.GENERATOR
    assert [e.title for e in feed.entries] == [SECOND_TITLE, SEED_TITLE, "No sitemap"]
    assert [e.link for e in feed.entries][:2] == [f"http://localhost{SECOND}",
                                                 f"http://localhost{SEED}"]
    assert all(e.id == e.link for e in feed.entries)
    assert feed.entries[0].published == "Sat, 02 Sep 2023 10:30:00 +0000"
    assert feed.entries[1].published_parsed[:3] == (2023, 8, 3)
    assert feed.feed.updated_parsed[:3] == (2024, 1, 2)  # the newest lastmod
    assert {link.rel: link.href for link in feed.feed.links}["self"] == (
        "http://localhost/index.xml")


def test_summary_is_the_default_content(site: Path, client: FlaskClient) -> None:
    entries = {e.title: e for e in parse(client, "/index.xml").entries}
    seed = entries[SEED_TITLE].summary
    assert "Introduction" in seed and "In recent years" in seed
    assert "Conclusion" not in seed
    second = entries[SECOND_TITLE].summary
    assert "SECOND-BODY-ONLY" not in second
    # Site-relative links and images are made absolute; fragments point at the post.
    assert 'href="http://localhost/posts/the-rise-of-ai-generated-images/"' in second
    assert f'href="http://localhost{SECOND}#later"' in second
    assert 'src="http://localhost/img/pic.png"' in second


def test_full_content_by_setting(tmp_path: Path, seed_dir: Path) -> None:
    app = other_app(tmp_path, "full", FEED_CONTENT="full")
    import_site(app, write_site(seed_dir))
    entries = {e.title: e for e in parse(app.test_client(), "/index.xml").entries}
    seed = entries[SEED_TITLE].summary
    assert "Conclusion" in seed and "Introduction" in seed
    assert "blog:comments" not in seed
    assert "carousel" in seed
    assert "http://localhost/posts/the-rise-of-ai-generated-images/gallery/" in seed
    assert "SECOND-BODY-ONLY" in entries[SECOND_TITLE].summary


def test_feed_limit_setting(tmp_path: Path, seed_dir: Path) -> None:
    app = other_app(tmp_path, "limited", FEED_LIMIT=1)
    import_site(app, write_site(seed_dir))
    client = app.test_client()
    assert [e.title for e in parse(client, "/index.xml").entries] == [SECOND_TITLE]
    assert len(parse(client, "/tags/index.xml").entries) == 1


def test_site_base_url_setting(tmp_path: Path, seed_dir: Path) -> None:
    app = other_app(tmp_path, "based", SITE_BASE_URL="https://blog.example.org")
    import_site(app, write_site(seed_dir))
    feed = parse(app.test_client(), "/posts/index.xml")
    assert feed.feed.link == "https://blog.example.org/posts/"
    assert all(e.link.startswith("https://blog.example.org/posts/") for e in feed.entries)


def test_section_feeds(site: Path, client: FlaskClient) -> None:
    posts = parse(client, "/posts/index.xml")
    assert posts.feed.title == "Posts on AI Images Blog"
    assert posts.feed.description == "Recent content in Posts on AI Images Blog"
    assert [e.title for e in posts.entries] == [SECOND_TITLE, SEED_TITLE, "No sitemap"]
    notes = parse(client, "/notes/index.xml")  # a section without _index.md
    assert [e.link for e in notes.entries] == ["http://localhost/notes/first-note/"]
    guides = parse(client, "/guides/index.xml")
    assert guides.feed.title == "Guides Hub on AI Images Blog"
    assert guides.feed.link == "http://localhost/guides/"
    assert [e.title for e in guides.entries] == ["Guide one"]
    # Regular pages, unknown sections and translations' sections have no feed.
    for url in ("/about/index.xml", f"{SEED}index.xml", "/nope/index.xml", "/fr/index.xml"):
        assert client.get(url).status_code == 404, url


def test_seed_tag_feeds(site: Path, client: FlaskClient) -> None:
    for slug in ("ai", "dall-e", "midjourney", "dream-studio"):
        feed = parse(client, f"/tags/{slug}/index.xml")
        assert f"http://localhost{SEED}" in [e.link for e in feed.entries], slug
        assert feed.feed.link == f"http://localhost/tags/{slug}/"
    studio = parse(client, "/tags/dream-studio/index.xml")
    assert studio.feed.title == "Dream Studio on AI Images Blog"
    assert [e.title for e in studio.entries] == [SECOND_TITLE, SEED_TITLE]
    cpp = parse(client, "/tags/c++/index.xml")
    assert cpp.feed.title == "C++ on AI Images Blog"
    assert [e.title for e in cpp.entries] == ["First note", SECOND_TITLE]
    guides = parse(client, "/categories/guides/index.xml")
    assert [e.title for e in guides.entries] == [SECOND_TITLE]
    for url in ("/tags/nope/index.xml", "/tags/AI-nope/index.xml", "/categories/ai/index.xml",
                "/tags/fran%C3%A7ais/index.xml"):
        assert client.get(url).status_code == 404, url


def test_taxonomy_feed_has_one_item_per_term(site: Path, client: FlaskClient) -> None:
    feed = parse(client, "/tags/index.xml")
    assert feed.feed.title == "All Tags on AI Images Blog"  # from content/tags/_index.md
    assert {e.title for e in feed.entries} == {"AI", "C++", "DALL-E", "Dream Studio",
                                               "Midjourney"}
    assert feed.entries[0].title == "C++"  # the most recently used term first
    for entry in feed.entries:
        assert entry.link.startswith("http://localhost/tags/")
        assert client.get(entry.link.removeprefix("http://localhost")).status_code == 200
    assert [e.title for e in parse(client, "/categories/index.xml").entries] == ["Guides"]


def test_hidden_pages_are_in_no_feed(site: Path, client: FlaskClient) -> None:
    for url in _feed_urls(client):
        response = client.get(url)
        text = response.get_data(as_text=True)
        for title in HIDDEN_TITLES:
            assert title not in text, (url, title)
        for marker in ("DRAFT-TEXT", "FUTURE-TEXT", "EXPIRED-TEXT", *HIDDEN_TAGS):
            assert marker not in text, (url, marker)
    for tag in HIDDEN_TAGS:
        assert client.get(f"/tags/{tag}/index.xml").status_code == 404, tag


def test_future_post_appears_once_its_time_comes(site: Path, client: FlaskClient,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Future post" not in [e.title for e in parse(client, "/index.xml").entries]
    monkeypatch.setattr(queries, "utcnow", lambda: datetime(3000, 1, 1))
    assert parse(client, "/index.xml").entries[0].title == "Future post"
    assert client.get("/tags/future-tag/index.xml").status_code == 200


def test_reimport_refreshes_cached_feeds(app: Flask, site: Path, client: FlaskClient) -> None:
    assert len(parse(client, "/notes/index.xml").entries) == 1
    write(site, "notes/second-note.md", "---\ntitle: Second note\ndate: 2023-11-01\n---\n\nN.\n")
    import_site(app, site)
    assert [e.title for e in parse(client, "/notes/index.xml").entries] == [
        "Second note", "First note"]


def test_a_change_made_through_another_worker_shows_in_cached_feeds(
        app: Flask, site: Path, tmp_path: Path) -> None:
    # A second app on the same database stands for another worker or host: its cached
    # bodies must follow the site generation it reads from the database on every request.
    other = other_app(tmp_path, "other-worker",
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    reader = other.test_client()
    try:
        assert [e.title for e in parse(reader, "/notes/index.xml").entries] == ["First note"]
        assert "/notes/second-note/" not in reader.get("/sitemap.xml").get_data(as_text=True)
        write(site, "notes/second-note.md",
              "---\ntitle: Second note\ndate: 2023-11-01\n---\n\nN.\n")
        import_site(app, site)
        assert [e.title for e in parse(reader, "/notes/index.xml").entries] == [
            "Second note", "First note"]
        assert "/notes/second-note/" in reader.get("/sitemap.xml").get_data(as_text=True)
    finally:
        with other.app_context():
            _db.engine.dispose()


def test_conditional_get_and_cache_headers(site: Path, client: FlaskClient) -> None:
    first = client.get("/tags/ai/index.xml")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/tags/ai/index.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get("/index.xml", headers={"If-None-Match": etag}).status_code == 200


def test_host_header_does_not_leak_through_the_cache(site: Path, client: FlaskClient) -> None:
    evil = client.get("/index.xml", base_url="http://evil.example/").get_data(as_text=True)
    assert "http://evil.example/posts/" in evil
    feed = parse(client, "/index.xml")
    assert all(e.link.startswith("http://localhost/") for e in feed.entries)
    # A Host that is not a plain host name never reaches the XML.
    hostile = client.get("/index.xml", headers={"Host": 'evil"<x>&y'})
    assert hostile.status_code == 400


def test_featured_image_becomes_media_content(app: Flask, content_dir: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(picture, "PNG")
    write(content_dir, "posts/with-cover/index.md",
          "---\ntitle: Covered\ndate: 2024-01-01\n---\n\nx\n")
    write(content_dir, "posts/with-cover/gallery/feature-not-root.png", picture.getvalue())
    write(content_dir, "posts/with-cover/my-Featured.png", picture.getvalue())
    write(content_dir, "posts/plain.md", "---\ntitle: Plain\ndate: 2023-01-01\n---\n\ny\n")
    import_site(app, content_dir)
    entries = parse(app.test_client(), "/posts/index.xml").entries
    assert entries[0].media_content[0]["url"] == (
        "http://localhost/posts/with-cover/my-Featured.png")
    assert "media_content" not in entries[1]


def test_home_page_advertises_the_feed(site: Path, client: FlaskClient) -> None:
    for url in ("/", SEED, "/tags/"):
        links = soup(client.get(url).data).select('head link[rel="alternate"]')
        feeds = [link for link in links if link.get("type") == "application/rss+xml"]
        assert [link["href"] for link in feeds][:1] == ["/index.xml"], url
        assert feeds[0]["title"] == "AI Images Blog"


def test_empty_site_feeds_are_valid(client: FlaskClient) -> None:
    feed = parse(client, "/index.xml")
    assert feed.entries == []
    assert parse(client, "/tags/index.xml").entries == []
    assert client.get("/posts/index.xml").status_code == 404


def test_unknown_method_and_head(site: Path, client: FlaskClient) -> None:
    head = client.head("/index.xml")
    assert head.status_code == 200
    assert head.headers["Content-Type"] == RSS_TYPE
    assert client.post("/index.xml").status_code == 405


def test_builder_cleans_text_and_formats_dates() -> None:
    channel = rss.Channel("Bad\x0btitle", "https://x.test/", "d", "en",
                          "https://x.test/index.xml", datetime(2024, 2, 29, 23, 5, 9))
    item = rss.Item("T\x00 & <i>", "https://x.test/p/", datetime(2024, 2, 29, 23, 5, 9),
                    "<p>x\x1f</p>", "https://x.test/p/feature.png")
    feed = feedparser.parse(rss.build_rss(channel, [item]))
    assert not feed.bozo
    assert feed.feed.title == "Badtitle"
    assert feed.entries[0].title == "T & <i>"
    assert feed.entries[0].published == "Thu, 29 Feb 2024 23:05:09 +0000"
    assert feed.entries[0].media_content[0]["url"] == "https://x.test/p/feature.png"
    paris = zone("Europe/Paris")
    assert rss.rfc822(datetime(2024, 7, 1, 12, 0), paris) == "Mon, 01 Jul 2024 14:00:00 +0200"
    assert rss.w3c(datetime(2024, 1, 1, 12, 0), paris) == "2024-01-01T13:00:00+01:00"


def test_absolutize_rewrites_only_site_relative_urls() -> None:
    html = ('<a href="/a/">a</a><a href="//cdn.test/x">b</a><a href="https://o.test/">c</a>'
            '<a href="#h">d</a><img src="/i.png" srcset="/i-800.png 800w, /i-1280.png 1280w">')
    out = rss.absolutize(html, "https://s.test", "https://s.test/p/")
    assert 'href="https://s.test/a/"' in out
    assert 'href="//cdn.test/x"' in out and 'href="https://o.test/"' in out
    assert 'href="https://s.test/p/#h"' in out
    assert 'srcset="https://s.test/i-800.png 800w, https://s.test/i-1280.png 1280w"' in out

