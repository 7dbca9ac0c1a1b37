"""Imports that render many pages use worker processes, and store exactly what one process does."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Page
from app.services.importing import render_pool
from tests.conftest import make_app

PAGES = render_pool.PARALLEL_MIN + 12


def _write_site(root: Path) -> None:
    posts = root / "posts"
    posts.mkdir(parents=True)
    for n in range(PAGES):
        body = "\n\n".join(f"## Part {k}\n\nWords *of* post {n}, part {k}: \"quoted\" -- text."
                           for k in range(4))
        (posts / f"post-{n:03}.md").write_text(
            f"---\ntitle: Post {n}\ndate: 2024-01-{1 + n % 28:02}\ntags: [t{n % 5}]\n---\n{body}\n")
    (posts / "broken.md").write_text("---\ntitle: Broken\n---\nText\n\n{{< figure src=\"x\" \n")


def _import(tmp: Path, content: Path, workers: int) -> tuple[Flask, str]:
    app = make_app(tmp, IMPORT_WORKERS=workers)
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    return app, result.output


def _rows(app: Flask) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(
            Page.source_path, Page.url_path, Page.summary_html, Page.plain_text, Page.word_count,
            Page.reading_time, Page.render_hash).order_by(Page.source_path)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Flask, str]]:
    content = tmp_path_factory.mktemp("site") / "content"
    _write_site(content)
    return {workers: _import(tmp_path_factory.mktemp(f"w{workers}"), content, workers)
            for workers in (1, 2)}


def test_pool_and_single_process_store_the_same_rows(imported: dict) -> None:
    single, pooled = _rows(imported[1][0]), _rows(imported[2][0])
    assert len(single) == PAGES
    assert single == pooled


def test_a_page_that_fails_in_a_worker_is_reported_with_its_line(imported: dict) -> None:
    for workers in (1, 2):
        output = imported[workers][1]
        assert f"{PAGES} added" in output and "1 errors" in output, output[-500:]
        assert "posts/broken.md:6: unterminated shortcode" in output, output[-500:]


def test_pooled_pages_are_served(imported: dict) -> None:
    client = imported[2][0].test_client()
    page = client.get("/posts/post-007/")
    assert page.status_code == 200
    assert "Words <em>of</em> post 7" in page.get_data(as_text=True)
