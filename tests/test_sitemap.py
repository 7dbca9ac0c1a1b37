"""/sitemap.xml lists exactly the published pages; /robots.txt points to it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Page
from app.services.site import queries
from tests.conftest import write
from tests.test_feeds import SECOND, SEED, import_site, other_app, write_site

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
XML_TYPE = "application/xml; charset=utf-8"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
ROOT = "http://localhost"
EXPECTED = {"/", "/posts/", SEED, SECOND, "/fr/posts/second-post/", "/notes/",
            "/notes/first-note/", "/guides/", "/guides/guide-one/", "/about/"}


@pytest.fixture
def site(runner: FlaskCliRunner, seed_dir: Path) -> Path:
    """The seed plus pages of every kind, imported."""
    write_site(seed_dir)
    result = runner.invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return seed_dir


def read_sitemap(client: FlaskClient) -> dict[str, str | None]:
    """Fetch and parse the sitemap: {path: lastmod}, asserting no URL appears twice."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML_TYPE
    root = ElementTree.fromstring(response.data)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    found: dict[str, str | None] = {}
    for url in root.findall("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc is not None and loc.startswith(ROOT + "/"), loc
        path = loc.removeprefix(ROOT)
        assert path not in found, f"duplicate {path}"
        found[path] = url.findtext("s:lastmod", namespaces=NS)
        assert url.findtext("s:changefreq", namespaces=NS) == "daily"
        assert url.findtext("s:priority", namespaces=NS) == "0.5"
    return found


def _published_paths(app: Flask) -> set[str]:
    """What the database says readers may see, with Blowfish's exclusions."""
    with app.app_context():
        pages = _db.session.execute(select(Page).where(queries.published())).scalars()
        paths = {"/"}
        for page in pages:
            if page.kind in ("taxonomy", "term") or (
                    page.kind == "section" and page.section in app.config["TAXONOMIES"]):
                continue
            if page.param("xml") is False or (page.param("sitemap") or {}).get("disable"):
                continue
            paths.add(page.url_path)
            if page.kind == "page" and page.section and page.lang == "en":
                paths.add(f"/{page.section}/")
        return paths


def test_sitemap_lists_exactly_the_published_pages(app: Flask, site: Path,
                                                   client: FlaskClient) -> None:
    found = read_sitemap(client)
    assert set(found) == _published_paths(app)
    assert set(found) == EXPECTED
    assert next(iter(found)) == "/"


def test_every_listed_url_is_served(site: Path, client: FlaskClient) -> None:
    for path in read_sitemap(client):
        assert client.get(path).status_code == 200, path


def test_hidden_pages_and_taxonomies_are_left_out(site: Path, client: FlaskClient) -> None:
    text = client.get("/sitemap.xml").get_data(as_text=True)
    for slug in ("draft-post", "future-post", "expired-post", "not-in-xml", "no-sitemap",
                 "/tags/", "/categories/"):
        assert slug not in text, slug


def test_lastmod_is_the_pages_lastmod_or_date(site: Path, client: FlaskClient) -> None:
    found = read_sitemap(client)
    assert all(value is not None and W3C.match(value) for value in found.values()), found
    assert found[SEED] == "2023-08-03T00:00:00+00:00"  # as Hugo's reference build
    assert found[SECOND] == "2024-01-02T00:00:00+00:00"  # front matter lastmod wins
    assert found["/posts/"] == "2024-01-02T00:00:00+00:00"  # the newest in the section
    assert found["/guides/"] == "2023-07-01T00:00:00+00:00"  # _index.md without a date
    assert found["/"] == "2024-01-02T00:00:00+00:00"


def test_seed_alone_matches_hugos_reference(client: FlaskClient, runner: FlaskCliRunner,
                                            seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    assert read_sitemap(client) == {
        "/": "2023-08-03T00:00:00+00:00",
        "/posts/": "2023-08-03T00:00:00+00:00",
        SEED: "2023-08-03T00:00:00+00:00",
    }


def test_empty_site_has_only_the_home_page(client: FlaskClient) -> None:
    assert read_sitemap(client) == {"/": None}


def test_future_page_joins_when_its_time_comes(site: Path, client: FlaskClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert "/posts/future-post/" not in read_sitemap(client)
    monkeypatch.setattr(queries, "utcnow", lambda: datetime(3000, 1, 1))
    found = read_sitemap(client)
    assert "/posts/future-post/" in found
    assert "/posts/expired-post/" not in found


def test_reimport_updates_the_sitemap(app: Flask, site: Path, client: FlaskClient) -> None:
    assert "/notes/second-note/" not in read_sitemap(client)
    write(site, "notes/second-note.md", "---\ntitle: Second note\ndate: 2023-11-01\n---\n\nN.\n")
    import_site(app, site)
    assert read_sitemap(client)["/notes/second-note/"] == "2023-11-01T00:00:00+00:00"


def test_sitemap_conditional_get(site: Path, client: FlaskClient) -> None:
    etag = client.get("/sitemap.xml").headers["ETag"]
    assert client.get("/sitemap.xml", headers={"If-None-Match": etag}).status_code == 304


def test_robots_txt_points_to_the_sitemap(site: Path, client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Disallow: /" not in lines
    etag = response.headers["ETag"]
    assert client.get("/robots.txt", headers={"If-None-Match": etag}).status_code == 304


def test_site_base_url_in_sitemap_and_robots(tmp_path: Path, seed_dir: Path) -> None:
    app = other_app(tmp_path, "based", SITE_BASE_URL="https://blog.example.org/")
    import_site(app, seed_dir)
    client = app.test_client()
    root = ElementTree.fromstring(client.get("/sitemap.xml").data)
    locs = [url.findtext("s:loc", namespaces=NS) for url in root.findall("s:url", NS)]
    assert locs == ["https://blog.example.org/", "https://blog.example.org/posts/",
                    f"https://blog.example.org{SEED}"]
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://blog.example.org/sitemap.xml" in robots.splitlines()
