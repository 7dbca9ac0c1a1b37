"""Search through the Flask test client, on SQLite FTS5 or PostgreSQL full-text search.

Pages come in through `flask content import` (the seed article plus pages written here), so
these tests also prove that the index follows imports, updates and prunes by itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from app.extensions import db as _db
from app.services.site import search as search_service
from tests.conftest import write
from tests.html import soup

POST = "/posts/the-rise-of-ai-generated-images/"


def _import(runner: FlaskCliRunner, root: Path, *flags: str) -> None:
    result = runner.invoke(args=["content", "import", str(root), *flags])
    assert result.exit_code == 0, result.output


def _post(title: str, body: str, extra: str = "", tags: str = "[]") -> str:
    return f'---\ntitle: "{title}"\ndate: 2024-01-15\ntags: {tags}\n{extra}---\n\n{body}\n'


def _extra_pages(root: Path) -> None:
    """Pages that exercise ranking, accents, drafts and HTML."""
    write(root, "posts/zebra-title.md", _post(
        "Zebras of the savanna", "A short note about striped horses.", tags='["Animals"]'))
    write(root, "posts/zebra-body.md", _post(
        "Striped horses", "Once a zebra, twice a zebra, a zebra again: zebra crossing."))
    write(root, "posts/creme.md", _post(
        "Crème brûlée", "A dessert from the café on the corner, naïvely good."))
    write(root, "posts/html.md", _post(
        "Markup in text", "The text `<script>alert(1)</script>` talks about unicornmarkup."))
    write(root, "posts/draft.md", _post(
        "Secret draft", "The hiddenword lives in a draft.", "draft: true\n"))
    write(root, "posts/future.md", _post(
        "From the future", "The hiddenword lives in the future.", "publishDate: 2999-01-01\n"))
    write(root, "posts/expired.md", _post(
        "Expired", "The hiddenword lives in the past.", "expiryDate: 2001-01-01\n"))


@pytest.fixture
def site(runner: FlaskCliRunner, seed_dir: Path) -> Path:
    """The seed article plus the extra pages."""
    _extra_pages(seed_dir)
    _import(runner, seed_dir)
    return seed_dir


@pytest.fixture
def small_site(runner: FlaskCliRunner, content_dir: Path) -> Path:
    """The extra pages without the seed article and its images: quicker to import."""
    _extra_pages(content_dir)
    _import(runner, content_dir)
    return content_dir


def _titles(client: FlaskClient, query: str, **params: object) -> list[str]:
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200
    return [a.get_text() for a in soup(response.data).select(".search-hit-title a")]


def _json(client: FlaskClient, query: str, **params: object) -> dict:
    response = client.get("/search.json", query_string={"q": query, **params})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


# --- the box and the empty states ----------------------------------------------------------


def test_every_page_has_a_labelled_search_box(site: Path, client: FlaskClient) -> None:
    for url in ("/", POST, "/tags/", "/search", "/no-such-page/"):
        page = soup(client.get(url).data)
        form = page.select_one("header form[role=search]")
        assert form is not None, url
        assert form["action"] == "/search" and form["method"] == "get"
        field = form.select_one("input[name=q]")
        label = page.select_one(f"label[for={field['id']}]")
        assert label.get_text(strip=True) == "Search"


def test_empty_query_asks_for_a_word(site: Path, client: FlaskClient) -> None:
    for query in ("", "   ", None):
        response = client.get("/search" if query is None else f"/search?q={query}")
        assert response.status_code == 200
        page = soup(response.data)
        assert "Type a word to search" in page.select_one(".search-empty").get_text()
        assert page.select(".search-hit") == []
    assert _json(client, "") == {"query": "", "total": 0, "page": 1, "pages": 1, "hits": []}


def test_no_results_says_so_and_echoes_the_query_escaped(site: Path,
                                                         client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "<b>qwertyuiop</b>"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<b>qwertyuiop" not in body
    assert "&lt;b&gt;qwertyuiop&lt;/b&gt;" in body
    empty = soup(body).select_one(".search-empty").get_text(" ", strip=True)
    assert empty.startswith("No results for")
    assert "qwertyuiop" in empty
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")


def test_the_query_is_cut_at_200_characters(site: Path, client: FlaskClient) -> None:
    data = _json(client, "zebra " + "x" * 500)
    assert len(data["query"]) == 200
    page = soup(client.get("/search", query_string={"q": "a" * 5000}).data)
    assert len(page.select_one("#search-page-q")["value"]) == 200


# --- matching and ranking ------------------------------------------------------------------


def test_title_match_ranks_first(site: Path, client: FlaskClient, db) -> None:
    # "Striped horses" says zebra five times in its body; the other page has it in its title.
    assert _titles(client, "zebra") == ["Zebras of the savanna", "Striped horses"]
    hits = search_service.search(db.session, "zebra", "en").hits
    assert hits[0].rank > hits[1].rank


def test_prefix_matching(site: Path, client: FlaskClient) -> None:
    assert "The Rise of AI-Generated Images: A Creative Revolution" in _titles(client, "genera")
    assert _titles(client, "Generated") == _titles(client, "genera")


def test_every_word_is_required(site: Path, client: FlaskClient) -> None:
    assert _titles(client, "zebra crossing") == ["Striped horses"]
    assert _titles(client, "zebra midjourney") == []


def test_diacritics_and_case_fold_both_ways(site: Path, client: FlaskClient) -> None:
    assert _titles(client, "creme brulee") == ["Crème brûlée"]
    assert _titles(client, "CAFE") == ["Crème brûlée"]
    assert _titles(client, "naïve") == ["Crème brûlée"]


def test_snippets_mark_matches_and_escape_everything_else(site: Path,
                                                          client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "unicornmarkup"})
    body = response.get_data(as_text=True)
    assert "<script>" not in body
    hit = soup(body).select_one(".search-hit")
    snippet = hit.select_one(".search-snippet")
    assert [m.get_text() for m in snippet.select("mark")] == ["unicornmarkup"]
    assert "<script>alert(1)</script>" in snippet.get_text()  # shown as text, not markup
    assert str(snippet).count("&lt;script&gt;") == 1
    data = _json(client, "unicornmarkup")
    assert "&lt;script&gt;" in data["hits"][0]["snippet"]
    assert "<mark>unicornmarkup</mark>" in data["hits"][0]["snippet"]


def test_title_and_snippet_highlight_the_seed_article(site: Path, client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": "discriminator"}).data)
    hits = page.select(".search-hit")
    assert len(hits) == 1
    assert hits[0].select_one(".search-hit-title a")["href"] == POST
    assert hits[0].select_one("time").get_text() == "3 August 2023"
    marks = [m.get_text().lower() for m in hits[0].select(".search-snippet mark")]
    assert marks and set(marks) == {"discriminator"}
    assert [a.get_text() for a in hits[0].select(".tags a")] == [
        "AI", "DALL-E", "Midjourney", "Dream Studio"]
    assert page.select_one(".search-count").get_text(strip=True) == "1 result"
    title = soup(client.get("/search?q=revolution").data).select_one(".search-hit-title")
    assert title.select_one("mark").get_text() == "Revolution"


def test_json_hits(site: Path, client: FlaskClient) -> None:
    data = _json(client, "zebra")
    assert data["total"] == 2 and data["page"] == 1 and data["pages"] == 1
    first = data["hits"][0]
    assert first["title"] == "Zebras of the savanna"
    assert first["url"] == "/posts/zebra-title/"
    assert first["date"] == "2024-01-15T00:00:00+00:00"
    assert "striped" in first["snippet"].lower()


# --- visibility and index maintenance ------------------------------------------------------


def test_drafts_future_and_expired_pages_are_never_found(site: Path,
                                                         client: FlaskClient) -> None:
    assert _titles(client, "hiddenword") == []
    assert _titles(client, "secret draft") == []
    assert _json(client, "hiddenword")["total"] == 0


def test_reimport_reindexes_a_changed_page(site: Path, runner: FlaskCliRunner,
                                           client: FlaskClient) -> None:
    write(site, "posts/zebra-body.md", _post("Striped horses", "Now about okapis only."))
    _import(runner, site)
    assert _titles(client, "zebra") == ["Zebras of the savanna"]
    assert _titles(client, "okapi") == ["Striped horses"]
    write(site, "posts/zebra-title.md", _post("Okapi forest", "A short note."))
    _import(runner, site)
    assert _titles(client, "okapi") == ["Okapi forest", "Striped horses"]
    assert _titles(client, "savanna") == []


def test_a_published_draft_appears(site: Path, runner: FlaskCliRunner,
                                   client: FlaskClient) -> None:
    write(site, "posts/draft.md", _post("Secret draft", "The hiddenword lives in a draft."))
    _import(runner, site)
    assert _titles(client, "hiddenword") == ["Secret draft"]


def test_pruned_page_is_gone_from_the_index(site: Path, runner: FlaskCliRunner,
                                            client: FlaskClient, app) -> None:
    (site / "posts" / "zebra-title.md").unlink()
    _import(runner, site, "--prune")
    assert _titles(client, "zebra") == ["Striped horses"]
    assert _titles(client, "savanna") == []
    with app.app_context():
        assert _index_size() == _db.session.execute(text("SELECT count(*) FROM pages")).scalar()


def _index_size() -> int:
    return _db.session.execute(text("SELECT count(*) FROM page_search")).scalar()


def test_index_is_kept_by_triggers_at_head(site: Path, app) -> None:
    """A later migration that recreates `pages` must recreate these triggers."""
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            names = {row[0] for row in _db.session.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'pages'"))}
            assert {"pages_search_insert", "pages_search_update",
                    "pages_search_delete"} <= names
            integrity = "INSERT INTO page_search (page_search, rank) VALUES ('integrity-check', 1)"
            _db.session.execute(text(integrity))
        else:
            names = {row[0] for row in _db.session.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'pages'::regclass"))}
            assert {"pages_search_insert", "pages_search_update"} <= names
        assert _index_size() == _db.session.execute(text("SELECT count(*) FROM pages")).scalar()
        search_service.rebuild_index(_db.session)
        _db.session.commit()
        assert search_service.search(_db.session, "zebra", "en").total == 2


def test_pagination(runner: FlaskCliRunner, content_dir: Path, client: FlaskClient) -> None:
    for n in range(23):
        write(content_dir, f"posts/p{n:02}.md",
              f'---\ntitle: "Pager {n:02}"\ndate: 2024-01-{n + 1:02}\n---\n\nCommon pagerword.\n')
    _import(runner, content_dir)
    page1 = soup(client.get("/search?q=pagerword").data)
    assert len(page1.select(".search-hit")) == 10
    assert page1.select_one(".search-count").get_text(" ", strip=True).startswith("23 results")
    assert page1.select_one(".search-results")["start"] == "1"
    assert page1.select_one('.search-pages a[rel=next]')["href"] == "/search?q=pagerword&page=2"
    assert page1.select_one('.search-pages a[rel=prev]') is None
    page3 = soup(client.get("/search?q=pagerword&page=3").data)
    assert len(page3.select(".search-hit")) == 3
    assert page3.select_one(".search-results")["start"] == "21"
    assert page3.select_one('.search-pages a[rel=next]') is None
    assert page3.select_one('.search-pages a[rel=prev]')["href"] == "/search?q=pagerword&page=2"
    seen = [t for n in (1, 2, 3) for t in _titles(client, "pagerword", page=n)]
    assert sorted(seen) == [f"Pager {n:02}" for n in range(23)]  # no overlap, none missing
    assert seen[:3] == ["Pager 22", "Pager 21", "Pager 20"]  # equal rank: newest first
    past = client.get("/search?q=pagerword&page=9")
    assert past.status_code == 200
    assert "no more results" in soup(past.data).select_one(".search-empty").get_text()
    for bad in ("0", "-1", "abc", "99999999999999999999", "1.5", "٣"):
        assert client.get("/search", query_string={"q": "pagerword", "page": bad}).status_code \
            == 200
    assert _json(client, "pagerword", page=3)["pages"] == 3


def test_broad_queries_rank_title_matches_then_newest(
        runner: FlaskCliRunner, content_dir: Path, client: FlaskClient, monkeypatch) -> None:
    """Past FULL_RANK_LIMIT matches nothing is scored: title matches first, then newest."""
    for n in range(6):
        title = f"Broadword {n}" if n in (1, 4) else f"Plain {n}"
        write(content_dir, f"posts/b{n}.md", f'---\ntitle: "{title}"\ndate: 2024-02-0{n + 1}\n'
              f'---\n\nbroadword broadword broadword {"filler " * n}\n')
    write(content_dir, "posts/hidden.md",
          '---\ntitle: "Broadword hidden"\ndraft: true\n---\nbroadword\n')
    _import(runner, content_dir)
    scored = _titles(client, "broadwo")
    assert sorted(scored[:2]) == ["Broadword 1", "Broadword 4"]
    monkeypatch.setattr(search_service, "FULL_RANK_LIMIT", 2)
    broad = _titles(client, "broadwo")
    assert broad == ["Broadword 4", "Broadword 1", "Plain 5", "Plain 3", "Plain 2", "Plain 0"]
    assert sorted(broad) == sorted(scored)
    assert _titles(client, "broadwo", page=1) == broad
    assert _json(client, "broadwo")["total"] == 6
    assert _json(client, "broadwo", page=2) == {
        "query": "broadwo", "total": 6, "page": 2, "pages": 1, "hits": []}


# --- hostile input -------------------------------------------------------------------------

HOSTILE = [
    '"', '""', '"zebra', 'zebra"', "'", "''", "*", "**", "zebra*", "*zebra", "NEAR(",
    "NEAR(zebra horse)", "NEAR(zebra, 2)", "AND", "OR", "NOT", "AND OR NOT", "zebra AND",
    "NOT zebra", ")", "(", "((zebra)", "zebra)", "\x00", "zebra\x00horse", "%", "_", "%_%",
    "\\", "x" * 10_000, "zebra " * 2000, "'; DROP TABLE pages; --", "1 OR 1=1",
    "title:zebra", "plain_text:zebra", "{title plain_text}:zebra", "^zebra", "zebra:*",
    "!zebra & | <->", "<1>", "a:* & b", "🦓", "🦓 zebra", "zebra🦓", "ゼブラ 斑馬",
    "\u202e\u200b\ufeff", "e\u0301", "\ud7ff\uffff", "-", "+zebra -horse", "~", "$", "NULL",
    "a", "a b c d e f g h i j k l m n o p q r s t u v w x y z", "1", "0x00",
    "<script>alert(1)</script>", "&amp;", "\t\r\n", "İstanbul ß ﬁ",
    "\uff2e\uff25\uff21\uff32\uff08\uff5a\uff45\uff42\uff52\uff41",  # fullwidth NEAR(zebra
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_fail(small_site: Path, client: FlaskClient, caplog,
                                    query: str) -> None:
    caplog.set_level(logging.WARNING, logger="app.services.site.search")
    # A NUL is refused at the edge for every route (400); anything else is searched.
    expected = 400 if "\x00" in query else 200
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == expected
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert client.get("/search.json", query_string={"q": query}).status_code == expected
    assert client.get("/search", query_string={"q": query, "page": "2"}).status_code == expected
    # The database never refused a query: the guard in search() stayed unused.
    assert [r for r in caplog.records if r.name == "app.services.site.search"] == []


def test_hostile_words_still_find_pages(small_site: Path, client: FlaskClient) -> None:
    assert _titles(client, '"zebra') == _titles(client, "zebra")
    assert _titles(client, "((zebra)") == _titles(client, "zebra")
    assert _titles(client, "zebra:*") == _titles(client, "zebra")
    assert _titles(client, "zebra*") == _titles(client, "zebra")
    assert sorted(_titles(client, "ZEBRA, horses!")) == ["Striped horses", "Zebras of the savanna"]


def test_query_terms_are_plain_words() -> None:
    assert search_service.query_terms('NEAR("a" b*) AND title:c') == [
        "near", "a", "b", "and", "title", "c"]
    assert search_service.fts5_query(["near", "ab", "x"]) == '"near"* AND "ab"* AND "x"'
    assert search_service.fts5_query(["zebr", "x"], {"zebr": ["zebra", 'q"']}) == (
        '("zebra" OR "q""") AND "x"')
    assert search_service.tsquery(["a", "ab"]) == "'a' & 'ab':*"
    assert len(search_service.query_terms(" ".join(f"w{n}" for n in range(50)))) == 10
    matcher = search_service._Matcher(["zeb", "cafe"])
    assert search_service.highlight("<Zebra> azebra a_zebra Café& ÉCLAIR zébu", matcher) == (
        "&lt;<mark>Zebra</mark>&gt; azebra a_<mark>zebra</mark> <mark>Café</mark>&amp; "
        "ÉCLAIR <mark>zébu</mark>")
    assert search_service.highlight("a b", search_service._Matcher(["a"])) == "<mark>a</mark> b"
    words = " ".join(f"w{n}" for n in range(100))
    cut = search_service.snippet(f"{words} zebra <i> {words}", matcher, size=40)
    assert cut == "… w98 w99 <mark>zebra</mark> &lt;i&gt; w0 w1 w2 w3 w4 w5 w6 …"
    assert search_service.snippet("zebra.", matcher) == "<mark>zebra</mark>."
    assert search_service.snippet("no match here at all", matcher, size=10) == "no match …"
    assert search_service.snippet("", matcher) == ""
    assert search_service.snippet("x" * 500 + " zebra", matcher, size=40) == (
        "… <mark>zebra</mark>")


