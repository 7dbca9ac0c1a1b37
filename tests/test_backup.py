"""`flask site backup|restore|copy`: every row of every table comes back, or nothing changes."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, insert, select

from app.extensions import db as _db
from app.schema import MIGRATIONS_RUN, migrate_to
from app.services.backup import archive as backup
from app.services.backup.dump import DumpReader, reflect
from tests.backup_site import (
    BINARY,
    POST,
    assert_same,
    assert_search_works,
    comment,
    nothing,
    pg_database,
    populate,
    rows,
    sqlite_url,
    writer,
)
from tests.conftest import make_app


@pytest.fixture(scope="module")
def site_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The populated site's SQLite file, built once for this module."""
    root = tmp_path_factory.mktemp("site")
    app = make_app(root, SQLALCHEMY_DATABASE_URI=sqlite_url(root))
    populate(app, root / "content")
    with app.app_context():
        _db.engine.dispose()  # checkpoints the WAL into the file
    return root / "blog.sqlite3"


@pytest.fixture
def site(tmp_path: Path, site_file: Path) -> Iterator[Flask]:
    """A populated site on SQLite (the source of every backup here), a copy per test."""
    shutil.copyfile(site_file, Path(sqlite_url(tmp_path / "src")[len("sqlite:///"):]))
    app = make_app(tmp_path / "src", SQLALCHEMY_DATABASE_URI=sqlite_url(tmp_path / "src"))
    yield app
    with app.app_context():
        _db.engine.dispose()


def _run(app: Flask, *args: str, ok: bool = True, input_: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input_)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def test_online_sqlite_backup_round_trip(site: Flask, tmp_path: Path) -> None:
    out = _run(site, "site", "backup", str(tmp_path / "b" / "site.sqlite3"))
    assert "online SQLite backup" in out and "comments: 11 row(s)" in out
    file = tmp_path / "b" / "site.sqlite3"
    assert file.read_bytes()[:16] == backup.SQLITE_MAGIC
    assert sorted(p.name for p in file.parent.iterdir()) == ["site.sqlite3"]  # no -wal, no .part
    (tmp_path / "dst").mkdir()
    fresh = make_app(tmp_path / "dst")  # the suite's backend: SQLite, or PostgreSQL in that mode
    assert "comments: 11 row(s)" in _run(fresh, "site", "restore", str(file), "--yes")
    assert_same(rows(site), rows(fresh))
    assert_search_works(fresh)
    assert sorted(p.name for p in file.parent.iterdir()) == ["site.sqlite3"]  # left untouched


