"""Blowfish's article furniture on the post page, each on its own param (hugo-compat.md 1b):
the series box and the series' previous/next (series, series_order, seriesOpened),
breadcrumbs (showBreadcrumbs; list.showBreadcrumbs on lists), the edit link (showEdit,
editURL, editAppendPath), the zen mode button (showZenMode) and the smart table of contents
(site params smartTOC, smartTOCHideUnfocusedChildren). With Blowfish's defaults none shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from tests.conftest import make_app, write
from tests.html import soup

TAXONOMIES = '[taxonomies]\n  tag = "tags"\n  category = "categories"\n  series = "series"\n'
FURNISHED = (
    'title = "Furnished"\n' + TAXONOMIES
    + "[params]\n  smartTOC = true\n  smartTOCHideUnfocusedChildren = true\n"
    "[params.list]\n  showBreadcrumbs = true\n"
    "[params.article]\n  showBreadcrumbs = true\n  showEdit = true\n"
    '  editURL = "https://github.com/me/site/edit/main/content"\n'
    "  showZenMode = true\n  showTableOfContents = true\n"
)
BODY = "## First part\n\nText.\n\n### A detail\n\nMore.\n\n## Second part\n\nEnd.\n"


def _post(root: Path, rel: str, front: str) -> None:
    write(root, f"content/{rel}", f"---\n{front}---\n{BODY}")


def _series(root: Path) -> None:
    # Written out of order, dated so that date order and series order disagree.
    _post(root, "posts/second.md", 'title: "Second"\ndate: 2024-01-01\n'
          'series: ["Learn Flask"]\nseries_order: 2\n')
    _post(root, "posts/first.md", 'title: "First"\ndate: 2024-03-01\n'
          'series: ["Learn Flask"]\nseries_order: 1\nseriesOpened: true\n')
    _post(root, "posts/third/index.md", 'title: "Third"\ndate: 2024-02-01\n'
          'series: ["Learn Flask"]\nseries_order: 3\n')
    _post(root, "posts/alone.md", 'title: "Alone"\ndate: 2024-01-05\n')
    write(root, "content/docs/_index.md", '---\ntitle: "Documentation"\n---\n')
    write(root, "content/docs/guide/_index.md", '---\ntitle: "The Guide"\n---\n')
    _post(root, "docs/guide/deep.md", 'title: "Deep page"\ndate: 2024-01-02\n')


def _site(tmp_path: Path, config: str) -> Flask:
    tmp_path.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "site"
    write(root, "hugo.toml", config)
    _series(root)
    app = make_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def furnished(tmp_path: Path) -> FlaskClient:
    return _site(tmp_path / "furnished", FURNISHED).test_client()


def _plain(tmp_path: Path) -> FlaskClient:
    """Blowfish's defaults: the series taxonomy, and no [params] at all."""
    return _site(tmp_path / "plain", 'title = "Plain"\n' + TAXONOMIES).test_client()


@pytest.fixture
def plain(tmp_path: Path) -> FlaskClient:
    return _plain(tmp_path)


