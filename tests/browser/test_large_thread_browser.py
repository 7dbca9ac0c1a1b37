"""End to end: a long thread in pages, in headless Chromium against gunicorn.

The server shows 5 top-level comments a page (COMMENTS_PER_PAGE); the seed post gets 13
top-level comments, each with a reply and a reply to that reply, before it starts: 3 pages.
"Load more" appends the next pages in place, nesting kept, and a link to `#comment-N` of a
comment on page 3 opens page 3 (with JavaScript), as `/comments/N` does without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import POST_PATH, VENV_BIN, _run, _server_env, gunicorn
from tests.browser.test_comments_browser import enhanced, tab

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

PER_PAGE, ROOTS = 5, 13
SETTINGS = {"COMMENTS_MODERATION": "none", "COMMENTS_PER_PAGE": str(PER_PAGE)}
# `flask db upgrade`, `flask content import content`, then the thread; its ids to a file.
SET_UP = """
import json, sys
from datetime import datetime, timedelta
from wsgi import app
from app.extensions import db
from app.services.comments.rules import CommentSettings, validate
from app.services.comments.threads import create_comment
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["content", "import", "content"]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
url, roots, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rules = CommentSettings(moderation="none", rate_limit=100_000)
start, n, thread = datetime(2026, 1, 1), 0, []
with app.app_context():
    for r in range(roots):
        ids, parent = [], None
        for level in range(3):
            fields = {"url": url, "text": f"Comment {r}.{level} of a long thread"}
            if parent is not None:
                fields["parent_id"] = parent
            n += 1
            parent = create_comment(db.session, validate(fields, rules), f"10.0.{n}.1",
                                    app.config["SECRET_KEY"], rules,
                                    now=start + timedelta(minutes=n)).id
            ids.append(parent)
        thread.append(ids)
json.dump(thread, open(out, "w"))
"""


@pytest.fixture(scope="module")
def long_thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list]]:
    """(base URL, [[root, reply, reply to reply], ...] oldest first) of the server."""
    tmp = tmp_path_factory.mktemp("long-thread")
    ids = tmp / "thread.json"
    _run([str(VENV_BIN / "python"), "-c", SET_UP, POST_PATH, str(ROOTS), str(ids)],
         _server_env(tmp))
    with gunicorn(tmp, SETTINGS) as (base_url, _):
        yield base_url, json.loads(Path(ids).read_text())


TOPS = "#comments .comment-list > li.comment"


def test_load_more_appends_the_next_pages_with_their_replies(browser, long_thread) -> None:
    base_url, thread = long_thread
    with tab(browser, base_url) as visit:
        page = visit.open()
        enhanced(page)
        expect(page.locator(TOPS)).to_have_count(PER_PAGE)
        more = page.get_by_role("button", name="Load more comments")
        for shown in (2 * PER_PAGE, ROOTS):
            more.click()
            expect(page.locator(TOPS)).to_have_count(shown)
        expect(more).to_have_count(0)  # the last page is on screen
        tops = page.locator(TOPS).evaluate_all("items => items.map(li => +li.dataset.id)")
        assert tops == [ids[0] for ids in thread]
        root, reply, deeper = thread[PER_PAGE + 1]  # from the second page
        nested = page.locator(f"#comment-{root} > .comment-replies > #comment-{reply} "
                              f"> .comment-replies > #comment-{deeper}")
        expect(nested).to_be_visible()
        expect(page.locator("#comments .comment")).to_have_count(3 * ROOTS)
        expect(page.locator(".comment-count")).to_have_text(f"({3 * ROOTS})")


def test_a_link_to_a_comment_on_page_three_shows_it(browser, long_thread) -> None:
    base_url, thread = long_thread
    _, _, target = thread[2 * PER_PAGE + 1]  # a reply to a reply, on page 3
    with tab(browser, base_url) as visit:
        page = visit.open(f"{POST_PATH}#comment-{target}")
        page.wait_for_url(f"**{POST_PATH}?comments=3#comment-{target}")
        expect(page.locator(f"#comment-{target}")).to_be_in_viewport()
        expect(page.locator('nav.comment-pages a[aria-current="page"]')).to_have_text("3")
    with tab(browser, base_url, javascript=False) as visit:  # the permalink, without script
        page = visit.open(f"/comments/{target}")
        assert page.url == f"{base_url}{POST_PATH}?comments=3#comment-{target}"
        expect(page.locator(f"#comment-{target}")).to_be_visible()
