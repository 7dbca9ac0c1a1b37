"""List pages ask the database a bounded number of questions, each answered from an index.

A real SQLite file, migrated; statements counted with a SQLAlchemy event listener. The
number of statements a list page costs does not grow with the page size (no query per
card: terms and comment counts come in one query each), and what a list page reads after
a new site generation (menus, section links) is found through an index, not by reading
every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from app.services.site.state import bump_generation
from tests.conftest import make_app

POSTS = 30


def _site(content: Path) -> None:
    posts = content / "posts"
    posts.mkdir(parents=True)
    (content / "_index.md").write_text("---\ntitle: Home\n---\nWelcome.\n")
    (content / "about.md").write_text("---\ntitle: About\nmenu: footer\nweight: 5\n---\nHi.\n")
    (content / "colophon.md").write_text(
        "---\ntitle: Colophon\nmenu:\n  footer:\n    weight: 1\n---\nHow.\n")
    for n in range(1, POSTS + 1):
        tags = ", ".join(f"t{k}" for k in range(n % 3 + 1))
        (posts / f"p{n:02}.md").write_text(
            f"---\ntitle: Post {n:02}\ndate: 2024-01-{n:02}\ntags: [{tags}, all]\n"
            f"categories: [c{n % 2}]\n---\nBody of post {n}.\n")


def _app(tmp_path: Path, name: str, **config: object) -> Flask:
    content = tmp_path / "content"
    if not content.exists():
        _site(content)
    (tmp_path / name).mkdir()
    app = make_app(tmp_path / name, **config)
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    return app


@contextmanager
def _statements(app: Flask) -> Iterator[list[tuple[str, Any]]]:
    found: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any,
               _many: bool) -> None:
        found.append((statement, params))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _bump(app: Flask) -> None:
    with app.app_context():
        bump_generation(db.session)
        db.session.commit()


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)


LISTS = ("/", "/page/2/", "/tags/all/", "/tags/all/page/2/", "/posts/", "/categories/c1/")


def _count(app: Flask, url: str) -> tuple[int, list[str]]:
    """Statements of one uncached GET of url (a new generation first), and its cards."""
    _bump(app)
    client = app.test_client()
    with _statements(app) as found:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(found), _titles(response.get_data(as_text=True))


def test_statements_per_list_page_do_not_grow_with_the_page_size(tmp_path: Path) -> None:
    small = _app(tmp_path, "small", PAGE_SIZE=3)
    large = _app(tmp_path, "large", PAGE_SIZE=12)
    for url in LISTS:
        few, few_cards = _count(small, url)
        many, many_cards = _count(large, url)
        assert (len(few_cards), len(many_cards)) == (3, 12), url
        assert few == many, (url, few, many)
        assert many <= 22, (url, many)  # not per card
    # And served from the page cache, a page costs at most the generation read.
    client = large.test_client()
    client.get("/tags/all/")
    with _statements(large) as found:
        assert client.get("/tags/all/").status_code == 200
    assert len(found) <= 1


def test_lists_keep_their_order_and_cards(tmp_path: Path) -> None:
    app = _app(tmp_path, "site", PAGE_SIZE=4)
    client = app.test_client()
    home = [_titles(client.get(u).get_data(as_text=True)) for u in ("/", "/page/2/")]
    assert home == [["Post 30", "Post 29", "Post 28", "Post 27"],
                    ["Post 26", "Post 25", "Post 24", "Post 23"]]
    tag = client.get("/tags/t2/").get_data(as_text=True)
    assert _titles(tag) == ["Post 29", "Post 26", "Post 23", "Post 20"]
    card = re.search(r'<article class="card">.*?</article>', tag, re.S)
    assert card is not None and "/tags/t1/" in card.group(0) and "/tags/all/" in card.group(0)
    page = client.get("/").get_data(as_text=True)
    header = re.search(r"<header.*?</header>", page, re.S)
    assert header is not None and 'href="/posts/"' in header.group(0)  # the main section
    footer = re.search(r"<footer.*?</footer>", page, re.S)  # front matter `menu: footer`
    assert footer is not None and re.search(r">Colophon<.*>About<", footer.group(0), re.S)


def test_what_a_new_generation_reads_is_found_through_indexes(tmp_path: Path) -> None:
    app = _app(tmp_path, "site")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return  # SQLite's plans; PostgreSQL plans with its own statistics
    _bump(app)
    with _statements(app) as found:
        assert app.test_client().get("/").status_code == 200
    with app.app_context(), db.engine.connect() as conn:
        plans = {statement: " / ".join(row[3] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, params)) for statement, params in found}
    menu = [p for s, p in plans.items() if "LIKE" in s and "menu" in s]
    by_path = [p for s, p in plans.items() if "pages.hugo_path IN" in s]
    assert menu and all("ix_pages_menu_params" in p for p in menu), menu
    assert by_path and all("ix_pages_hugo_path_lang" in p for p in by_path), by_path
    assert not [p for p in plans.values() if re.search(r"\bSCAN pages\b", p)], plans


def _counts(statements: list[tuple[str, Any]]) -> int:
    return sum(1 for statement, _ in statements if statement.lstrip().startswith(
        "SELECT count(*)"))


def test_a_lists_total_is_counted_once_per_generation(tmp_path: Path) -> None:
    app = _app(tmp_path, "site", PAGE_SIZE=4)
    client = app.test_client()
    _bump(app)
    with _statements(app) as first:
        assert "Page 1 of 8" in client.get("/").get_data(as_text=True)
    with _statements(app) as second:  # another page of the same list: not cached yet
        assert "Page 2 of 8" in client.get("/page/2/").get_data(as_text=True)
    assert _counts(first) == 1 and _counts(second) == 0
    for n in (31, 32, 33):
        (tmp_path / "content" / "posts" / f"p{n}.md").write_text(
            f"---\ntitle: Post {n}\ndate: 2024-02-{n - 30:02}\ntags: [all]\n---\nNew.\n")
    assert app.test_cli_runner().invoke(
        args=["content", "import", str(tmp_path / "content")]).exit_code == 0
    with _statements(app) as third:
        html = client.get("/page/3/").get_data(as_text=True)
    assert _counts(third) == 1
    assert "Page 3 of 9" in html and _titles(html) == ["Post 25", "Post 24", "Post 23",
                                                        "Post 22"]
    assert "Page 9 of 9" in client.get("/page/9/").get_data(as_text=True)
    assert client.get("/tags/all/page/9/").status_code == 200  # 33 tagged: 9 pages of 4
    assert client.get("/tags/all/page/10/").status_code == 404