def test_portable_dump_round_trip_on_sqlite(site: Flask, tmp_path: Path) -> None:
    dump = tmp_path / "site.jsonl.gz"
    assert "portable dump" in _run(site, "site", "backup", str(dump))
    with gzip.open(dump, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
    assert header["format"] == "hugo-flask-blog/dump"
    assert header["revision"] == MIGRATIONS_RUN.head()
    assert [t["name"] for t in header["tables"]].index("pages") < [
        t["name"] for t in header["tables"]].index("page_terms")
    fresh = make_app(tmp_path / "dst", SQLALCHEMY_DATABASE_URI=sqlite_url(tmp_path / "dst"))
    _run(fresh, "site", "restore", str(dump), "--yes")
    assert_same(rows(site), rows(fresh))
    assert_search_works(fresh)
    _run(fresh, "site", "restore", str(dump), "--yes")  # again, over the restored site
    assert_same(rows(site), rows(fresh))


def test_portable_dump_restores_onto_postgresql(site: Flask, tmp_path: Path) -> None:
    dump = tmp_path / "site.jsonl.gz"
    _run(site, "site", "backup", str(dump))
    with pg_database("restore") as url:
        fresh = make_app(tmp_path / "pg", SQLALCHEMY_DATABASE_URI=url)
        _run(fresh, "site", "restore", str(dump), "--yes")
        assert_same(rows(site), rows(fresh))
        assert_search_works(fresh)
        with fresh.app_context():  # sequences moved past the restored ids
            new = comment("After the restore")
            assert new.id == max(r[0] for r in rows(site)["comments"]) + 1
            _db.session.remove()  # its connection back in the pool, which dispose closes
            _db.engine.dispose()


def test_copy_to_postgresql_serves_the_site(site: Flask, tmp_path: Path) -> None:
    with pg_database("copy") as url:
        out = _run(site, "site", "copy", "--to", url)
        assert "comments: 11 row(s)" in out and "verified" in out
        pg = make_app(tmp_path / "pg", SQLALCHEMY_DATABASE_URI=url)
        assert_same(rows(site), rows(pg))
        assert_search_works(pg)
        html = pg.test_client().get(POST).get_data(as_text=True)
        assert "A reply to the reply" in html and "Keeps the marker" in html
        assert "Held for moderation" not in html and "Buy things" not in html
        assert pg.test_client().get("/posts/bundle/data.bin").data == BINARY
        assert "already has pages" in _run(site, "site", "copy", "--to", url, ok=False)
        _run(site, "site", "copy", "--to", url, "--force")
        assert_same(rows(site), rows(pg))
        # And back: a dump of the PostgreSQL site (read in REPEATABLE READ) restores on SQLite.
        _run(pg, "site", "backup", str(tmp_path / "pg.jsonl.gz"))
        assert "runs on postgresql" in _run(pg, "site", "backup", "x.sqlite3", ok=False)
        with pg.app_context():
            _db.engine.dispose()
    back = make_app(tmp_path / "back", SQLALCHEMY_DATABASE_URI=sqlite_url(tmp_path / "back"))
    _run(back, "site", "restore", str(tmp_path / "pg.jsonl.gz"), "--yes")
    assert_same(rows(site), rows(back))


def _rewrite(src: Path, dest: Path, change: Any) -> None:
    with gzip.open(src, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    with gzip.open(dest, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(item) + "\n" for item in change(lines))


def _duplicate_last_comment(lines: list) -> list:
    end = next(i for i, item in enumerate(lines)
               if isinstance(item, dict) and item.get("table_end") == "comments")
    count = lines[end]["rows"] + 1
    lines[end:end + 1] = [lines[end - 1], {"table_end": "comments", "rows": count}]
    lines[-1]["rows"]["comments"] = count
    return lines


def _newer(lines: list) -> list:
    lines[0]["revision"] = "9999_from_the_future"
    return lines


BAD = {
    "truncated": (lambda raw, _: raw[: len(raw) * 2 // 3], "corrupt or truncated"),
    "flipped": (lambda raw, _: raw[:60] + bytes([raw[60] ^ 0xFF]) + raw[61:], "corrupt"),
    "no_footer": (lambda _, p: _rewrite(p, p, lambda x: x[:-1]), "truncated"),
    "not_a_dump": (lambda *_: b"hello, world\n", "corrupt"),
    "bad_sqlite": (lambda raw, _: backup.SQLITE_MAGIC + raw[:5000], "SQLite"),
    "duplicate_row": (lambda _, p: _rewrite(p, p, _duplicate_last_comment), "no row was changed"),
    "newer_revision": (lambda _, p: _rewrite(p, p, _newer), "upgrade the code"),
}


@pytest.mark.parametrize("flaw", sorted(BAD))
def test_a_bad_backup_changes_nothing(site: Flask, tmp_path: Path, flaw: str) -> None:
    good = tmp_path / "good.jsonl.gz"
    _run(site, "site", "backup", str(good))
    with site.app_context():
        comment("Posted after the backup: must survive a failed restore")
    before = rows(site)
    bad = tmp_path / "bad.jsonl.gz"
    shutil.copyfile(good, bad)
    damage, message = BAD[flaw]
    damaged = damage(good.read_bytes(), bad)
    if damaged is not None:
        bad.write_bytes(damaged)
    assert message in _run(site, "site", "restore", str(bad), "--yes", ok=False)
    assert rows(site) == before
    _run(site, "site", "restore", str(good), input_="n\n", ok=False)  # not confirmed
    assert rows(site) == before


def test_restore_into_an_empty_database_from_an_older_revision(site: Flask,
                                                               tmp_path: Path) -> None:
    """A dump made at revision 0002 restores into an empty database, then migrates to head."""
    old = create_engine(sqlite_url(tmp_path / "old"))
    migrate_to(old, "0002")
    with site.app_context(), _db.engine.connect() as src, old.begin() as dst:
        columns = {t.name: list(t.columns.keys()) for t in reflect(dst)}  # as of 0002
        for table in reflect(dst):
            model = _db.metadata.tables[table.name]
            found = src.execute(select(*(model.c[n] for n in columns[table.name]))).mappings()
            # Roots first: comment 100's parent is 200.
            ordered = sorted(found, key=lambda r: r.get("parent_id") is not None)
            dst.execute(insert(table), [dict(r) for r in ordered])
    assert backup.dump(old, tmp_path / "old.jsonl.gz").revision == "0002"
    old.dispose()
    empty = create_engine(sqlite_url(tmp_path / "new"))  # no tables at all, outside any app
    report = backup.restore(empty, tmp_path / "old.jsonl.gz", MIGRATIONS_RUN)
    assert report.revision == "0002" and report.tables["comments"] == 11
    empty.dispose()
    fresh = make_app(tmp_path / "x", SQLALCHEMY_DATABASE_URI=sqlite_url(tmp_path / "new"))
    before = rows(site, columns)
    assert_same(before, rows(fresh, columns))
    assert_search_works(fresh)  # 0003 ran after the load and indexed the pages
    # Onto a site already at head: the tables added since the dump are left empty.
    _run(site, "site", "restore", str(tmp_path / "old.jsonl.gz"), "--yes")
    assert_same(before, rows(site, columns))
    assert all(found == [] for name, found in rows(site).items() if name not in columns)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_dump_while_another_connection_writes_is_consistent(tmp_path: Path, kind: str) -> None:
    with (pg_database("live") if kind == "postgresql" else nothing()) as pg_url:
        url = pg_url or sqlite_url(tmp_path)
        app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            engine = _db.engine
            with writer(url):
                dumps = []
                for n in range(6):
                    backup.dump(engine, tmp_path / f"{n}.jsonl.gz")
                    dumps.append(tmp_path / f"{n}.jsonl.gz")
                    if kind == "sqlite":
                        backup.sqlite_backup(engine, tmp_path / f"{n}.sqlite3")
            engine.dispose()
        for n in range(6 if kind == "sqlite" else 0):
            with closing(sqlite3.connect(tmp_path / f"{n}.sqlite3")) as check:
                check.execute("PRAGMA foreign_keys = ON")
                assert check.execute("PRAGMA foreign_key_check").fetchall() == []
                assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = []
        for path in dumps:
            reader = DumpReader(path)
            seen: dict[str, set] = {}
            for spec, rows_ in reader.tables_rows():
                records = [dict(zip(spec.columns, r, strict=True)) for r in rows_]
                seen[spec.name] = {r["id"] for r in records} if "id" in spec.columns else set()
                if spec.name == "comments":
                    assert all(r["parent_id"] is None or r["parent_id"] in seen["comments"]
                               for r in records)
                    assert all(r["page_id"] in seen["pages"] for r in records)
            reader.close()
            counts.append(len(seen["comments"]))
        assert counts[-1] > counts[0]  # the writer was busy all along
        fresh = make_app(tmp_path / "dst", SQLALCHEMY_DATABASE_URI=sqlite_url(tmp_path / "dst"))
        backup_rows = _run(fresh, "site", "restore", str(dumps[-1]), "--yes")
        assert f"comments: {len(seen['comments'])} row(s)" in backup_rows