# --- languages ------------------------------------------------------------------------------

LANGUAGES_TOML = """\
defaultContentLanguage = "en"
[languages.en]
  weight = 1
[languages.de]
  weight = 2
[languages.ja]
  weight = 3
[languages.zh-cn]
  weight = 4
"""


@pytest.fixture
def multilingual(runner: FlaskCliRunner, tmp_path: Path) -> Path:
    root = tmp_path / "multi"
    write(root, "hugo.toml", LANGUAGES_TOML)
    write(root, "content/docs/start.md", _post("Getting started", "Install the theme first."))
    write(root, "content/docs/start.de.md", _post(
        "Schnellstart", "Diese Anleitung zeigt den Schnellstart mit dem Theme."))
    write(root, "content/docs/start.ja.md", _post(
        "はじめに", "このテーマのインストール手順を説明します。"))
    write(root, "content/docs/start.zh-cn.md", _post("快速开始", "本主题的安装步骤如下。"))
    _import(runner, root)
    return root


def _hits(client: FlaskClient, path: str, query: str) -> list[str]:
    response = client.get(path, query_string={"q": query})
    assert response.status_code == 200
    return [a["href"] for a in soup(response.data).select(".search-hit-title a")]


@pytest.mark.parametrize(("path", "query", "expected"), [
    ("/de/search", "Schnellstart", "/de/docs/start/"),
    ("/ja/search", "インストール", "/ja/docs/start/"),  # inside a run without spaces
    ("/ja/search", "手順", "/ja/docs/start/"),
    ("/zh-cn/search", "安装", "/zh-cn/docs/start/"),
    ("/zh-cn/search", "安装步骤", "/zh-cn/docs/start/"),
    ("/search", "install", "/docs/start/"),
])
def test_each_language_searches_its_own_pages(multilingual: Path, client: FlaskClient,
                                              path: str, query: str, expected: str) -> None:
    assert _hits(client, path, query) == [expected]


def test_cjk_words_are_phrases_and_highlighted(multilingual: Path, client: FlaskClient) -> None:
    assert _hits(client, "/zh-cn/search", "装安") == []  # the pairs, in this order only
    assert _hits(client, "/ja/search", "安装") == []  # Chinese words are not in Japanese pages
    html = client.get("/ja/search?q=インストール").get_data(as_text=True)
    assert "<mark>インストール</mark>" in html and "検索結果" in html
    assert search_service.query_terms("hugoのテーマ") == ["hugo", "のテーマ"]


def test_german_stemming_on_postgresql(multilingual: Path, client: FlaskClient, db) -> None:
    if _db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("stemming is PostgreSQL's (FTS5 matches word prefixes)")
    # "Anleitungen" and "Anleitung" share their German stem; English has none of them.
    assert _hits(client, "/de/search", "Anleitungen") == ["/de/docs/start/"]
    assert _hits(client, "/search", "installing") == ["/docs/start/"]