def _page(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return soup(response.data)


def test_series_box_lists_the_series_in_order_with_this_post_marked(furnished: FlaskClient
                                                                     ) -> None:
    doc = _page(furnished, "/posts/second/")
    box = doc.select_one("details.series-box")
    assert box is not None and not box.has_attr("open")  # seriesOpened defaults to false
    summary = box.select_one("summary").get_text(" ", strip=True)
    assert "Learn Flask" in summary and "Part 2 of 3" in summary
    term = box.select_one("a.series-term")
    assert term["href"] == "/series/learn-flask/" and term.get_text() == "Learn Flask"
    items = box.select("ol.series-list > li")
    assert [" ".join(li.get_text().split()) for li in items] == [
        "Part 1: First", "Part 2: Second (this article)", "Part 3: Third"]
    assert [li.get("aria-current") for li in items] == [None, "page", None]
    assert [a["href"] for a in box.select("ol.series-list a")] == ["/posts/first/",
                                                                   "/posts/third/"]
    assert furnished.get("/series/learn-flask/").status_code == 200


def test_series_previous_and_next_close_the_article(furnished: FlaskClient) -> None:
    nav = _page(furnished, "/posts/second/").select_one("nav.series-nav")
    assert nav["aria-label"] == "Series: Learn Flask"
    assert nav.select_one(".series-nav-prev")["href"] == "/posts/first/"
    assert nav.select_one(".series-nav-next")["href"] == "/posts/third/"
    first = _page(furnished, "/posts/first/").select_one("nav.series-nav")
    assert first.select_one(".series-nav-prev") is None
    assert first.select_one(".series-nav-next")["href"] == "/posts/second/"
    last = _page(furnished, "/posts/third/").select_one("nav.series-nav")
    assert last.select_one(".series-nav-next") is None
    assert last.select_one(".series-nav-prev")["href"] == "/posts/second/"


def test_series_opened_opens_the_box(furnished: FlaskClient) -> None:
    box = _page(furnished, "/posts/first/").select_one("details.series-box")
    assert box.has_attr("open")
    assert box.select_one('li[aria-current="page"]').get_text(" ", strip=True).startswith(
        "Part 1:")


def test_a_post_in_no_series_has_no_box(furnished: FlaskClient) -> None:
    doc = _page(furnished, "/posts/alone/")
    assert doc.select_one(".series-box") is None and doc.select_one(".series-nav") is None


def test_posts_without_series_order_follow_in_date_order(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", TAXONOMIES)
    _post(root, "posts/a.md", 'title: "Old"\ndate: 2024-01-01\nseries: [S]\n')
    _post(root, "posts/b.md", 'title: "New"\ndate: 2024-05-01\nseries: [S]\n')
    _post(root, "posts/c.md", 'title: "Ordered"\ndate: 2023-01-01\nseries: [S]\n'
          "series_order: 7\n")
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(root)]).exit_code == 0
    items = _page(app.test_client(), "/posts/a/").select("ol.series-list > li")
    # Ordered first, then Hugo's taxonomy order for the rest: newest first.
    assert [" ".join(li.get_text().split()) for li in items] == [
        "Part 7: Ordered", "Part 2: New", "Part 3: Old (this article)"]


def test_the_series_is_one_query_however_long(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", TAXONOMIES)
    for n in range(1, 13):
        _post(root, f"posts/p{n}.md",
              f'title: "P{n}"\ndate: 2024-01-{n:02d}\nseries: [Long]\nseries_order: {n}\n')
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(root)]).exit_code == 0
    with app.app_context():
        from app.models import Page
        from app.services.site.series import page_series
        page = db.session.query(Page).filter_by(url_path="/posts/p5/").one()
        _ = [link.term for link in page.terms]
        statements: list[str] = []

        def note(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            series = page_series(db.session, page, {})
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
    assert series is not None and series.total == 12 and series.position == 5
    assert len(statements) == 1


def test_breadcrumbs_follow_the_section_tree(furnished: FlaskClient) -> None:
    nav = _page(furnished, "/docs/guide/deep/").select_one('nav.breadcrumbs')
    assert nav["aria-label"] == "Breadcrumb"
    links = nav.select("ol > li > a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Furnished", "/"), ("Documentation", "/docs/"), ("The Guide", "/docs/guide/"),
        ("Deep page", "/docs/guide/deep/")]
    assert [a.get("aria-current") for a in links] == [None, None, None, "page"]
    # A top-level folder without _index.md is still a section, as Hugo makes it.
    posts = _page(furnished, "/posts/second/").select("nav.breadcrumbs a")
    assert [(a.get_text(), a["href"]) for a in posts] == [
        ("Furnished", "/"), ("Posts", "/posts/"), ("Second", "/posts/second/")]


# A test that compares two sites builds the second after it is done with the first: on
# PostgreSQL every new app empties the run's one database (tests/backends.py).
def test_breadcrumbs_on_list_pages_with_list_show_breadcrumbs(furnished: FlaskClient,
                                                              tmp_path: Path) -> None:
    links = _page(furnished, "/docs/guide/").select("nav.breadcrumbs a")
    assert [(a.get_text(), a["href"], a.get("aria-current")) for a in links] == [
        ("Furnished", "/", None), ("Documentation", "/docs/", None),
        ("The Guide", "/docs/guide/", "page")]
    assert _page(_plain(tmp_path), "/docs/guide/").select_one("nav.breadcrumbs") is None


