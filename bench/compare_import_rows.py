"""Import the same content with two checkouts of the app and compare the databases row by row.

    .venv/bin/python bench/compare_import_rows.py OLD_WORKTREE NEW_WORKTREE CONTENT [THEN ...]

Each checkout imports CONTENT into a fresh SQLite file under /tmp (with its own .venv), then
each THEN content tree in turn (a re-import: updated, added and removed pages). Every table
is compared row by row, ids included (see RENUMBERED), and the search index by what it
holds (see LAYOUT); only pages.imported_at is ignored (the time of the run). Exit status 1
when anything differs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.services.site.search_text import index_text  # the view's function

IGNORED = {("pages", "imported_at")}
# FTS5's segments: where one ends depends on statement and transaction boundaries (FTS5
# flushes at a savepoint), not on what is indexed. The index's contents are compared
# instead: every word instance (term, row, column, offset), the vocabulary, document sizes.
LAYOUT = {"page_search_data", "page_search_idx"}
# Link rows that a re-import deletes and inserts again: on SQLite a new row's id is the
# largest id + 1, so it depends on when the old rows were deleted, which the two writers do
# at different points (nothing refers to these ids). Compared without ids when they differ.
RENUMBERED = {"aliases", "bundle_files"}


def run_imports(worktree: Path, contents: list[Path], db: Path, work: Path) -> None:
    """Migrate a fresh database and import each content tree into it, in order."""
    env = dict(os.environ, SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=f"sqlite:///{db}",
               LOG_REQUESTS="0", IMPORT_PARSE_CACHE_DIR=str(work / f"{db.stem}-pc"))
    flask = [str(worktree / ".venv/bin/flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=worktree, env=env, check=True,
                   capture_output=True)
    for content in contents:
        done = subprocess.run([*flask, "content", "import", str(content)], cwd=worktree,
                              env=env, capture_output=True, text=True)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        print(f"{worktree.name} {content}: exit {done.returncode}: {last}")


def table_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (FTS vocabulary too), ignored columns left out, in rowid order."""
    con = sqlite3.connect(db)
    con.create_function("blog_search_text", 1, index_text, deterministic=True)
    tables = [name for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {}
    for table in tables:
        columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
        kept = [c for c in columns if (table, c) not in IGNORED]
        if not kept or table in LAYOUT:
            continue
        select = ", ".join(f'"{c}"' for c in kept)
        try:
            rows = con.execute(f'SELECT {select} FROM "{table}" ORDER BY rowid').fetchall()
        except sqlite3.OperationalError:  # WITHOUT ROWID
            rows = sorted(con.execute(f'SELECT {select} FROM "{table}"').fetchall(), key=repr)
        out[table] = rows
    out["page_search (rowid, title, body)"] = con.execute(
        "SELECT rowid, title, body FROM page_search ORDER BY rowid").fetchall()
    out["page_search_terms"] = con.execute(
        "SELECT term, doc, cnt FROM page_search_terms ORDER BY term").fetchall()
    con.execute("CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, page_search, instance)")
    out["page_search instances (term, doc, col, offset)"] = con.execute(
        "SELECT term, doc, col, offset FROM temp.instances").fetchall()
    con.execute("INSERT INTO page_search (page_search) VALUES ('integrity-check')")
    con.close()
    return out


def _without_ids(rows: list[tuple[Any, ...]] | None) -> list[tuple[Any, ...]]:
    """The rows without their first column (the id), sorted."""
    return sorted(row[1:] for row in rows or [])


def compare(old: dict[str, list[tuple[Any, ...]]], new: dict[str, list[tuple[Any, ...]]]) -> int:
    """Print each table that differs (with its first differing row); the count of them."""
    differ = 0
    for table in sorted(set(old) | set(new)):
        a, b = old.get(table), new.get(table)
        if a == b:
            print(f"  same  {table}: {len(a or [])} rows")
            continue
        if table in RENUMBERED and _without_ids(a) == _without_ids(b):
            print(f"  same  {table}: {len(a or [])} rows, apart from their ids")
            continue
        differ += 1
        print(f"  DIFF  {table}: {len(a or [])} vs {len(b or [])} rows")
        for x, y in zip(a or [], b or [], strict=False):
            if x != y:
                print(f"        old {str(x)[:300]}\n        new {str(y)[:300]}")
                break
    return differ


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    old_tree, new_tree = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    contents = [Path(p).resolve() for p in argv[2:]]
    work = Path(tempfile.mkdtemp(prefix="compare-import-", dir="/tmp"))
    try:
        run_imports(old_tree, contents, work / "old.db", work)
        run_imports(new_tree, contents, work / "new.db", work)
        differ = compare(table_rows(work / "old.db"), table_rows(work / "new.db"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("identical" if not differ else f"{differ} table(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
