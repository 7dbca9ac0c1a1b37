"""The import's write phase: pages written in batches of executemany statements (store.Writer).

What the rows are after a first import, after a re-import over it, and when new and updated
pages meet in one run (shared terms, aliases claimed by the page that comes first, URLs
swapped); what the import does not set (a closed thread) is kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.models import Alias, BundleFile, Page, PageTerm, Term
from app.services.importing.store import Writer
from tests.conftest import write
from tests.test_importer import import_ok, page_row, page_term_slugs, png, yaml_page


def _aliases(db: Any, source_path: str) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.execute(
        select(Alias.path).join(Page, Page.id == Alias.page_id)
        .where(Page.source_path == source_path)).scalars())


def _files(db: Any, source_path: str) -> list[tuple[str, str]]:
    return sorted(db.session.execute(
        select(BundleFile.rel_path, BundleFile.url_path).join(Page, Page.id == BundleFile.page_id)
        .where(Page.source_path == source_path)).tuples())


def _found(client: Any, word: str) -> list[str]:
    """The URLs the site's search finds a word at."""
    response = client.get(f"/search.json?q={word}")
    assert response.status_code == 200
    return sorted(hit["url"] for hit in response.get_json()["hits"])


def test_terms_shared_by_many_new_pages_are_one_row_each(runner, db, content_dir):
    count = Writer.FLUSH_EVERY + 50  # more than one batch
    for i in range(count):
        tags = "[Shared, Second]" if i % 2 else "[second, SHARED, Shared]"
        write(content_dir, f"posts/p{i:03d}.md", yaml_page(f"P {i}", f"tags: {tags}\n"))
    import_ok(runner, content_dir)

    terms = db.session.execute(select(Term.slug, Term.name).order_by(Term.id)).tuples().all()
    assert terms == [("second", "second"), ("shared", "SHARED")]  # the spelling first met
    assert db.session.execute(select(func.count()).select_from(PageTerm)).scalar() == 2 * count
    assert page_term_slugs(db, "posts/p000.md") == ["second", "shared"]
    assert page_term_slugs(db, "posts/p001.md") == ["shared", "second"]
    positions = db.session.execute(
        select(PageTerm.position).join(Page, Page.id == PageTerm.page_id)
        .where(Page.source_path == "posts/p000.md").order_by(PageTerm.position)).scalars()
    assert list(positions) == [0, 1]  # "Shared" (position 2) repeats "SHARED": no link


def test_new_pages_get_every_column_aliases_files_and_search(runner, client, db, content_dir):
    write(content_dir, "posts/b/index.md", yaml_page(
        "Bundle", "tags: [Go]\naliases: [/old-b/, /old-b/]\n"
        "weight: 3\nsubtitle: Sub\n", body="Zebrafish swim.\n"))
    write(content_dir, "posts/b/pic.png", png(8, 8))
    import_ok(runner, content_dir)

    page = page_row(db, "posts/b/index.md")
    assert (page.title, page.draft, page.weight, page.comments_closed) == ("Bundle", False, 3,
                                                                           False)
    assert page.params["subtitle"] == "Sub"
    assert page.refs == {} and page.warnings is None
    assert page.plain_text.strip() == "Zebrafish swim."
    assert _aliases(db, "posts/b/index.md") == ["/old-b"]  # once
    assert _files(db, "posts/b/index.md") == [("pic.png", "/posts/b/pic.png")]
    assert _found(client, "zebrafish") == ["/posts/b/"]


