"""The reader's side through the Flask test client: pages, lists, files, redirects, 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import write
from tests.html import soup

POST = "/posts/the-rise-of-ai-generated-images/"


def _import(runner: FlaskCliRunner, path: Path) -> None:
    result = runner.invoke(args=["content", "import", str(path)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def seeded(runner: FlaskCliRunner, seed_dir: Path) -> Path:
    _import(runner, seed_dir)
    return seed_dir


def test_post_page_shows_the_article(seeded: Path, client: FlaskClient) -> None:
    response = client.get(POST)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = soup(response.data)
    assert page.select_one("h1").get_text() == (
        "The Rise of AI-Generated Images: A Creative Revolution"
    )
    meta = page.select_one(".post-header .meta").get_text(" ", strip=True)
    assert meta.startswith("3 August 2023")
    assert "4 mins" in meta
    assert page.select_one("aside.toc #TableOfContents") is not None


def test_disqus_partial_becomes_the_comment_section(seeded: Path, client: FlaskClient) -> None:
    text = client.get(POST).get_data(as_text=True)
    assert 'partial "disqus.html"' not in text
    assert "partial &ldquo;disqus.html&rdquo;" not in text
    page = soup(text)
    comments = page.select("#comments")
    assert len(comments) == 1
    # It stands where the partial was: right after the conclusion, inside the article body.
    previous = comments[0].find_previous_sibling("p")
    assert previous.get_text().startswith("AI-generated images mark a new era")
    assert comments[0].find_parent(class_="prose") is not None


def test_two_carousels_with_the_bundle_images(seeded: Path, client: FlaskClient) -> None:
    page = soup(client.get(POST).data)
    carousels = page.select(".carousel")
    assert [c["data-interval"] for c in carousels] == ["2500", "2500"]
    first = [img["src"].rsplit("/", 1)[1].split("?")[0] for img in carousels[0].select("img")]
    second = [img["src"].rsplit("/", 1)[1].split("?")[0] for img in carousels[1].select("img")]
    assert first == [f"dreamstudio{n}.png" for n in range(1, 5)]
    assert second == [f"bing-Dall-E{n}.jpg" for n in range(1, 5)]
    for img in carousels[0].select("img") + carousels[1].select("img"):
        assert img["src"].startswith(POST + "gallery/")
        assert int(img["width"]) > 0 and int(img["height"]) > 0
    assert page.select_one('script[src*="carousel.js"]') is not None


def test_markdown_image_points_at_the_bundle_with_its_size(seeded: Path,
                                                           client: FlaskClient) -> None:
    page = soup(client.get(POST).data)
    img = page.select_one('img[alt="Community generated images"]')
    assert img["src"].startswith(POST + "gallery/midjourney.png?v=")
    assert img["width"] and img["height"]
    assert img["loading"] == "lazy"
    # A 1200 px image gets an 800 px WebP variant in srcset.
    assert "?w=800&v=" in img["srcset"] and img["srcset"].endswith(" 1200w")
    assert img["sizes"]


def test_image_variants_are_webp_and_immutable(seeded: Path, client: FlaskClient) -> None:
    import io

    from PIL import Image

    page = soup(client.get(POST).data)
    srcset = page.select_one('img[alt="Community generated images"]')["srcset"]
    url = srcset.split(",")[0].split()[0]
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert Image.open(io.BytesIO(response.data)).size[0] == 800
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get(url.replace("w=800", "w=801")).status_code == 404
    assert "immutable" not in client.get(POST + "gallery/midjourney.png").headers[
        "Cache-Control"]


def test_raw_html_and_external_links_as_blowfish(seeded: Path, client: FlaskClient) -> None:
    page = soup(client.get(POST).data)
    assert "Cost: 115 credits cost 15$.<br/>" in str(page) or "15$.<br>" in str(page)
    link = page.select_one('h3 a[href="https://openai.com/dall-e-2"]')
    assert link["target"] == "_blank"
    assert "noopener" in link["rel"]


def test_bundle_file_is_served_with_type_and_etag(seeded: Path, client: FlaskClient) -> None:
    url = POST + "gallery/midjourney.png"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == (seeded / "posts/the-rise-of-ai-generated-images/gallery/"
                             "midjourney.png").read_bytes()
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_missing_bundle_file_is_404(seeded: Path, client: FlaskClient) -> None:
    assert client.get(POST + "gallery/nope.png").status_code == 404
    assert client.get(POST + "../../etc/passwd").status_code == 404


def test_url_without_trailing_slash_redirects(seeded: Path, client: FlaskClient) -> None:
    response = client.get(POST.rstrip("/"))
    assert response.status_code == 301
    assert response.headers["Location"] == POST


def test_home_lists_posts_newest_first_with_summaries(runner: FlaskCliRunner,
                                                      content_dir: Path,
                                                      client: FlaskClient) -> None:
    write(content_dir, "posts/old.md", "---\ntitle: Old\ndate: 2020-01-01\n---\nOld text.\n")
    write(content_dir, "posts/new.md", "---\ntitle: New\ndate: 2024-01-01\n---\nNew text.\n")
    write(content_dir, "posts/draft.md", "---\ntitle: Draft\ndate: 2025-01-01\ndraft: true\n---\n")
    _import(runner, content_dir)
    page = soup(client.get("/").data)
    titles = [a.get_text() for a in page.select(".card-title a")]
    assert titles == ["New", "Old"]
    assert page.select_one(".card .summary").get_text(strip=True) == "New text."


def test_tags_page_lists_every_tag_with_its_count(seeded: Path, runner: FlaskCliRunner,
                                                  client: FlaskClient) -> None:
    extra = seeded / "posts" / "extra.md"
    extra.write_text("---\ntitle: Extra\ndate: 2024-02-02\ntags: [ai]\n---\nMore.\n")
    _import(runner, seeded)
    page = soup(client.get("/tags/").data)
    entries = {a["href"]: a.select_one(".count").get_text(" ", strip=True)
               for a in page.select(".term-cloud a")}
    assert entries == {
        "/tags/ai/": "2 posts",
        "/tags/dall-e/": "1 post",
        "/tags/dream-studio/": "1 post",
        "/tags/midjourney/": "1 post",
    }


def test_tag_page_lists_its_posts(seeded: Path, client: FlaskClient) -> None:
    page = soup(client.get("/tags/dream-studio/").data)
    assert page.select_one("h1").get_text() == "Dream Studio"
    assert [a["href"] for a in page.select(".card-title a")] == [POST]


def test_unknown_tag_and_unknown_page_are_404_in_the_site_design(seeded: Path,
                                                                  client: FlaskClient) -> None:
    for url in ("/tags/nope/", "/nope/", "/posts/nope/", "/a/b/c/d"):
        response = client.get(url)
        assert response.status_code == 404, url
        page = soup(response.data)
        assert page.select_one("h1").get_text() == "Page not found"
        assert page.select_one(".site-header") is not None


def test_section_without_index_file_lists_its_pages(seeded: Path, client: FlaskClient) -> None:
    page = soup(client.get("/posts/").data)
    assert page.select_one("h1").get_text() == "Posts"
    assert [a["href"] for a in page.select(".card-title a")] == [POST]


def test_toc_hidden_unless_the_post_asks(runner: FlaskCliRunner, content_dir: Path,
                                         client: FlaskClient) -> None:
    write(content_dir, "posts/a.md", "---\ntitle: A\n---\n## One\n\n## Two\n")
    write(content_dir, "posts/b.md", "---\ntitle: B\nshowTableOfContents: true\n---\n## One\n")
    write(content_dir, "posts/c.md", "---\ntitle: C\nshowTableOfContents: true\n---\nNo heads\n")
    _import(runner, content_dir)
    assert soup(client.get("/posts/a/").data).select_one("#TableOfContents") is None
    shown = soup(client.get("/posts/b/").data)
    assert shown.select_one("#TableOfContents") is not None
    assert shown.select_one('script[src*="toc.js"]') is not None
    assert soup(client.get("/posts/c/").data).select_one("#TableOfContents") is None


def test_front_matter_false_overrides_site_defaults(runner: FlaskCliRunner, content_dir: Path,
                                                    client: FlaskClient) -> None:
    write(content_dir, "posts/a.md",
          "---\ntitle: A\ndate: 2023-01-02\nshowDate: false\nshowWordCount: false\n---\nHi\n")
    _import(runner, content_dir)
    meta = soup(client.get("/posts/a/").data).select_one(".post-header .meta")
    assert meta.select_one("time") is None
    assert "word" not in meta.get_text()
    assert "1 min" in meta.get_text()


def test_reimport_shows_the_change_on_the_next_request(runner: FlaskCliRunner,
                                                       content_dir: Path,
                                                       client: FlaskClient) -> None:
    path = write(content_dir, "posts/a.md", "---\ntitle: Before\n---\nText one.\n")
    _import(runner, content_dir)
    assert "Before" in client.get("/posts/a/").get_data(as_text=True)
    assert "Before" in client.get("/").get_data(as_text=True)
    path.write_text("---\ntitle: After\n---\nText two.\n")
    _import(runner, content_dir)
    body = client.get("/posts/a/").get_data(as_text=True)
    assert "After" in body and "Text two." in body and "Before" not in body
    assert "After" in client.get("/").get_data(as_text=True)


def test_escaped_shortcodes_print_literally(runner: FlaskCliRunner, content_dir: Path,
                                            client: FlaskClient) -> None:
    write(content_dir, "posts/a.md",
          '---\ntitle: A\n---\nUse `{{</* carousel images="x" */>}}` like this.\n')
    _import(runner, content_dir)
    code = soup(client.get("/posts/a/").data).select_one(".prose code")
    assert code.get_text() == '{{< carousel images="x" >}}'


def test_a_front_matter_url_naming_a_file_is_served(runner: FlaskCliRunner, content_dir: Path,
                                                    client: FlaskClient) -> None:
    write(content_dir, "posts/a.md", "---\ntitle: Custom\nurl: /custom.html\n---\nHello.\n")
    _import(runner, content_dir)
    response = client.get("/custom.html")
    assert response.status_code == 200
    assert soup(response.data).select_one("h1").get_text() == "Custom"


def test_section_and_term_pages_advertise_their_feeds(seeded: Path, client: FlaskClient) -> None:
    section = soup(client.get("/posts/").data)
    assert section.select_one('link[type="application/rss+xml"][href="/posts/index.xml"]')
    term = soup(client.get("/tags/ai/").data)
    assert term.select_one('link[type="application/rss+xml"][href="/tags/ai/index.xml"]')
