"""Lists paginated as Hugo, and the post page's extras: neighbours, related, head metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app, write
from tests.html import soup


def _post(root: Path, name: str, day: int, tags: str = "[]", extra: str = "") -> None:
    write(root, f"posts/{name}.md",
          f"---\ntitle: Post {name}\ndate: 2024-01-{day:02d}\ntags: {tags}\n{extra}---\n"
          f"Text of {name} with ![pic](pic.png).\n")


@pytest.fixture
def site(tmp_path: Path, content_dir: Path) -> Flask:
    app = make_app(tmp_path, PAGE_SIZE=2, SITE_BASE_URL="https://blog.example")
    for day, name in enumerate("abcde", start=1):
        _post(content_dir, name, day, "[shared, odd]" if name in "ace" else "[shared]")
    _post(content_dir, "f", 9, "[shared]", "lastmod: 2024-03-05\n")
    result = app.test_cli_runner().invoke(args=["content", "import", str(content_dir)])
    assert result.exit_code == 0, result.output
    return app


def _titles(client: FlaskClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [a.get_text() for a in soup(response.data).select(".card-title a")]


def test_home_is_paginated_at_hugos_urls(site: Flask) -> None:
    client = site.test_client()
    assert _titles(client, "/") == ["Post f", "Post e"]
    assert _titles(client, "/page/2/") == ["Post d", "Post c"]
    assert _titles(client, "/page/3/") == ["Post b", "Post a"]
    assert client.get("/page/4/").status_code == 404
    first = client.get("/page/1/")
    assert first.status_code == 301 and first.headers["Location"] == "/"
    nav = soup(client.get("/page/2/").data).select_one("nav.pagination")
    assert nav.select_one('a[rel="prev"]')["href"] == "/"
    assert nav.select_one('a[rel="next"]')["href"] == "/page/3/"
    assert "Page 2 of 3" in nav.get_text()


def test_sections_and_terms_are_paginated_too(site: Flask) -> None:
    client = site.test_client()
    assert _titles(client, "/posts/page/2/") == ["Post d", "Post c"]
    assert _titles(client, "/tags/odd/") == ["Post e", "Post c"]
    assert _titles(client, "/tags/odd/page/2/") == ["Post a"]
    assert client.get("/tags/odd/page/3/").status_code == 404
    assert client.get("/posts/page/1/").headers["Location"] == "/posts/"


def test_previous_and_next_posts(site: Flask) -> None:
    page = soup(site.test_client().get("/posts/c/").data)
    assert page.select_one('a[rel="prev"]')["href"] == "/posts/b/"
    assert page.select_one('a[rel="next"]')["href"] == "/posts/d/"
    oldest = soup(site.test_client().get("/posts/a/").data)
    assert oldest.select_one('a[rel="prev"]') is None


def test_related_posts_share_the_most_tags(site: Flask) -> None:
    page = soup(site.test_client().get("/posts/a/").data)
    related = [a["href"] for a in page.select(".related a")]
    assert related[:2] == ["/posts/e/", "/posts/c/"]  # both share "shared" and "odd"
    assert "/posts/a/" not in related and len(related) == 3


def test_updated_date_only_when_lastmod_differs(site: Flask) -> None:
    client = site.test_client()
    updated = soup(client.get("/posts/f/").data).select_one(".updated")
    assert updated is not None and "5 March 2024" in updated.get_text()
    assert soup(client.get("/posts/a/").data).select_one(".updated") is None


def test_head_metadata_canonical_open_graph_and_json_ld(site: Flask) -> None:
    page = soup(site.test_client().get("/posts/f/").data)
    assert page.select_one('link[rel="canonical"]')["href"] == "https://blog.example/posts/f/"
    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og["og:title"] == "Post f" and og["og:url"] == "https://blog.example/posts/f/"
    assert og["og:type"] == "article" and og["article:tag"] == "shared"
    assert page.select_one('meta[name="twitter:card"]')["content"] in ("summary",
                                                                     "summary_large_image")
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "BlogPosting" and data["headline"] == "Post f"
    assert data["datePublished"] == "2024-01-09T00:00:00Z"
    assert data["dateModified"] == "2024-03-05T00:00:00Z"
    assert data["url"] == "https://blog.example/posts/f/"


def test_seed_post_image_is_its_first_image(client: FlaskClient, runner, seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    page = soup(client.get("/posts/the-rise-of-ai-generated-images/").data)
    image = page.select_one('meta[property="og:image"]')["content"]
    assert image.startswith("http://localhost/posts/the-rise-of-ai-generated-images/gallery/")
    assert "dreamstudio1.png" in image


def test_forged_host_never_reaches_other_readers(client: FlaskClient, runner,
                                                 seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    url = "/posts/the-rise-of-ai-generated-images/"
    evil = client.get(url, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" in evil
    honest = client.get(url).get_data(as_text=True)
    assert "evil.example" not in honest


def test_share_link_works_without_javascript(site: Flask) -> None:
    link = soup(site.test_client().get("/posts/a/").data).select_one("a.share-link")
    assert link["href"] == "https://blog.example/posts/a/"
