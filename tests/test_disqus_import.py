"""`flask comments import-disqus`: URL mapping, replies, authors, sanitizing, idempotence."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import Comment
from app.render.comment_markdown import render_comment
from app.render.html_markdown import sanitize_foreign
from app.services.comments.disqus import DSQ_ID, DisqusImportError, import_disqus
from app.services.comments.rules import CommentSettings, keyed_hash
from app.services.site.state import get_generation
from tests.conftest import write

EXPORT = Path(__file__).parent / "data" / "disqus-export.xml"
POST = "/posts/the-rise-of-ai-generated-images/"
SECRET = "test-secret-key-that-is-long-enough-for-tests"


@pytest.fixture
def site(seed_dir: Path, runner: FlaskCliRunner) -> FlaskCliRunner:
    """The seed post plus two more, imported."""
    write(seed_dir, "posts/second-post.md", '---\ntitle: "Second post"\ndate: 2023-09-02\n---\n'
          "\nBody two.\n")
    write(seed_dir, "posts/café-notes.md", '---\ntitle: "Café notes"\ndate: 2023-09-01\n---\n'
          "\nBody.\n")
    result = runner.invoke(args=["content", "import", str(seed_dir)])
    assert result.exit_code == 0, result.output
    return runner


def _import(runner: FlaskCliRunner, path: Path = EXPORT) -> tuple[int, str]:
    result = runner.invoke(args=["comments", "import-disqus", str(path)])
    return result.exit_code, result.output


def _rows(app: Flask) -> dict[str, Comment]:
    with app.app_context():
        rows = _db.session.execute(select(Comment)).scalars().all()
        _db.session.expunge_all()
        return {c.external_id or "": c for c in rows}


def _count(app: Flask) -> int:
    with app.app_context():
        return _db.session.execute(select(func.count()).select_from(Comment)).scalar_one()


def test_threads_mapped_by_url_and_reported(app: Flask, site: FlaskCliRunner) -> None:
    code, output = _import(site)
    assert code == 0, output
    assert "threads: 3 matched, 1 unmatched, 1 deleted in Disqus" in output
    assert "no published post for https://blog.example.com/posts/removed-long-ago/" in output
    assert "11 added, 0 duplicates skipped, 1 spam, 1 deleted (kept as markers)" in output
    assert "1 deleted without replies skipped, 2 on unmatched threads skipped" in output
    rows = _rows(app)
    assert len(rows) == 11
    # Domain + query + fragment; no domain and no slash; percent-encoded non-ASCII path.
    assert rows["disqus:1001"].thread_url == POST
    assert rows["disqus:2001"].thread_url == "/posts/second-post/"
    assert rows["disqus:4001"].thread_url == "/posts/café-notes/"
    assert all(r.page_id is not None for r in rows.values())
    assert not {"disqus:3001", "disqus:5001", "disqus:1009"} & rows.keys()


def test_replies_nest_with_the_depth_cap(app: Flask, site: FlaskCliRunner) -> None:
    _import(site)
    rows = _rows(app)
    ids = {key: row.id for key, row in rows.items()}
    shape = {key: (row.parent_id, row.reply_to_id, row.depth) for key, row in rows.items()}
    assert shape["disqus:1001"] == (None, None, 0)
    assert shape["disqus:1002"] == (ids["disqus:1001"], ids["disqus:1001"], 1)
    assert shape["disqus:1003"] == (ids["disqus:1002"], ids["disqus:1002"], 2)
    # Asked for depth 3 and 4: attached at the last level (2), the asked parent kept.
    assert shape["disqus:1004"] == (ids["disqus:1002"], ids["disqus:1003"], 2)
    assert shape["disqus:1005"] == (ids["disqus:1002"], ids["disqus:1004"], 2)
    assert shape["disqus:2002"] == (ids["disqus:2001"], ids["disqus:2001"], 1)
    assert rows["disqus:1003"].created_at < rows["disqus:1004"].created_at


def test_max_depth_setting_is_honoured(app: Flask, site: FlaskCliRunner) -> None:
    with app.app_context():
        import_disqus(_db.session, EXPORT, SECRET, CommentSettings(max_depth=1))
    rows = _rows(app)
    assert {r.depth for r in rows.values()} == {0}
    # With one level, every reply becomes a top-level comment (its target is kept).
    assert all(r.parent_id is None for r in rows.values())


def test_statuses_spam_and_deleted_markers(app: Flask, site: FlaskCliRunner,
                                           client: FlaskClient) -> None:
    _import(site)
    rows = _rows(app)
    assert rows["disqus:1006"].status == "spam"
    marker = rows["disqus:1007"]
    assert marker.deleted and marker.status == "published"
    assert (marker.author, marker.email, marker.text_md, marker.text_html) == ("", None, "", "")
    assert rows["disqus:1008"].parent_id == marker.id
    assert {r.status for k, r in rows.items() if k != "disqus:1006"} == {"published"}
    page = client.get(POST).get_data(as_text=True)
    assert "Très bien" in page and "Depth four asked" in page
    assert "This comment was deleted." in page
    assert "Buy cheap pills" not in page and "regret" not in page
    assert 'alert("xss")' not in page


def test_authors_kept_with_keyed_hashes(app: Flask, site: FlaskCliRunner) -> None:
    _import(site)
    rows = _rows(app)
    alice = rows["disqus:1001"]
    assert alice.author == "Alice Ångström" and alice.email == "Alice@Example.com"
    assert alice.author_key == keyed_hash(SECRET, "email:alice@example.com")
    assert rows["disqus:1003"].author_key == alice.author_key
    guest = rows["disqus:1005"]
    assert guest.author == "Guest Reader" and guest.email is None
    assert guest.author_key == keyed_hash(SECRET, "disqus:Guest Reader")
    assert rows["disqus:4001"].author == "Zoë"
    assert "192.0.2" not in repr([(r.client_key, r.author_key) for r in rows.values()])
    assert rows["disqus:1002"].client_key == keyed_hash(SECRET, "net:192.0.2.0/24")


def test_html_is_sanitized_and_converted(app: Flask, site: FlaskCliRunner) -> None:
    _import(site)
    rows = _rows(app)
    first = rows["disqus:1001"]
    for text in (first.text_html, first.text_md):
        assert "script" not in text and "alert" not in text
        assert "onclick" not in text and "steal" not in text and "javascript" not in text
        assert "disq.us" not in text and "cuid" not in text
    assert "<strong>bold</strong>" in first.text_html and "<em>italic</em>" in first.text_html
    assert 'href="https://example.org/guide"' in first.text_html
    assert 'rel="nofollow ugc noopener"' in first.text_html
    assert "Très bien — 日本語 ✓ **bold** and *italic*." in first.text_md
    assert "[the guide](https://example.org/guide)" in first.text_md
    rich = rows["disqus:2002"]
    assert "tracker.example" not in rich.text_html and "<img" not in rich.text_html
    assert "> Quoted *text*" in rich.text_md and '```\nprint("<b>")\nx = 1\n```' in rich.text_md
    assert "- one\n- two with `code`" in rich.text_md and "1. first\n2. second" in rich.text_md
    plain = rows["disqus:2001"]
    assert plain.text_html.startswith("<p>Plain text, no markup &amp; a second line<br>")
    assert "\\*stars\\*" in plain.text_md  # literal stars, not emphasis
    assert plain.created_at.hour == 6  # +02:00 stored as UTC


def _letters(fragment: str) -> str:
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def test_markdown_source_keeps_the_text_and_markup(app: Flask, site: FlaskCliRunner) -> None:
    messages = {
        f"disqus:{post.get(DSQ_ID)}": post.findtext("{http://disqus.com}message") or ""
        for post in ElementTree.parse(EXPORT).getroot().iter("{http://disqus.com}post")
    }
    _import(site)
    for key, row in _rows(app).items():
        if row.deleted:
            continue
        assert row.text_html == render_comment(row.text_md), key
        clean = sanitize_foreign(messages[key])
        assert _letters(row.text_html) == _letters(clean), key
        clean = re.sub(r"<a (?![^>]*href)[^>]*>(.*?)</a>", r"\1", clean)  # href was unsafe
        assert re.findall(r"</?(\w+)", row.text_html) == re.findall(r"</?(\w+)", clean), key


def test_second_run_imports_nothing_twice(app: Flask, site: FlaskCliRunner) -> None:
    _import(site)
    with app.app_context():
        generation = get_generation(_db.session)
    code, output = _import(site)
    assert code == 0
    assert "0 added, 11 duplicates skipped" in output
    assert _count(app) == 11
    with app.app_context():
        assert get_generation(_db.session) == generation  # nothing added, nothing bumped


def test_a_later_export_adds_only_new_replies(app: Flask, site: FlaskCliRunner,
                                             tmp_path: Path) -> None:
    _import(site)
    later = EXPORT.read_text(encoding="utf-8").replace(
        "</disqus>",
        '<post dsq:id="1010"><message><![CDATA[<p>Late reply</p>]]></message>'
        "<createdAt>2024-01-01T00:00:00Z</createdAt><isDeleted>false</isDeleted>"
        "<isSpam>false</isSpam><author><name>Ivy</name><isAnonymous>true</isAnonymous>"
        '</author><thread dsq:id="100"/><parent dsq:id="1002"/></post></disqus>',
    )
    path = tmp_path / "later.xml"
    path.write_text(later, encoding="utf-8")
    code, output = _import(site, path)
    assert code == 0 and "1 added, 11 duplicates skipped" in output
    rows = _rows(app)
    assert rows["disqus:1010"].parent_id == rows["disqus:1002"].id
    assert rows["disqus:1010"].depth == 2


def test_malformed_xml_names_the_line_and_writes_nothing(app: Flask, site: FlaskCliRunner,
                                                         tmp_path: Path) -> None:
    broken = EXPORT.read_text(encoding="utf-8").replace("</thread>\n  <!-- No domain", "\n"
                                                        "  <!-- No domain", 1)
    path = tmp_path / "broken.xml"
    path.write_text(broken, encoding="utf-8")
    code, output = _import(site, path)
    assert code == 1
    assert re.search(r"malformed XML at line \d+, column \d+", output), output
    assert _count(app) == 0


@pytest.mark.parametrize("payload", [
    # XXE: an external entity reading a local file.
    '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<disqus xmlns="http://disqus.com"><thread><link>&xxe;</link></thread></disqus>',
    # Billion laughs: nested internal entities.
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<disqus xmlns="http://disqus.com"><post><message>&lol3;</message></post></disqus>',
], ids=["xxe", "billion-laughs"])
def test_entity_payloads_are_refused(app: Flask, site: FlaskCliRunner, tmp_path: Path,
                                     payload: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(payload, encoding="utf-8")
    code, output = _import(site, path)
    assert code == 1
    assert "refused: the file declares a DTD or entities" in output
    assert "root:" not in output
    assert _count(app) == 0


def test_service_errors_for_a_foreign_file(app: Flask, site: FlaskCliRunner) -> None:
    with app.app_context(), pytest.raises(DisqusImportError, match="not a Disqus export"):
        import_disqus(_db.session, io.BytesIO(b"<rss><channel/></rss>"), SECRET)
    with app.app_context(), pytest.raises(DisqusImportError, match="line 1"):
        import_disqus(_db.session, io.BytesIO(b"<disqus><thread></disqus>"), SECRET)
