"""Re-importing: a file whose stat is unchanged is not read, a racily clean one is, and
every kind of change leaves the same database as a full import of the same tree."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from app.content import tree
from app.extensions import db
from app.models import Alias, BundleFile, Page, PageTerm, Term
from app.services.importing import importer, parse_cache
from app.services.importing.run import import_site
from tests.conftest import make_app, write

OLD_NS = 1_600_000_000 * 10**9  # 2020: well before any scan, so never racily clean
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe"
       b"\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _post(title: str, body: str = "", extra: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: 2024-01-02\ntags: [Alpha, Beta]\n{extra}---\n"
            f"Body of {title}. {body}\n")


def _site(content: Path) -> None:
    write(content, "_index.md", "---\ntitle: Home\n---\nWelcome.\n")
    write(content, "posts/_index.md",
          "---\ntitle: Posts\ncascade:\n  color: blue\n---\nAll posts.\n")
    write(content, "posts/one.md", _post("One", 'See [two]({{< ref "two" >}}).'))
    write(content, "posts/two.md", _post("Two", extra="aliases: [/old-two/]\n"))
    write(content, "posts/three.md", _post("Three", 'And [one]({{< relref "one" >}}).'))
    write(content, "posts/bundle/index.md", _post("Bundle", "![dot](dot.png)"))
    write(content, "posts/bundle/dot.png", PNG)
    write(content, "docs/guide.md", _post("Guide"))


def _age(content: Path) -> None:
    """Every file stamped in 2020, as a tree edited long ago."""
    for path in content.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_NS, OLD_NS))


def _import(app: Flask, content: Path, **config: Any) -> str:
    with app.app_context():
        result = import_site(content, {**app.config, **config}, app.instance_path,
                             db.session, db.engine, prune=True)
        db.session.remove()
    assert not result.report.errors, result.report.errors
    return result.report.summary()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every content file whose bytes are read: the real reader functions, counted."""
    seen: list[str] = []

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def reader(path: Path, *args: Any) -> Any:
            seen.append(path.name)
            return real(path, *args)
        return reader

    monkeypatch.setattr(importer, "read_source", counted(importer.read_source))
    monkeypatch.setattr(importer, "file_sha256", counted(tree.file_sha256))
    return seen


