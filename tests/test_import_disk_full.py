"""An import that runs out of room: a clear error, and the site exactly as it was.

The database is capped with SQLite's `max_page_count` on every connection, which fails a
write with SQLITE_FULL ("database or disk is full"), the very error a full disk gives.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Page
from tests import backends
from tests.conftest import make_app

pytestmark = pytest.mark.skipif(backends.use_postgres(),
                                reason="simulates a full disk with SQLite's max_page_count")

POST = "/posts/the-rise-of-ai-generated-images/"


def _big_site(root: Path, count: int = 120) -> None:
    posts = root / "posts"
    posts.mkdir(parents=True)
    words = " ".join(f"word{n}" for n in range(2500))
    for n in range(count):
        (posts / f"big-{n:03}.md").write_text(
            f"---\ntitle: Big {n}\ntags: [t{n % 7}]\n---\n## Part\n\n{words} {n}\n")


def test_a_full_database_refuses_the_import_and_keeps_the_site(tmp_path: Path,
                                                               seed_dir: Path) -> None:
    app = make_app(tmp_path, IMPORT_WORKERS=1)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    with app.app_context():
        before = db.session.execute(select(Page.url_path).order_by(Page.url_path)).scalars().all()
        pages_in_file = db.session.execute(db.text("PRAGMA page_count")).scalar_one()
        engine = db.engine
        db.session.remove()
        engine.dispose()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages_in_file + 40}")

    event.listen(engine, "connect", cap)
    try:
        content = tmp_path / "big"
        _big_site(content)
        result = runner.invoke(args=["content", "import", "--prune", str(content)])
        assert result.exit_code == 1, result.output
        assert "database or disk is full" in result.output
        assert "Nothing was written; the site is as it was before this run." in result.output
        assert "Traceback" not in result.output
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()

    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with app.app_context():
        after = db.session.execute(select(Page.url_path).order_by(Page.url_path)).scalars().all()
        db.session.remove()
    assert after == before
    assert app.test_client().get(POST).status_code == 200

    # With room again, the same import goes through (the seed's page, not in this folder,
    # goes).
    assert runner.invoke(args=["content", "import", str(content)]).exit_code == 0
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Page)).scalar_one() == 120
