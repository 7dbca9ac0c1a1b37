"""The parse cache kept between imports: unchanged pages are not parsed, nothing stale is used."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.services.importing import importer, parse_cache
from tests.conftest import make_app


def _site(content: Path, count: int = 5) -> None:
    posts = content / "posts"
    posts.mkdir(parents=True)
    for n in range(count):
        (posts / f"p{n}.md").write_text(f"---\ntitle: Post {n}\ntags: [t]\n---\nBody {n}.\n")


def _import(app: Flask, content: Path, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["content", "import", *args, str(content)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page the importer parses, by source path."""
    seen: list[str] = []
    real = importer.build_page

    def counting(entry, text, options):  # type: ignore[no-untyped-def]
        seen.append(entry.source_path)
        return real(entry, text, options)

    monkeypatch.setattr(importer, "build_page", counting)
    return seen


def test_a_second_import_parses_only_the_changed_file(tmp_path: Path,
                                                     parses: list[str]) -> None:
    content = tmp_path / "content"
    _site(content)
    app = make_app(tmp_path)
    _import(app, content)
    assert len(parses) == 5
    assert list((tmp_path / "instance").glob("parse-cache-*.bin"))
    parses.clear()
    (content / "posts" / "p3.md").write_text("---\ntitle: Renamed\ntags: [t]\n---\nBody 3.\n")
    assert "0 added, 1 updated, 4 unchanged" in _import(app, content)
    assert parses == ["posts/p3.md"]
    assert "Renamed" in app.test_client().get("/posts/p3/").get_data(as_text=True)


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path, parses: list[str]) -> None:
    content = tmp_path / "content"
    _site(content)
    app = make_app(tmp_path)
    _import(app, content)
    stored = next((tmp_path / "instance").glob("parse-cache-*.bin"))
    data = bytearray(stored.read_bytes())
    data[-10] ^= 0xFF
    stored.write_bytes(bytes(data))
    assert parse_cache.load(stored, app.config["SECRET_KEY"]) == {}
    parses.clear()
    _import(app, content, "--prune")
    assert len(parses) == 5  # parsed again, nothing trusted from the damaged file
    assert parse_cache.load(stored, app.config["SECRET_KEY"])  # and saved afresh
    assert parse_cache.load(stored, "another-secret-of-some-length-1234567890") == {}


def test_a_dry_run_leaves_no_cache(tmp_path: Path) -> None:
    content = tmp_path / "content"
    _site(content)
    app = make_app(tmp_path)
    _import(app, content, "--dry-run")
    assert not list((tmp_path / "instance").glob("parse-cache-*.bin"))


def test_the_cache_keeps_no_text_and_a_page_re_rendered_from_it_is_whole(
        tmp_path: Path, parses: list[str]) -> None:
    """The stored cache holds what parsing found, not bodies; a page that must render again
    because another page moved (its ref changes) gets its body from its file, whole."""
    content = tmp_path / "content"
    posts = content / "posts"
    posts.mkdir(parents=True)
    (posts / "a.md").write_text(
        "---\ntitle: A\n---\nA quokka sentence, then a link to "
        '[B]({{< ref "b" >}}).\n\nA second paragraph about wombats.\n', encoding="utf-8")
    (posts / "b.md").write_text("---\ntitle: B\n---\nBody of B.\n", encoding="utf-8")
    app = make_app(tmp_path)
    _import(app, content)
    stored = next((tmp_path / "instance").glob("parse-cache-*.bin"))
    assert b"quokka" not in stored.read_bytes()
    assert parse_cache.load(stored, app.config["SECRET_KEY"])  # and it is a valid cache

    parses.clear()
    (posts / "b.md").write_text("---\ntitle: B\nslug: bee\n---\nBody of B.\n", encoding="utf-8")
    assert "0 added, 2 updated" in _import(app, content)
    assert parses == ["posts/b.md"]  # a.md came from the cache, without its body
    html = app.test_client().get("/posts/a/").get_data(as_text=True)
    assert 'href="/posts/bee/"' in html
    assert "A quokka sentence" in html and "about wombats" in html
