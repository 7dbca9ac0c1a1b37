"""The importer: what a Hugo content tree becomes in the database, and what readers then see.

Runs through `flask content import` (and once through the service) and asserts database rows.
Run-level behaviour (summary, idempotence, prune, dry run, errors) is in test_import_cli.py.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner
from PIL import Image
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Alias, Blob, BundleFile, Page, PageTerm, SiteState, Term
from app.services.importing.importer import ImportOptions, import_content
from app.services.site import bundles
from tests import backends
from tests.conftest import make_app, write

# --- helpers ------------------------------------------------------------------------------


def run_import(runner: FlaskCliRunner, root: Path, *flags: str) -> Result:
    """`flask content import ROOT [FLAGS]`."""
    return runner.invoke(args=["content", "import", str(root), *flags])


def import_ok(runner: FlaskCliRunner, root: Path, *flags: str) -> Result:
    """Import and insist that it succeeded."""
    result = run_import(runner, root, *flags)
    assert result.exit_code == 0, result.output
    return result


def page_row(db: Any, source_path: str) -> Page:
    """The stored page of a content file."""
    db.session.expire_all()
    return db.session.execute(select(Page).where(Page.source_path == source_path)).scalar_one()


def source_paths(db: Any) -> list[str]:
    """Every imported content file, sorted."""
    db.session.expire_all()
    return sorted(db.session.execute(select(Page.source_path)).scalars())


def term_rows(db: Any, taxonomy: str = "tags") -> list[tuple[str, str]]:
    """(slug, name) of every term of a taxonomy, by slug."""
    rows = db.session.execute(
        select(Term.slug, Term.name).where(Term.taxonomy == taxonomy).order_by(Term.slug)
    )
    return [tuple(row) for row in rows]


def page_term_slugs(db: Any, source_path: str, taxonomy: str = "tags") -> list[str]:
    """The term slugs of one page, in front matter order."""
    return list(db.session.execute(
        select(Term.slug)
        .join(PageTerm, PageTerm.term_id == Term.id)
        .join(Page, Page.id == PageTerm.page_id)
        .where(Page.source_path == source_path, Term.taxonomy == taxonomy)
        .order_by(PageTerm.position)
    ).scalars())


def generation(db: Any) -> int:
    """The site generation stored in site_state (0 when never bumped)."""
    db.session.expire_all()
    value = db.session.execute(
        select(SiteState.value).where(SiteState.key == "generation")
    ).scalar_one_or_none()
    return value or 0


def dump_tables(db: Any) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: to compare the database before and after."""
    db.session.expire_all()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def png(width: int, height: int, color: str = "red", fmt: str = "PNG") -> bytes:
    """A real image of the given size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def yaml_page(title: str, extra: str = "", body: str = "Some text.\n") -> str:
    """A page with YAML front matter; `extra` is more YAML lines."""
    return f"---\ntitle: {title}\n{extra}---\n{body}"


# --- front matter formats -------------------------------------------------------------------


def test_yaml_front_matter(runner, db, content_dir):
    write(content_dir, "posts/first.md", (
        "---\n"
        "title: First Post\n"
        "description: About things\n"
        "date: 2023-08-03\n"
        "weight: 3\n"
        "---\n"
        "Hello **world**.\n"
    ))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/first.md")
    assert (page.title, page.description, page.weight) == ("First Post", "About things", 3)
    assert page.date == datetime(2023, 8, 3)
    assert (page.kind, page.section, page.url_path, page.lang) == ("page", "posts",
                                                                   "/posts/first/", "en")
    assert page.body == "Hello **world**.\n"
    assert page.body_line == 7
    assert page.draft is False


def test_toml_front_matter_with_unquoted_date(runner, db, content_dir):
    write(content_dir, "posts/toml.md", (
        "+++\n"
        'title = "Toml Post"\n'
        "date = 2023-08-03T10:00:00+02:00\n"
        'tags = ["One", "Two"]\n'
        "showReadingTime = false\n"
        "+++\n"
        "Body of toml.\n"
    ))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/toml.md")
    assert page.title == "Toml Post"
    assert page.date == datetime(2023, 8, 3, 8, 0)
    assert page.params["showreadingtime"] is False
    assert page.body == "Body of toml.\n"
    assert page_term_slugs(db, "posts/toml.md") == ["one", "two"]


def test_json_front_matter(runner, db, content_dir):
    write(content_dir, "posts/json.md", (
        '{\n  "title": "Json Post",\n  "description": "braces } and { inside",\n'
        '  "date": "2023-08-03T10:00:00Z",\n  "categories": ["Notes"]\n}\n'
        "Body of json.\n"
    ))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/json.md")
    assert page.title == "Json Post"
    assert page.description == "braces } and { inside"
    assert page.date == datetime(2023, 8, 3, 10, 0)
    assert page.body == "Body of json.\n"
    assert page_term_slugs(db, "posts/json.md", "categories") == ["notes"]


def test_bom_and_leading_blank_lines_before_front_matter(runner, db, content_dir):
    write(content_dir, "posts/bom.md", "\ufeff---\ntitle: With BOM\n---\nText.\n")
    write(content_dir, "posts/blank.md", "\n\n  \n+++\ntitle = 'After Blanks'\n+++\nText.\n")
    import_ok(runner, content_dir)
    assert page_row(db, "posts/bom.md").title == "With BOM"
    blank = page_row(db, "posts/blank.md")
    assert blank.title == "After Blanks"
    assert blank.body == "Text.\n"


@pytest.mark.parametrize(("rel", "text"), [
    pytest.param("posts/crlf-yaml.md",
                 "---\r\ntitle: Windows\r\ndate: 2023-08-03\r\n---\r\nBody.\r\n", id="yaml"),
    pytest.param("posts/crlf-toml.md",
                 "+++\r\ntitle = 'Windows'\r\ndate = 2023-08-03\r\n+++\r\nBody.\r\n", id="toml"),
])
def test_front_matter_with_windows_line_endings(runner, db, content_dir, rel, text):
    write(content_dir, rel, text.encode())
    import_ok(runner, content_dir)
    page = page_row(db, rel)
    assert (page.title, page.date) == ("Windows", datetime(2023, 8, 3))
    assert page.body.strip() == "Body."


def test_file_without_front_matter_is_a_page_with_empty_title(runner, db, content_dir):
    write(content_dir, "posts/bare.md", "Just Markdown, no front matter.\n")
    import_ok(runner, content_dir)
    page = page_row(db, "posts/bare.md")
    assert (page.title, page.url_path) == ("", "/posts/bare/")
    assert page.body == "Just Markdown, no front matter.\n"


def test_keys_are_case_insensitive(runner, client, db, content_dir):
    write(content_dir, "posts/caps.md", (
        "---\nTitle: Caps Title\nDate: 2023-08-03\nSHOWDATE: false\nTags: [Loud]\n"
        "Nested:\n  InnerKey: 1\n---\nBody.\n"
    ))
    write(content_dir, "posts/plain.md", yaml_page("Plain", "date: 2023-08-04\n"))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/caps.md")
    assert page.title == "Caps Title"
    assert page.date == datetime(2023, 8, 3)
    assert page.params["showdate"] is False
    assert page.param("ShowDate") is False
    assert page.params["nested"] == {"innerkey": 1}
    assert page_term_slugs(db, "posts/caps.md") == ["loud"]
    # SHOWDATE: false hides the date on the post; the default shows it.
    assert "<time" not in client.get("/posts/caps/").get_data(as_text=True)
    assert '<time datetime="2023-08-04' in client.get("/posts/plain/").get_data(as_text=True)


def test_other_keys_are_kept_as_lower_cased_params(runner, db, content_dir):
    write(content_dir, "posts/p.md", yaml_page("Params", (
        "showTableOfContents: true\ncustomKey: custom value\nsomeList: [1, 2]\n"
    )))
    import_ok(runner, content_dir)
    params = page_row(db, "posts/p.md").params
    assert params["showtableofcontents"] is True
    assert params["customkey"] == "custom value"
    assert params["somelist"] == [1, 2]
    assert "customKey" not in params


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "line", "expected"), [
    ("yaml", "date: 2023-08-03", datetime(2023, 8, 3)),
    ("yaml", "date: 2023-08-03T10:00:00+02:00", datetime(2023, 8, 3, 8, 0)),
    ("yaml", "date: '2023-08-03T10:00:00-07:00'", datetime(2023, 8, 3, 17, 0)),
    ("yaml", "date: 2023-08-03T10:00:00Z", datetime(2023, 8, 3, 10, 0)),
    ("yaml", "date: 2023-08-03T10:00:00", datetime(2023, 8, 3, 10, 0)),
    ("yaml", "date: '2023-08-03T10:00:00'", datetime(2023, 8, 3, 10, 0)),
    ("yaml", "date: 15 Oct 2023", datetime(2023, 10, 15)),
    ("toml", "date = 2023-08-03", datetime(2023, 8, 3)),
    ("toml", "date = 2023-08-03T10:00:00-07:00", datetime(2023, 8, 3, 17, 0)),
    ("toml", "date = 2023-08-03T10:00:00", datetime(2023, 8, 3, 10, 0)),
    ("toml", "date = '2023-08-03T10:00:00+02:00'", datetime(2023, 8, 3, 8, 0)),
])
def test_hugo_date_forms_are_stored_as_utc(runner, db, content_dir, fmt, line, expected):
    fence = "---" if fmt == "yaml" else "+++"
    title = "title: D" if fmt == "yaml" else 'title = "D"'
    write(content_dir, "posts/d.md", f"{fence}\n{title}\n{line}\n{fence}\nText.\n")
    import_ok(runner, content_dir)
    page = page_row(db, "posts/d.md")
    assert page.date == expected
    # With only `date`, Hugo's publishDate and lastmod are the date too.
    assert page.publish_date == expected
    assert page.lastmod == expected


def test_zone_less_dates_use_the_site_time_zone(tmp_path, content_dir):
    (tmp_path / "paris").mkdir()
    paris = make_app(tmp_path / "paris", SITE_TIMEZONE="Europe/Paris")
    write(content_dir, "posts/local.md", "---\ntitle: L\ndate: 2023-08-03T10:00:00\n---\nx\n")
    write(content_dir, "posts/zoned.md", "---\ntitle: Z\ndate: 2023-08-03T10:00:00Z\n---\nx\n")
    import_ok(paris.test_cli_runner(), content_dir)
    with paris.app_context():
        assert page_row(_db, "posts/local.md").date == datetime(2023, 8, 3, 8, 0)  # CEST
        assert page_row(_db, "posts/zoned.md").date == datetime(2023, 8, 3, 10, 0)
        _db.session.remove()  # its connection back in the pool, which dispose closes
        _db.engine.dispose()


def test_date_fields_fall_back_like_hugo(runner, db, content_dir):
    write(content_dir, "posts/pub.md", yaml_page("Pub", "publishDate: 2021-05-01\n"))
    write(content_dir, "posts/exp.md", yaml_page("Exp", (
        "date: 2021-01-01\nlastmod: 2021-02-01\nunpublishdate: 2999-01-01\n"
    )))
    import_ok(runner, content_dir)
    pub = page_row(db, "posts/pub.md")
    assert (pub.date, pub.publish_date) == (datetime(2021, 5, 1), datetime(2021, 5, 1))
    exp = page_row(db, "posts/exp.md")
    assert (exp.date, exp.lastmod) == (datetime(2021, 1, 1), datetime(2021, 2, 1))
    assert exp.expiry_date == datetime(2999, 1, 1)


# --- publishing: stored but hidden ------------------------------------------------------


@pytest.mark.parametrize(("extra", "column", "value"), [
    ("draft: true\n", "draft", True),
    ("publishDate: 2999-01-01\n", "publish_date", datetime(2999, 1, 1)),
    ("date: 2999-01-01\n", "publish_date", datetime(2999, 1, 1)),
    ("expiryDate: 2000-01-01\n", "expiry_date", datetime(2000, 1, 1)),
])
def test_unpublished_pages_are_stored_but_hidden(runner, client, db, content_dir,
                                                 extra, column, value):
    write(content_dir, "posts/shown.md", yaml_page("Shown Post", "date: 2023-01-01\n"))
    write(content_dir, "posts/hidden.md", yaml_page("Hidden Post", extra + "tags: [secret]\n"))
    import_ok(runner, content_dir)
    assert getattr(page_row(db, "posts/hidden.md"), column) == value
    assert client.get("/posts/hidden/").status_code == 404
    assert client.get("/posts/shown/").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "Shown Post" in home
    assert "Hidden Post" not in home
    assert client.get("/tags/secret/").status_code == 404


def test_files_of_a_hidden_bundle_are_not_served(runner, client, content_dir):
    write(content_dir, "posts/d/index.md", yaml_page("D", "draft: true\n"))
    write(content_dir, "posts/d/pic.png", png(4, 4))
    import_ok(runner, content_dir)
    assert client.get("/posts/d/pic.png").status_code == 404


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rel", "extra", "url"), [
    ("posts/my-post.md", "", "/posts/my-post/"),
    ("posts/Single File Post.md", "", "/posts/single-file-post/"),
    ("posts/UPPER_Case.md", "", "/posts/upper_case/"),
    ("posts/x/index.md", "", "/posts/x/"),
    ("posts/x.md", "slug: custom-slug\n", "/posts/custom-slug/"),
    ("posts/x.md", "url: /custom/url/path/\n", "/custom/url/path/"),
    ("posts/x.md", "slug: ignored\nurl: /wins/\n", "/wins/"),
])
def test_page_urls(runner, client, db, content_dir, rel, extra, url):
    write(content_dir, rel, yaml_page("Url Page", extra))
    import_ok(runner, content_dir)
    assert page_row(db, rel).url_path == url
    response = client.get(url)
    assert response.status_code == 200
    assert "Url Page" in response.get_data(as_text=True)


def test_slug_replaces_the_old_url(runner, client, db, content_dir):
    write(content_dir, "posts/x.md", yaml_page("Slugged", "slug: new-name\n"))
    import_ok(runner, content_dir)
    assert client.get("/posts/x/").status_code == 404
    assert client.get("/posts/new-name/").status_code == 200


def test_aliases_redirect_permanently(runner, client, db, content_dir):
    write(content_dir, "posts/moved.md",
          yaml_page("Moved", "aliases: [/old-path/, relative-old]\n"))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/moved.md")
    assert sorted(alias.path for alias in page.aliases) == ["/old-path", "/posts/relative-old"]
    for old in ("/old-path/", "/old-path", "/posts/relative-old/"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"].endswith("/posts/moved/")


def test_alias_of_a_hidden_page_does_not_redirect(runner, client, content_dir):
    write(content_dir, "posts/d.md", yaml_page("D", "draft: true\naliases: [/old-draft/]\n"))
    import_ok(runner, content_dir)
    assert client.get("/old-draft/").status_code == 404


# --- taxonomies ---------------------------------------------------------------------------


def test_terms_are_case_insensitive_across_pages(runner, client, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("Page A", "tags: [AI, Art]\n"))
    write(content_dir, "posts/b.md", yaml_page("Page B", "tags: [ai]\n"))
    import_ok(runner, content_dir)
    assert [slug for slug, _ in term_rows(db)] == ["ai", "art"]
    assert page_term_slugs(db, "posts/a.md") == ["ai", "art"]
    assert page_term_slugs(db, "posts/b.md") == ["ai"]
    listing = client.get("/tags/ai/").get_data(as_text=True)
    assert "Page A" in listing
    assert "Page B" in listing


def test_same_term_twice_on_one_page_is_one_link(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [Go, go, GO]\n"))
    import_ok(runner, content_dir)
    assert page_term_slugs(db, "posts/a.md") == ["go"]
    assert len(term_rows(db)) == 1


def test_a_string_instead_of_a_list_is_one_term(runner, client, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("Single", "categories: Reviews\ntags: Solo\n"))
    import_ok(runner, content_dir)
    assert term_rows(db, "categories") == [("reviews", "Reviews")]
    assert term_rows(db, "tags") == [("solo", "Solo")]
    assert client.get("/categories/reviews/").status_code == 200


@pytest.mark.parametrize(("name", "slug"), [
    ("Dream Studio", "dream-studio"),
    ("DALL-E", "dall-e"),
    ("Foo & Bar", "foo--bar"),
    ("Midjourney", "midjourney"),
    ("Vim (text editor)", "vim-text-editor"),
    ("AI/ML", "ai/ml"),
    ("C++", "c++"),
    ("node.js", "node.js"),
])
def test_term_slugs_follow_hugo(runner, client, db, content_dir, name, slug):
    write(content_dir, "posts/a.md", yaml_page("Tagged Page", f'tags: ["{name}"]\n'))
    import_ok(runner, content_dir)
    assert term_rows(db) == [(slug, name)]
    response = client.get(f"/tags/{slug}/")
    assert response.status_code == 200
    assert "Tagged Page" in response.get_data(as_text=True)


# --- single files, leaf bundles, branch bundles ---------------------------------------------


def test_leaf_bundle_files_are_stored_and_served(runner, client, db, content_dir):
    image = png(40, 30)
    photo = png(64, 48, "blue", "JPEG")
    write(content_dir, "posts/x/index.md", yaml_page("Bundle", body="![A](gallery/a.png)\n"))
    write(content_dir, "posts/x/gallery/a.png", image)
    write(content_dir, "posts/x/photo.jpg", photo)
    write(content_dir, "posts/x/notes.txt", "plain notes\n")
    write(content_dir, "posts/x/more/extra.md", "---\ntitle: Not a page\n---\nx\n")
    import_ok(runner, content_dir)

    assert source_paths(db) == ["posts/x/index.md"]  # Markdown inside a bundle is no page
    page = page_row(db, "posts/x/index.md")
    files = {f.rel_path: f for f in page.files}
    assert sorted(files) == ["gallery/a.png", "notes.txt", "photo.jpg"]
    assert files["gallery/a.png"].url_path == "/posts/x/gallery/a.png"
    blob = db.session.get(Blob, files["gallery/a.png"].blob_sha256)
    assert (blob.width, blob.height, blob.size, blob.media_type) == (40, 30, len(image),
                                                                     "image/png")
    assert (files["photo.jpg"].blob.width, files["photo.jpg"].blob.height) == (64, 48)
    assert (files["notes.txt"].blob.width, files["notes.txt"].blob.height) == (None, None)

    response = client.get("/posts/x/gallery/a.png")
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.data == image
    response = client.get("/posts/x/photo.jpg")
    assert (response.content_type, response.data) == ("image/jpeg", photo)
    assert client.get("/posts/x/gallery/missing.png").status_code == 404


def test_identical_files_in_two_bundles_are_one_blob(runner, db, content_dir):
    image = png(10, 10)
    for name in ("one", "two"):
        write(content_dir, f"posts/{name}/index.md", yaml_page(name))
        write(content_dir, f"posts/{name}/cover.png", image)
    import_ok(runner, content_dir)
    urls = sorted(db.session.execute(select(BundleFile.url_path)).scalars())
    assert urls == ["/posts/one/cover.png", "/posts/two/cover.png"]
    assert len(db.session.execute(select(Blob.sha256)).all()) == 1


def test_image_variants_are_made_before_the_import_takes_the_write_lock(
        runner, client, db, content_dir, tmp_path, monkeypatch):
    """Pillow resizes new images before the import's transaction writes: while it works,
    another process can still write to the SQLite file (a comment would not wait)."""
    if backends.use_postgres():
        pytest.skip("SQLite's write lock; PostgreSQL has row locks")
    write(content_dir, "posts/x/index.md", yaml_page("Big", body="![Big](big.png)\n"))
    write(content_dir, "posts/x/big.png", png(1400, 700))
    real = bundles.make_variant
    writes_possible: list[bool] = []

    def resize_and_probe(data: bytes, width: int) -> bytes:
        database = _db.engine.url.database
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the lock
            other.execute("ROLLBACK")
            writes_possible.append(True)
        except sqlite3.OperationalError:
            writes_possible.append(False)
        finally:
            other.close()
        return real(data, width)

    monkeypatch.setattr(bundles, "make_variant", resize_and_probe)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the copies are made
    import_ok(runner, content_dir)
    assert writes_possible == [True, True]  # 800 and 1280 px, both outside the write
    html = client.get("/posts/x/").get_data(as_text=True)
    assert "big.png?w=800&amp;v=" in html and "big.png?w=1280&amp;v=" in html
    blob_sha = page_row(db, "posts/x/index.md").files[0].blob_sha256
    variant = client.get(f"/posts/x/big.png?w=800&v={blob_sha[:10]}")
    assert (variant.status_code, variant.content_type) == (200, "image/webp")
    with Image.open(io.BytesIO(variant.data)) as image:
        assert image.size == (800, 400)
    assert list(scratch.iterdir()) == []  # the prepared copies are deleted


def test_single_file_page_has_no_files(runner, db, content_dir):
    write(content_dir, "posts/single.md", yaml_page("Single"))
    write(content_dir, "posts/other/index.md", yaml_page("Other"))
    write(content_dir, "posts/other/pic.png", png(5, 5))
    import_ok(runner, content_dir)
    assert page_row(db, "posts/single.md").files == []
    assert [f.rel_path for f in page_row(db, "posts/other/index.md").files] == ["pic.png"]


def test_branch_bundles_are_sections_and_home(runner, client, db, content_dir):
    write(content_dir, "_index.md", yaml_page("My Home Title", body="Welcome home.\n"))
    write(content_dir, "posts/_index.md", yaml_page("Posts Section", body="All the posts.\n"))
    write(content_dir, "posts/banner.png", png(20, 10))
    write(content_dir, "posts/child.md", yaml_page("Child Post", "date: 2023-01-01\n"))
    import_ok(runner, content_dir)

    home = page_row(db, "_index.md")
    assert (home.kind, home.url_path, home.section) == ("home", "/", "")
    section = page_row(db, "posts/_index.md")
    assert (section.kind, section.url_path, section.section) == ("section", "/posts/", "posts")
    assert [f.url_path for f in section.files] == ["/posts/banner.png"]
    child = page_row(db, "posts/child.md")
    assert (child.kind, child.url_path) == ("page", "/posts/child/")

    listing = client.get("/posts/").get_data(as_text=True)
    assert "Posts Section" in listing
    assert "Child Post" in listing
    assert "My Home Title" in client.get("/").get_data(as_text=True)
    assert client.get("/posts/banner.png").data == png(20, 10)


# --- the service itself ------------------------------------------------------------------------


def test_service_returns_a_report_and_commits(app, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [x]\naliases: [/a-old/]\n"))
    write(content_dir, "posts/b.md", yaml_page("B"))
    report = import_content(db.session, content_dir, ImportOptions())
    assert sorted(report.added) == ["posts/a.md", "posts/b.md"]
    assert report.summary() == ("2 added, 0 updated, 0 unchanged, 0 removed, "
                                "0 errors, 0 warnings")
    db.session.remove()
    assert source_paths(db) == ["posts/a.md", "posts/b.md"]
    assert db.session.execute(select(Alias.path)).scalars().all() == ["/a-old"]
    assert generation(db) == 1


def test_service_refuses_a_missing_folder(db, tmp_path):
    with pytest.raises(FileNotFoundError):
        import_content(db.session, tmp_path / "nope", ImportOptions())