def test_reimport_over_a_first_import_updates_its_rows(runner, client, db, content_dir):
    write(content_dir, "posts/a/index.md", yaml_page(
        "Alpha", "tags: [Go, Rust]\naliases: [/old-a/]\n", body="Aardvark.\n"))
    write(content_dir, "posts/a/pic.png", png(8, 8))
    import_ok(runner, content_dir)
    first_id = page_row(db, "posts/a/index.md").id

    write(content_dir, "posts/a/index.md", yaml_page(
        "Alpha 2", "tags: [Rust, Zig]\naliases: [/older-a/]\n", body="Baboon.\n"))
    (content_dir / "posts/a/pic.png").unlink()
    write(content_dir, "posts/a/other.png", png(9, 9, "blue"))
    import_ok(runner, content_dir)

    page = page_row(db, "posts/a/index.md")
    assert (page.id, page.title) == (first_id, "Alpha 2")
    assert page_term_slugs(db, "posts/a/index.md") == ["rust", "zig"]
    assert sorted(db.session.execute(select(Term.slug)).scalars()) == ["rust", "zig"]
    assert _aliases(db, "posts/a/index.md") == ["/older-a"]
    assert _files(db, "posts/a/index.md") == [("other.png", "/posts/a/other.png")]
    assert _found(client, "baboon") == ["/posts/a/"]
    assert _found(client, "aardvark") == []


def test_new_and_updated_pages_in_one_run_share_terms_and_aliases_in_order(
        runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [Old]\naliases: [/x/]\n"))
    write(content_dir, "posts/c.md", yaml_page("C", "aliases: [/y/]\n"))
    import_ok(runner, content_dir)

    # a (updated) gives up /x/, which b (new, after it) takes; b claims /y/, still c's (updated,
    # after b); c and d (new) share b's new term
    write(content_dir, "posts/a.md", yaml_page("A2", "tags: [Fresh]\n"))
    write(content_dir, "posts/b.md", yaml_page("B", "tags: [Fresh, Brand]\naliases: [/x/, /y/]\n"))
    write(content_dir, "posts/c.md", yaml_page("C2", "tags: [Brand]\naliases: [/y/]\n"))
    write(content_dir, "posts/d.md", yaml_page("D", "tags: [brand]\naliases: [/y/, /z/]\n"))
    result = import_ok(runner, content_dir)
    assert "2 added, 2 updated" in result.output

    assert _aliases(db, "posts/a.md") == []
    assert _aliases(db, "posts/b.md") == ["/x"]
    assert _aliases(db, "posts/c.md") == ["/y"]
    assert _aliases(db, "posts/d.md") == ["/z"]
    assert page_term_slugs(db, "posts/c.md") == ["brand"]
    assert page_term_slugs(db, "posts/d.md") == ["brand"]
    assert sorted(db.session.execute(select(Term.slug, Term.name)).tuples()) == [
        ("brand", "Brand"), ("fresh", "Fresh")]


def test_reimport_keeps_what_the_import_does_not_set(runner, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "tags: [Go]\n"))
    import_ok(runner, content_dir)
    page = page_row(db, "posts/a.md")
    page.comments_closed = True  # as a moderator closes a thread
    db.session.commit()

    write(content_dir, "posts/a.md", yaml_page("A2", "tags: [Go]\n"))
    import_ok(runner, content_dir)

    page = page_row(db, "posts/a.md")
    assert (page.title, page.comments_closed) == ("A2", True)
    assert page_term_slugs(db, "posts/a.md") == ["go"]


def test_pages_swapping_urls_and_aliases_in_one_run(runner, client, db, content_dir):
    write(content_dir, "posts/a.md", yaml_page("A", "url: /one/\naliases: [/a-old/]\n"))
    write(content_dir, "posts/b.md", yaml_page("B", "url: /two/\naliases: [/b-old/]\n"))
    import_ok(runner, content_dir)

    write(content_dir, "posts/a.md", yaml_page("A", "url: /two/\naliases: [/b-old/]\n"))
    write(content_dir, "posts/b.md", yaml_page("B", "url: /one/\naliases: [/a-old/]\n"))
    import_ok(runner, content_dir)

    assert (page_row(db, "posts/a.md").url_path, page_row(db, "posts/b.md").url_path) == (
        "/two/", "/one/")
    # both moved: their old aliases were let go before either was written
    assert _aliases(db, "posts/a.md") == ["/b-old"]
    assert _aliases(db, "posts/b.md") == ["/a-old"]
    assert client.get("/a-old/").headers["Location"].endswith("/one/")
    assert client.get("/b-old/").headers["Location"].endswith("/two/")