def test_edit_link_appends_the_content_path(furnished: FlaskClient) -> None:
    link = _page(furnished, "/posts/third/").select_one(".edit-link a")
    assert link["href"] == "https://github.com/me/site/edit/main/content/posts/third/index.md"
    assert link["rel"] == ["noopener", "noreferrer"] and link.get_text(strip=True) == (
        "Edit content")
    deep = _page(furnished, "/docs/guide/deep/").select_one(".edit-link a")
    assert deep["href"].endswith("/content/docs/guide/deep.md")


def test_edit_link_without_edit_append_path(tmp_path: Path) -> None:
    config = FURNISHED.replace("showEdit = true\n", "showEdit = true\n  editAppendPath = false\n")
    client = _site(tmp_path, config).test_client()
    link = _page(client, "/posts/third/").select_one(".edit-link a")
    assert link["href"] == "https://github.com/me/site/edit/main/content"


def test_edit_link_needs_show_edit_and_an_edit_url(tmp_path: Path) -> None:
    config = FURNISHED.replace('  editURL = "https://github.com/me/site/edit/main/content"\n',
                               "")
    client = _site(tmp_path, config).test_client()
    assert _page(client, "/posts/third/").select_one(".edit-link") is None


def test_front_matter_overrides_the_site(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", FURNISHED)
    _post(root, "posts/quiet.md", 'title: "Quiet"\ndate: 2024-01-01\nshowEdit: false\n'
          "showBreadcrumbs: false\nshowZenMode: false\n")
    _post(root, "posts/own.md", 'title: "Own"\ndate: 2024-01-01\n'
          'editURL: "https://example.org/src/"\n')
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(root)]).exit_code == 0
    client = app.test_client()
    quiet = _page(client, "/posts/quiet/")
    assert quiet.select_one(".edit-link, nav.breadcrumbs, #zen-mode-button") is None
    own = _page(client, "/posts/own/").select_one(".edit-link a")
    assert own["href"] == "https://example.org/src/posts/own.md"


def test_zen_button_only_with_show_zen_mode(furnished: FlaskClient, tmp_path: Path) -> None:
    doc = _page(furnished, "/posts/second/")
    button = doc.select_one("button#zen-mode-button")
    assert button.has_attr("hidden") and button["aria-pressed"] == "false"
    assert button.get_text(strip=True) == "Zen mode"
    assert doc.select_one('script[src*="/js/zen.js"]') is not None
    bare = _page(_plain(tmp_path), "/posts/second/")
    assert bare.select_one("#zen-mode-button") is None
    assert bare.select_one('script[src*="/js/zen.js"]') is None


def test_smart_toc_attribute_only_with_smart_toc(furnished: FlaskClient, tmp_path: Path
                                                 ) -> None:
    aside = _page(furnished, "/posts/second/").select_one("aside.toc")
    assert aside.has_attr("data-smart-toc") and aside.has_attr("data-smart-toc-hide-children")
    assert aside["data-progress-label"] == "Reading progress"
    config = FURNISHED.replace("  smartTOC = true\n  smartTOCHideUnfocusedChildren = true\n", "")
    other = _site(tmp_path / "b", config).test_client()
    aside = _page(other, "/posts/second/").select_one("aside.toc")
    assert aside is not None and not aside.has_attr("data-smart-toc")


def test_blowfish_defaults_show_none_of_it(plain: FlaskClient) -> None:
    doc = _page(plain, "/posts/second/")
    for selector in ("nav.breadcrumbs", ".edit-link", "#zen-mode-button", "[data-smart-toc]",
                     "aside.toc"):
        assert doc.select_one(selector) is None, selector
    # The series box needs only the series taxonomy and the front matter.
    assert doc.select_one("details.series-box:not([open])") is not None


def test_no_series_box_without_the_series_taxonomy(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", 'title = "No series"\n')
    _series(root)
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(root)]).exit_code == 0
    assert _page(app.test_client(), "/posts/second/").select_one(".series-box") is None


def test_interface_text_follows_the_page_language(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", 'defaultContentLanguage = "fr"\n' + TAXONOMIES)
    _post(root, "posts/a.md", 'title: "Un"\ndate: 2024-01-01\nseries: [S]\nseries_order: 1\n')
    _post(root, "posts/b.md", 'title: "Deux"\ndate: 2024-01-02\nseries: [S]\nseries_order: 2\n')
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(root)]).exit_code == 0
    box = _page(app.test_client(), "/posts/b/").select_one(".series-box summary")
    assert "Partie 2 sur 2" in box.get_text()