def test_an_unchanged_tree_reads_no_file_body(tmp_path: Path, reads: list[str]) -> None:
    content = tmp_path / "content"
    _site(content)
    _age(content)
    app = make_app(tmp_path)
    assert _import(app, content).startswith("7 added")
    assert sorted(reads) == ["_index.md", "_index.md", "dot.png", "guide.md", "index.md",
                             "one.md", "three.md", "two.md"]
    reads.clear()
    stored = next((tmp_path / "instance").glob("parse-cache-*.bin"))
    written = stored.stat().st_mtime_ns
    assert _import(app, content).startswith("0 added, 0 updated, 7 unchanged")
    assert reads == []  # not a page, not the bundle's image
    assert stored.stat().st_mtime_ns == written  # nothing new to keep: the cache not rewritten

    two = content / "posts/two.md"
    two.write_text(_post("Two", "More.", "aliases: [/old-two/]\n"))
    os.utime(two, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    assert _import(app, content).startswith("0 added, 1 updated, 6 unchanged")
    assert reads == ["two.md"]
    html = app.test_client().get("/posts/two/").get_data(as_text=True)
    assert "More." in html
    # what changed was kept as a delta beside the cache file, which was not rewritten
    assert stored.stat().st_mtime_ns == written
    assert parse_cache.delta_file(stored).is_file()
    reads.clear()
    assert _import(app, content).startswith("0 added, 0 updated, 7 unchanged")
    assert reads == []  # the delta holds the new stat and parse


def test_the_stat_is_what_is_trusted_as_git_does(tmp_path: Path) -> None:
    """Same size, same modification time, same inode: the file is not read (git's rule), so
    rewriting it in place and putting its time back goes unseen, until its stat changes."""
    content = tmp_path / "content"
    write(content, "posts/a.md", _post("Aaaa"))
    _age(content)
    app = make_app(tmp_path)
    _import(app, content)
    page = content / "posts/a.md"
    with page.open("r+b") as handle:  # in place: the inode stays
        handle.write(page.read_bytes().replace(b"Aaaa", b"Bbbb"))
    os.utime(page, ns=(OLD_NS, OLD_NS))
    assert _import(app, content).startswith("0 added, 0 updated, 1 unchanged")
    assert "Aaaa" in app.test_client().get("/posts/a/").get_data(as_text=True)
    os.utime(page)  # touched: read again
    assert _import(app, content).startswith("0 added, 1 updated")
    assert "Bbbb" in app.test_client().get("/posts/a/").get_data(as_text=True)


def test_a_racily_clean_file_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    """A file stamped as late as the scan that recorded it may have changed again within the
    same timestamp: its stat does not vouch for it, and the next run reads it."""
    content = tmp_path / "content"
    page = write(content, "posts/a.md", _post("Aaaa"))  # stamped now: racily clean
    app = make_app(tmp_path)
    _import(app, content)
    stamp = page.stat().st_mtime_ns
    with page.open("r+b") as handle:
        handle.write(page.read_bytes().replace(b"Aaaa", b"Bbbb"))
    os.utime(page, ns=(stamp, stamp))  # the very stat that was recorded
    reads.clear()
    assert _import(app, content).startswith("0 added, 1 updated")
    assert reads == ["a.md"]
    assert "Bbbb" in app.test_client().get("/posts/a/").get_data(as_text=True)


def _rows(app: Flask) -> dict[str, Any]:
    """What an import leaves in the database, without ids and times."""
    skip = {"id", "imported_at"}
    with app.app_context():
        session = db.session
        pages = {page.source_path: {c.name: getattr(page, c.key)
                                    for c in Page.__table__.columns if c.name not in skip}
                 for page in session.execute(select(Page)).scalars()}
        by_id = dict(session.execute(select(Page.id, Page.source_path)).tuples().all())
        terms = sorted(session.execute(select(Term.taxonomy, Term.lang, Term.slug, Term.name,
                                              Term.title)).tuples().all())
        links = sorted((by_id[p], t.slug, pos) for p, t, pos in session.execute(
            select(PageTerm.page_id, Term, PageTerm.position).join(Term)).tuples().all())
        aliases = sorted((path, by_id[p]) for path, p in
                         session.execute(select(Alias.path, Alias.page_id)).tuples().all())
        files = sorted((by_id[p], rel, url, sha) for p, rel, url, sha in session.execute(
            select(BundleFile.page_id, BundleFile.rel_path, BundleFile.url_path,
                   BundleFile.blob_sha256)).tuples().all())
        db.session.remove()
    return {"pages": pages, "terms": terms, "links": links, "aliases": aliases,
            "files": files}


def _full_import_rows(app: Flask, content: Path) -> dict[str, Any]:
    """The same database emptied and imported afresh, without the parse cache."""
    with app.app_context():
        db.session.execute(delete(Page))
        db.session.execute(delete(Term))
        db.session.commit()
        db.session.remove()
    _import(app, content, IMPORT_PARSE_CACHE=False)
    return _rows(app)


def _rename(content: Path) -> None:
    (content / "posts/two.md").rename(content / "posts/deux.md")


CHANGES: dict[str, Callable[[Path], Any]] = {
    "a page's body": lambda c: (c / "posts/one.md").write_text(
        _post("One", 'Now also [three]({{< ref "three" >}}).')),
    "a page's date and tags": lambda c: (c / "posts/three.md").write_text(
        _post("Three", 'And [one]({{< relref "one" >}}).').replace(
            "2024-01-02", "2025-05-05").replace("[Alpha, Beta]", "[Gamma]")),
    "a section's cascade": lambda c: (c / "posts/_index.md").write_text(
        "---\ntitle: Posts\ncascade:\n  color: red\n  banner: yes\n---\nAll posts.\n"),
    "a ref target's title": lambda c: (c / "posts/two.md").write_text(
        _post("Two Renamed", extra="aliases: [/old-two/]\n")),
    "a ref target's URL": lambda c: (c / "posts/two.md").write_text(
        _post("Two", extra="slug: zwei\naliases: [/old-two/]\n")),
    "a removed file": lambda c: (c / "posts/two.md").unlink(),
    "a renamed file": _rename,
    "a new section": lambda c: write(c, "notes/_index.md",
                                     "---\ntitle: Notes\ncascade:\n  color: green\n---\n"),
    "a bundle's image": lambda c: (c / "posts/bundle/dot.png").write_bytes(PNG + b"\0"),
}


# The changes the incremental site pass takes; the others reach the site's structure
# (sections, cascades, ref targets, the set of pages) and take the whole pass.
INCREMENTAL = {"a page's body", "a ref target's title", "a bundle's image"}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_re_import_equals_a_full_import(tmp_path: Path, change: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    _site(content)
    _age(content)
    app = make_app(tmp_path)
    _import(app, content)
    whole_passes: list[int] = []
    real = importer.link_site

    def counted(*args: Any, **kwargs: Any) -> None:
        whole_passes.append(1)
        real(*args, **kwargs)

    monkeypatch.setattr(importer, "link_site", counted)
    CHANGES[change](content)
    summary = _import(app, content)
    assert not summary.startswith("0 added, 0 updated") or " 1 removed" in summary
    assert whole_passes == ([] if change in INCREMENTAL else [1])
    incremental = _rows(app)
    assert incremental == _full_import_rows(app, content)


def test_a_watchs_import_looks_only_at_the_files_the_os_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told which files changed (a watch's file events), the importer stats those alone when
    they are pages it knows, or temporary files gone since; anything else (a new file, a page
    removed) makes it scan the tree. Each run leaves what a full import leaves."""
    content = tmp_path / "content"
    _site(content)
    _age(content)
    app = make_app(tmp_path)
    cache = importer.ParseCache()
    scans: list[Path] = []
    real = importer.scan

    def counted(root: Path, *args: Any, **kwargs: Any) -> Any:
        scans.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(importer, "scan", counted)

    def run(touched: set[Path] | None) -> str:
        cache.touched = None if touched is None else {str(p.resolve()) for p in touched}
        with app.app_context():
            result = import_site(content, app.config, app.instance_path, db.session,
                                 db.engine, parse_cache=cache)
            db.session.remove()
        return result.report.summary()

    assert run(None).startswith("7 added") and len(scans) == 1
    one = content / "posts/one.md"
    one.write_text(_post("One", "Edited."))
    assert run({one, content / "posts/.one.md.swp"}).startswith("0 added, 1 updated")
    assert len(scans) == 1  # no scan: the page was stat'ed alone
    assert "Edited." in app.test_client().get("/posts/one/").get_data(as_text=True)
    assert _rows(app) == _full_import_rows(app, content)

    scans.clear()
    new = write(content, "posts/four.md", _post("Four"))
    assert run({new}).startswith("1 added") and len(scans) == 1
    new.unlink()
    assert " 1 removed" in run({new}) and len(scans) == 2
