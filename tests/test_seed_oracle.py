"""The seed article as served matches what Hugo 0.161 itself produced (hugo-oracle.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from tests.html import soup
from tests.shared import SEED_ORACLE, require

POST_URL = "/posts/the-rise-of-ai-generated-images/"


def _oracle_page() -> dict:
    pages = json.loads(require(SEED_ORACLE).read_text(encoding="utf-8"))["pages"]
    return next(p for p in pages if p["kind"] == "page")


@pytest.fixture
def served(runner: FlaskCliRunner, client: FlaskClient, seed_dir: Path) -> tuple[dict, object]:
    result = runner.invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    oracle = _oracle_page()
    response = client.get(oracle["relpermalink"])
    assert response.status_code == 200
    page = soup(response.data)
    page.raw = response.get_data(as_text=True)
    return oracle, page


def test_url_is_hugos(served: tuple[dict, object]) -> None:
    oracle, _ = served
    assert oracle["relpermalink"] == POST_URL


def test_title_matches(served: tuple[dict, object]) -> None:
    oracle, page = served
    assert page.select_one("h1").get_text(strip=True) == oracle["title"]
    assert page.title.get_text().startswith(oracle["title"])


def test_date_matches(served: tuple[dict, object]) -> None:
    oracle, page = served
    time = page.select_one(".post-header time")
    assert time["datetime"] == oracle["date"].replace("Z", "+00:00")
    assert time.get_text() == "3 August 2023"


def test_tags_and_their_urls_match(served: tuple[dict, object]) -> None:
    oracle, page = served
    links = page.select(".post-header .tags a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        (t["name"], t["relpermalink"]) for t in oracle["tags"]
    ]


def test_tag_pages_exist_where_hugo_puts_them(served: tuple[dict, object],
                                             client: FlaskClient) -> None:
    oracle, _ = served
    for tag in oracle["tags"]:
        response = client.get(tag["relpermalink"])
        assert response.status_code == 200, tag
        assert soup(response.data).select_one("h1").get_text(strip=True) == tag["name"]
        assert POST_URL in response.get_data(as_text=True)


def test_heading_ids_match(served: tuple[dict, object]) -> None:
    oracle, page = served
    headings = page.select(".prose h1[id], .prose h2[id], .prose h3[id], .prose h4[id]")
    served_ids = [(int(h.name[1]), h["id"]) for h in headings if h["id"] != "comments-title"]
    assert served_ids == [(h["level"], h["id"]) for h in oracle["headings"]]


def test_toc_is_hugos_markup(served: tuple[dict, object]) -> None:
    oracle, page = served
    # Byte for byte: the same nesting, indentation and titles as Hugo's .TableOfContents.
    assert oracle["tableOfContents"] in page.raw


def test_reading_time_matches(served: tuple[dict, object]) -> None:
    oracle, page = served
    meta = page.select_one(".post-header .meta").get_text(" ", strip=True)
    assert f"{oracle['readingTime']} mins" in meta
    # Hugo counts the five words of the literal `{{ partial "disqus.html" . }}` line; here that
    # line is the comment section, not text, so the count is five lower.
    assert f"{oracle['wordCount'] - 5} words" in meta


def test_summary_matches(served: tuple[dict, object], client: FlaskClient) -> None:
    oracle, _ = served
    home = soup(client.get("/").data)
    card = next(c for c in home.select(".card") if c.select_one(f'a[href="{POST_URL}"]'))
    text = " ".join(card.select_one(".summary").get_text(" ").split())
    expected = " ".join(oracle["summaryUnescaped"].split())
    assert text == expected
