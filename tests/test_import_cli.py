"""`flask content import` as a run: summary, idempotence, removals, dry run, bad input,
atomicity."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Blob, BundleFile, Comment, Page, Term
from app.services.site import bundles
from tests import backends
from tests.conftest import make_app, write
from tests.test_importer import (
    dump_tables,
    generation,
    import_ok,
    page_row,
    png,
    run_import,
    source_paths,
    term_rows,
    yaml_page,
)


def summary(added=0, updated=0, unchanged=0, removed=0, errors=0, warnings=0) -> str:
    """The summary line the command prints last."""
    return (f"{added} added, {updated} updated, {unchanged} unchanged, {removed} removed, "
            f"{errors} errors, {warnings} warnings")


# --- summary, idempotence, updates ------------------------------------------------------------


def test_first_import_prints_the_summary(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A"))
    result = import_ok(runner, content_dir)
    assert result.stdout.strip().splitlines()[-1] == summary(added=1)
    assert result.stderr == ""
    assert generation(db) == 1


def test_verbose_lists_each_page(runner, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A"))
    assert "added: posts/a.md" in import_ok(runner, content_dir, "--verbose").stdout


def test_missing_folder_is_an_error(runner, tmp_path):
    result = run_import(runner, tmp_path / "does-not-exist")
    assert result.exit_code != 0
    assert "content folder not found" in result.output


def test_second_run_over_unchanged_files_writes_nothing(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [t]\n"))
    write(content_dir, "posts/b/index.md", yaml_page("B"))
    write(content_dir, "posts/b/pic.png", png(8, 8))
    import_ok(runner, content_dir)
    before = dump_tables(db)
    assert generation(db) == 1

    result = import_ok(runner, content_dir)
    assert summary(unchanged=2) in result.stdout
    assert generation(db) == 1
    assert dump_tables(db) == before  # not even imported_at moved


def test_a_changed_file_updates_its_row_and_bumps_generation(runner, client, db, content_dir):
    path = write(content_dir, "posts/a.md", yaml_page("Old Title", "tags: [gone]\n"))
    write(content_dir, "posts/b.md", yaml_page("B"))
    import_ok(runner, content_dir)
    page_id = page_row(db, "posts/a.md").id
    assert "Old Title" in client.get("/posts/a/").get_data(as_text=True)

    path.write_text(yaml_page("New Title", "tags: [fresh]\n"), encoding="utf-8")
    result = import_ok(runner, content_dir)
    assert summary(updated=1, unchanged=1) in result.stdout
    page = page_row(db, "posts/a.md")
    assert (page.id, page.title) == (page_id, "New Title")
    assert term_rows(db) == [("fresh", "fresh")]  # the unused term is gone
    assert generation(db) == 2
    html = client.get("/posts/a/").get_data(as_text=True)
    assert "New Title" in html
    assert "Old Title" not in html


def test_a_changed_bundle_file_updates_the_page(runner, client, db, content_dir):
    write(content_dir, "posts/x/index.md", yaml_page("X"))
    image = write(content_dir, "posts/x/pic.png", png(8, 8))
    import_ok(runner, content_dir)
    image.write_bytes(png(16, 12, "green"))
    assert summary(updated=1) in import_ok(runner, content_dir).stdout
    assert client.get("/posts/x/pic.png").data == png(16, 12, "green")
    assert page_row(db, "posts/x/index.md").files[0].blob.width == 16
    assert generation(db) == 2


# --- prune and dry run --------------------------------------------------------------------------


def test_vanished_pages_are_removed_with_their_files(runner, client, db, content_dir):
    write(content_dir, "posts/keep.md", yaml_page("Keep", "tags: [kept]\n"))
    write(content_dir, "posts/gone/index.md", yaml_page("Gone", "tags: [lonely]\n"))
    write(content_dir, "posts/gone/pic.png", png(8, 8))
    import_ok(runner, content_dir)
    for name in ("index.md", "pic.png"):
        (content_dir / "posts/gone" / name).unlink()

    result = import_ok(runner, content_dir)  # no flag: the folder is the source of truth
    assert "removed: posts/gone/index.md" in result.stdout.splitlines()
    assert summary(unchanged=1, removed=1) in result.stdout
    assert source_paths(db) == ["posts/keep.md"]
    assert term_rows(db) == [("kept", "kept")]
    assert db.session.execute(select(BundleFile.id)).all() == []
    assert db.session.execute(select(Blob.sha256)).all() == []  # no orphan blob left
    assert client.get("/posts/gone/").status_code == 404
    assert client.get("/posts/gone/pic.png").status_code == 404
    assert generation(db) == 2


def test_prune_is_still_accepted(runner, client, db, content_dir):
    write(content_dir, "posts/keep.md", yaml_page("Keep"))
    gone = write(content_dir, "posts/gone.md", yaml_page("Gone"))
    import_ok(runner, content_dir)
    gone.unlink()
    assert summary(unchanged=1, removed=1) in import_ok(runner, content_dir, "--prune").stdout
    assert client.get("/posts/gone/").status_code == 404


def test_keep_missing_keeps_the_page_and_says_so(runner, client, db, content_dir):
    write(content_dir, "posts/keep.md", yaml_page("Keep"))
    gone = write(content_dir, "posts/gone.md", yaml_page("Gone"))
    import_ok(runner, content_dir)
    gone.unlink()
    result = import_ok(runner, content_dir, "--keep-missing", "-v")
    assert ("0 added, 0 updated, 1 unchanged, 0 removed, 1 missing (kept), 0 errors, "
            "0 warnings") in result.stdout
    assert "missing, kept: posts/gone.md" in result.stdout
    assert "1 page(s) whose files are gone were kept (--keep-missing)" in result.stderr
    assert client.get("/posts/gone/").status_code == 200
    contradiction = run_import(runner, content_dir, "--keep-missing", "--prune")
    assert contradiction.exit_code == 2
    assert "--prune and --keep-missing contradict each other" in contradiction.output
    # The next plain run removes it.
    assert summary(unchanged=1, removed=1) in import_ok(runner, content_dir).stdout


def test_a_folder_without_pages_removes_nothing_unless_pruned(runner, client, db,
                                                               content_dir, tmp_path):
    write(content_dir, "posts/a.md", yaml_page("A"))
    write(content_dir, "posts/b.md", yaml_page("B"))
    import_ok(runner, content_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_import(runner, empty)  # a wrong folder must not empty the site
    assert result.exit_code == 1
    assert (f"error: no page found in {empty}: the 2 imported pages were kept (pass --prune "
            "to remove them all)") in result.stderr
    assert source_paths(db) == ["posts/a.md", "posts/b.md"]
    assert client.get("/posts/a/").status_code == 200
    assert summary(removed=2) in import_ok(runner, empty, "--prune").stdout
    assert source_paths(db) == []


def test_a_removed_page_keeps_its_comments_for_its_return(app, runner, client, db,
                                                          content_dir):
    from app.services.comments.rules import CommentInput, CommentSettings
    from app.services.comments.threads import create_comment

    write(content_dir, "posts/keep.md", yaml_page("Keep"))
    post = write(content_dir, "posts/talk.md", yaml_page("Talk"))
    text = post.read_text(encoding="utf-8")
    import_ok(runner, content_dir)
    entry = CommentInput("/posts/talk/", None, "Alice", None, None, "Kept through removal.",
                         False)
    create_comment(db.session, entry, "192.0.2.9", app.config["SECRET_KEY"],
                   CommentSettings(moderation="none", rate_limit=1000))
    assert "Kept through removal." in client.get("/posts/talk/").get_data(as_text=True)

    post.unlink()
    assert summary(unchanged=1, removed=1) in import_ok(runner, content_dir).stdout
    assert client.get("/posts/talk/").status_code == 404
    db.session.expire_all()
    assert db.session.execute(select(Comment.text_md, Comment.page_id)).all() == [
        ("Kept through removal.", None)]  # kept, waiting at its URL

    post.write_text(text, encoding="utf-8")
    assert summary(added=1, unchanged=1) in import_ok(runner, content_dir).stdout
    assert "Kept through removal." in client.get("/posts/talk/").get_data(as_text=True)


def test_every_run_lists_every_current_warning(runner, db, content_dir):
    write(content_dir, "posts/odd.md", "---\ntitle: Odd\n---\n\n{{< mystery >}}\n")
    write(content_dir, "posts/plain.md", yaml_page("Plain"))
    first = import_ok(runner, content_dir)
    line = "warning: posts/odd.md:5: unknown shortcode 'mystery'"
    assert line in first.stderr and summary(added=2, warnings=1) in first.stdout
    # Nothing changed: the page is not rendered again, and its warning is still listed.
    again = import_ok(runner, content_dir)
    assert line in again.stderr and summary(unchanged=2, warnings=1) in again.stdout
    write(content_dir, "posts/plain.md", yaml_page("Plain, edited"))
    third = import_ok(runner, content_dir)
    assert line in third.stderr and summary(updated=1, unchanged=1, warnings=1) in third.stdout
    # Fixed: gone from the next run.
    write(content_dir, "posts/odd.md", yaml_page("Odd, fixed"))
    assert summary(updated=1, unchanged=1) in import_ok(runner, content_dir).stdout
    assert "mystery" not in import_ok(runner, content_dir).stderr


def test_dry_run_reports_but_writes_nothing(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [t]\n"))
    write(content_dir, "posts/b/index.md", yaml_page("B"))
    write(content_dir, "posts/b/pic.png", png(8, 8))
    empty = dump_tables(db)
    result = import_ok(runner, content_dir, "--dry-run")
    assert result.stdout.strip().splitlines()[-1] == (
        "Dry run, nothing written: " + summary(added=2))
    assert dump_tables(db) == empty
    assert generation(db) == 0
    # The real run afterwards still has everything to do.
    assert summary(added=2) in import_ok(runner, content_dir).stdout


def test_dry_run_with_changes_and_prune_keeps_the_database(runner, db, content_dir):
    path = write(content_dir, "posts/a.md", yaml_page("Old"))
    gone = write(content_dir, "posts/gone.md", yaml_page("Gone"))
    import_ok(runner, content_dir)
    before = dump_tables(db)
    path.write_text(yaml_page("New"), encoding="utf-8")
    gone.unlink()
    write(content_dir, "posts/new.md", yaml_page("Brand New"))
    result = import_ok(runner, content_dir, "--dry-run", "--prune")
    assert summary(added=1, updated=1, removed=1) in result.stdout
    assert dump_tables(db) == before
    assert page_row(db, "posts/a.md").title == "Old"


# --- bad input ----------------------------------------------------------------------------------

BAD_PAGES = [
    pytest.param("---\ntitle: ok\nfoo: bar: baz\n---\nx\n", 3, "invalid YAML front matter",
                 id="yaml-syntax"),
    pytest.param("---\ntitle: ok\ndescription: \"open\n---\nx\n", None,
                 "invalid YAML front matter", id="yaml-never-closed-quote"),
    pytest.param("---\ntitle: never closed\n\nbody\n", 1, "never closed", id="yaml-no-end"),
    pytest.param('+++\ntitle = "x"\ndate = \nfoo = 1\n+++\nx\n', 3, "invalid TOML front matter",
                 id="toml-syntax"),
    pytest.param('{\n  "title": "x",\n  "date": ,\n  "a": 1\n}\nx\n', 3,
                 "invalid JSON front matter", id="json-syntax"),
    pytest.param('{\n  "title": "x"\n\nbody\n', 1, "no closing '}'", id="json-unclosed"),
    pytest.param("---\ntitle: ok\ndraft: false\ndate: not-a-date\n---\nx\n", 4, "invalid date",
                 id="date-string"),
    pytest.param("+++\ntitle = 'x'\npublishDate = 'yesterday'\n+++\nx\n", 3, "invalid date",
                 id="date-toml-string"),
    pytest.param('{\n "title": "x",\n "date": "2023-02-30"\n}\nx\n', 3, "invalid date",
                 id="date-json-day-out-of-range"),
    pytest.param("---\ntitle: ok\n---\n\nIntro\n\n{{< carousel images=\"a.png\" \n\nmore\n", 7,
                 "unterminated shortcode", id="shortcode-unterminated"),
    pytest.param("---\ntitle: ok\n---\n\nIntro\n{{< details >}}\ntext\n{{< /other >}}\n", 8,
                 "closing tag for 'other' has no opening tag", id="shortcode-stray-close"),
    pytest.param("\n\n---\ntitle: ok\n---\n{{< a >}}{{< b >}}\n{{< /a >}}\n{{< /b >}}\n", 7,
                 "does not match", id="shortcode-mismatched-after-blank-lines"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_PAGES)
def test_bad_page_is_reported_with_line_and_skipped(runner, db, content_dir, text, line, reason):
    write(content_dir, "posts/good.md", yaml_page("Good"))
    write(content_dir, "posts/bad.md", text)
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    prefix = f"posts/bad.md:{line}: " if line else "posts/bad.md:"
    reported = [entry for entry in result.stderr.splitlines() if prefix in entry]
    assert len(reported) == 1, result.stderr
    assert reason in reported[0]
    assert summary(added=1, errors=1) in result.stdout
    assert source_paths(db) == ["posts/good.md"]


@pytest.mark.parametrize(("value", "line"), [
    ("2023-02-30", 4),  # YAML reads this as a timestamp and the calendar refuses it
    ("2023-13-45", 4),
])
def test_impossible_yaml_timestamp_is_reported_on_its_line(runner, db, content_dir, value, line):
    write(content_dir, "posts/bad.md", f"---\ntitle: ok\ndraft: false\ndate: {value}\n---\nx\n")
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert f"posts/bad.md:{line}: " in result.stderr
    assert source_paths(db) == []


@pytest.mark.parametrize("text", [
    pytest.param("---\ntitle: ok\ndescription: \"open\nfoo: bar\n---\nx\n", id="yaml-quote"),
    pytest.param("---\ntitle: ok\ntags: [a, b\nfoo: bar\n---\nx\n", id="yaml-flow-list"),
    pytest.param('+++\ntitle = "ok"\ntags = ["a", "b"\nfoo = 1\n+++\nx\n', id="toml-array"),
])
def test_unclosed_value_is_reported_on_its_opening_line(runner, content_dir, text):
    write(content_dir, "posts/bad.md", text)
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/bad.md:3: " in result.stderr


def test_a_page_that_fails_keeps_its_previous_version(runner, client, db, content_dir):
    path = write(content_dir, "posts/a.md", yaml_page("Old Good Title", "tags: [kept]\n"))
    write(content_dir, "posts/b.md", yaml_page("B"))
    import_ok(runner, content_dir)
    before = page_row(db, "posts/a.md")
    old = (before.id, before.source_hash, before.body)

    path.write_text("---\ntitle: New Title\ntags: [a, b\n---\nx\n", encoding="utf-8")
    result = run_import(runner, content_dir, "--prune")  # a broken file is not a vanished one
    assert result.exit_code != 0
    assert "posts/a.md:" in result.stderr
    assert summary(unchanged=1, errors=1) in result.stdout
    assert generation(db) == 1
    after = page_row(db, "posts/a.md")
    assert (after.id, after.source_hash, after.body, after.title) == (*old, "Old Good Title")
    assert term_rows(db) == [("kept", "kept")]
    assert "Old Good Title" in client.get("/posts/a/").get_data(as_text=True)

    # A broken shortcode is no different; and the next run still tries again.
    path.write_text(yaml_page("New Title", body="{{< carousel images=\"x\"\n"), encoding="utf-8")
    assert run_import(runner, content_dir).exit_code != 0
    assert page_row(db, "posts/a.md").title == "Old Good Title"
    path.write_text(yaml_page("Fixed Title"), encoding="utf-8")
    assert summary(updated=1, unchanged=1) in import_ok(runner, content_dir).stdout
    assert "Fixed Title" in client.get("/posts/a/").get_data(as_text=True)


def test_unknown_shortcode_is_a_warning_and_renders_inert(runner, client, db, content_dir):
    write(content_dir, "posts/u.md", (
        '---\ntitle: Unknown\n---\n\nBefore.\n\n{{< mystery foo="bar" >}}\n\nAfter.\n'
    ))
    result = import_ok(runner, content_dir)
    assert "posts/u.md:7: unknown shortcode 'mystery'" in result.stderr
    assert summary(added=1, warnings=1) in result.stdout
    assert source_paths(db) == ["posts/u.md"]
    html = client.get("/posts/u/").get_data(as_text=True)
    assert 'class="shortcode-unknown"' in html
    assert "{{&lt; mystery foo=&quot;bar&quot; &gt;}}</code>" in html
    assert "After." in html


def test_failure_in_the_middle_of_the_write_changes_nothing(runner, db, content_dir,
                                                            monkeypatch):
    for name in ("a", "b"):
        write(content_dir, f"posts/{name}/index.md", yaml_page(f"{name} v1", "tags: [v1]\n"))
        write(content_dir, f"posts/{name}/pic.png", png(8, 8, "red"))
    gone = write(content_dir, "posts/gone.md", yaml_page("Gone"))
    import_ok(runner, content_dir)
    before = dump_tables(db)

    for name in ("a", "b"):
        write(content_dir, f"posts/{name}/index.md", yaml_page(f"{name} v2", "tags: [v2]\n"))
        write(content_dir, f"posts/{name}/pic.png", png(9, 9, "blue"))
    write(content_dir, "posts/c.md", yaml_page("c new"))
    gone.unlink()

    real = bundles.store_blob
    calls: list[str] = []

    def failing_store(session, item, cache):
        calls.append(str(item.abs_path))
        if len(calls) == 2:
            raise RuntimeError("disk vanished")
        return real(session, item, cache)

    monkeypatch.setattr(bundles, "store_blob", failing_store)
    result = run_import(runner, content_dir, "--prune")
    assert len(calls) == 2
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert dump_tables(db) == before


def test_two_files_claiming_one_url(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "url: /same/\n"))
    write(content_dir, "posts/b.md", yaml_page("B", "url: /same/\n"))
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/b.md:" in result.stderr
    assert "/same/ is already used by posts/a.md" in result.stderr
    assert page_row(db, "posts/a.md").url_path == "/same/"
    assert source_paths(db) == ["posts/a.md"]


def test_new_file_claiming_an_imported_url(runner, db, content_dir):
    write(content_dir, "posts/x.md", yaml_page("Single X"))
    import_ok(runner, content_dir)
    write(content_dir, "posts/x/index.md", yaml_page("Bundle X"))
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/x/index.md:" in result.stderr
    assert "/posts/x/ is already used by posts/x.md" in result.stderr
    assert page_row(db, "posts/x.md").title == "Single X"


def test_pages_can_swap_urls_in_one_run(runner, client, db, content_dir):
    a = write(content_dir, "posts/a.md", yaml_page("Page A", "url: /one/\n"))
    b = write(content_dir, "posts/b.md", yaml_page("Page B", "url: /two/\n"))
    import_ok(runner, content_dir)
    a.write_text(yaml_page("Page A", "url: /two/\n"), encoding="utf-8")
    b.write_text(yaml_page("Page B", "url: /one/\n"), encoding="utf-8")
    assert summary(updated=2) in import_ok(runner, content_dir).stdout
    assert "Page A" in client.get("/two/").get_data(as_text=True)
    assert "Page B" in client.get("/one/").get_data(as_text=True)


def test_binary_file_named_md_is_a_clear_error(runner, db, content_dir):
    write(content_dir, "posts/good.md", yaml_page("Good"))
    write(content_dir, "posts/picture.md", png(4, 4))
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/picture.md:1: binary file, not Markdown text" in result.stderr
    assert source_paths(db) == ["posts/good.md"]


def test_invalid_utf8_is_a_clear_error(runner, db, content_dir):
    write(content_dir, "posts/good.md", yaml_page("Good"))
    write(content_dir, "posts/latin1.md", "---\ntitle: Caf\u00e9\n---\n\nna\u00efve\n".encode(
        "latin-1"))
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/latin1.md:2: not valid UTF-8 (byte 0xe9)" in result.stderr
    assert source_paths(db) == ["posts/good.md"]


def test_symlinks_pointing_outside_the_content_folder_are_not_imported(
        runner, client, db, content_dir, tmp_path):
    outside = tmp_path / "outside"
    write(outside, "secret.md", yaml_page("Secret Outside"))
    write(outside, "secret.png", png(3, 3))
    write(outside, "dir/index.md", yaml_page("Secret Dir"))
    write(content_dir, "posts/x/index.md", yaml_page("Inside"))
    os.symlink(outside / "secret.md", content_dir / "posts/link.md")
    os.symlink(outside / "secret.png", content_dir / "posts/x/leak.png")
    os.symlink(outside / "dir", content_dir / "posts/linked-dir")

    result = run_import(runner, content_dir)
    assert "posts/link.md:" in result.output
    assert "posts/x/leak.png:" in result.output
    assert "outside the content folder" in result.output
    assert source_paths(db) == ["posts/x/index.md"]
    assert page_row(db, "posts/x/index.md").files == []
    titles = db.session.execute(select(Page.title)).scalars().all()
    assert titles == ["Inside"]
    assert client.get("/posts/x/leak.png").status_code == 404
    assert client.get("/posts/link/").status_code == 404


def test_symlink_inside_the_content_folder_is_imported(runner, db, content_dir):
    write(content_dir, "drafts/real.md", yaml_page("Real"))
    os.symlink(content_dir / "drafts/real.md", content_dir / "posts-link.md")
    import_ok(runner, content_dir)
    assert source_paths(db) == ["drafts/real.md", "posts-link.md"]


def test_orphan_terms_are_not_left_behind(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [x, y]\n"))
    import_ok(runner, content_dir)
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [y]\n"))
    import_ok(runner, content_dir)
    assert db.session.execute(select(Term.slug)).scalars().all() == ["y"]


def test_a_changed_setting_reimports_every_page(app, runner, db, content_dir, tmp_path):
    write(content_dir, "posts/a.md", "---\ntitle: A\ndate: 2023-08-03T10:00:00\n---\nx\n")
    import_ok(runner, content_dir)
    assert page_row(db, "posts/a.md").date == datetime(2023, 8, 3, 10, 0)
    paris = make_app(tmp_path, SITE_TIMEZONE="Europe/Paris",  # the same database
                     SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with paris.app_context():
        result = import_ok(paris.test_cli_runner(), content_dir)
        assert summary(updated=1) in result.stdout
        assert page_row(_db, "posts/a.md").date == datetime(2023, 8, 3, 8, 0)
        _db.session.remove()  # its connection back in the pool, which dispose closes
        _db.engine.dispose()


def test_a_page_moving_onto_a_taken_url_keeps_its_old_one(runner, client, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("Page A", "url: /one/\n"))
    b = write(content_dir, "posts/b.md", yaml_page("Page B", "url: /two/\n"))
    import_ok(runner, content_dir)
    b.write_text(yaml_page("Page B moved", "url: /one/\n"), encoding="utf-8")
    result = run_import(runner, content_dir)
    assert result.exit_code != 0
    assert "posts/b.md:1: URL /one/ is already used by posts/a.md" in result.stderr
    assert (page_row(db, "posts/b.md").url_path, page_row(db, "posts/b.md").title) == (
        "/two/", "Page B")
    assert "Page A" in client.get("/one/").get_data(as_text=True)


def test_other_content_formats_are_a_warning(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A"))
    write(content_dir, "posts/old.html", "<p>legacy</p>")
    result = import_ok(runner, content_dir)
    assert "posts/old.html" in result.stderr
    assert "not supported" in result.stderr
    assert summary(added=1, warnings=1) in result.stdout
    assert source_paths(db) == ["posts/a.md"]


def test_an_import_leaves_sqlite_s_write_ahead_log_empty(runner, db, content_dir):
    """The import's transaction is copied into the database file and the WAL truncated, so
    the next writer (a comment) does not pay for it and the disk space comes back."""
    if backends.use_postgres():
        pytest.skip("SQLite's write-ahead log")
    for n in range(30):
        write(content_dir, f"posts/p{n}.md", yaml_page(f"Post {n}", body="Text. " * 400))
    wal = Path(f"{db.engine.url.database}-wal")
    assert db.session.execute(select(Page.id)).first() is None  # a connection stays open
    import_ok(runner, content_dir)
    assert wal.exists() and wal.stat().st_size == 0
    assert len(db.session.execute(select(Page.id)).all()) == 30
