"""`flask content import` as a real process: it ends without the interpreter's teardown
(app/cli/content.py, _end_process_now), so everything must be written, closed and printed
before it goes: the summary, the committed rows, the parse cache, a database with no WAL
left open."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = ROOT / ".venv" / "bin" / "flask"


def _flask(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update({"SECRET_KEY": "import-process-test-secret-" + "p" * 40,
                "DATABASE_URL": f"sqlite:///{db}", "FLASK_APP": "wsgi", "LOG_REQUESTS": "0",
                "IMPORT_PARSE_CACHE_DIR": str(db.parent / "parse-cache")})
    env.pop("CACHE_TYPE", None)
    env.pop("REDIS_URL", None)
    return subprocess.run([str(FLASK), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _titles(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute(
            "SELECT title FROM pages WHERE kind = 'page' ORDER BY title")]


def test_an_import_process_prints_commits_and_closes_before_it_ends(
        tmp_path: Path, seed_dir: Path) -> None:
    db = tmp_path / "blog.sqlite3"
    assert _flask(db, "db", "upgrade").returncode == 0

    first = _flask(db, "content", "import", str(seed_dir))
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith(
        "1 added, 0 updated, 0 unchanged, 0 removed, 0 errors, 0 warnings")
    assert "Traceback" not in first.stderr
    assert _titles(db) == ["The Rise of AI-Generated Images: A Creative Revolution"]
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # every connection closed cleanly
    assert list((tmp_path / "parse-cache").glob("parse-cache-*.bin"))

    post = next(seed_dir.rglob("index.md"))
    post.write_text(post.read_text().replace(
        'title: "The Rise of AI-Generated Images: A Creative Revolution"',
        'title: "The Rise of AI Images"', 1))
    second = _flask(db, "content", "import", str(seed_dir))
    assert second.returncode == 0, second.stderr
    assert second.stdout.rstrip().endswith(
        "0 added, 1 updated, 0 unchanged, 0 removed, 0 errors, 0 warnings")
    assert _titles(db) == ["The Rise of AI Images"]

    third = _flask(db, "content", "import", "--dry-run", str(seed_dir))
    assert third.returncode == 0, third.stderr
    assert "0 added, 0 updated, 1 unchanged" in third.stdout


def test_a_failed_import_process_still_says_why_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "blog.sqlite3"
    assert _flask(db, "db", "upgrade").returncode == 0
    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    (content / "bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    result = _flask(db, "content", "import", str(tmp_path / "content"))
    assert result.returncode == 1
    assert "bad.md" in result.stderr and "could not be imported" in result.stderr
    assert _titles(db) == []
