"""End to end: the spam score, in headless Chromium against gunicorn.

The server runs with `none` moderation and a model trained by 12 approve and 12 spam
decisions (made with the moderation service before it starts, from the labelled set of
tests/test_spam.py), and three more of each held in the queue. A reader posting spam
through the comment form sees it held ("Awaiting moderation") while an ordinary comment
is published at once; the moderator then finds the spam at the top of the queue with its
score, and the "by date" sort puts it back in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import POST_PATH, VENV_BIN, _run, _server_env, gunicorn
from tests.browser.test_comments_browser import SHOTS, enhanced, filled, post_with_js, tab
from tests.conftest import ADMIN_PASSWORD, admin_settings

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

DATA = Path(__file__).resolve().parents[1] / "data" / "spam_ham.json"
PASSWORD = ADMIN_PASSWORD
DECISIONS = 12  # of each kind
SETTINGS = {
    "COMMENTS_MODERATION": "none",
    "COMMENTS_MIN_FILL_SECONDS": "1",
    "COMMENTS_RATE_LIMIT": "100",
}
# `flask db upgrade`, `flask content import content`, then the moderator's first decisions.
SET_UP = """
import json, sys
from wsgi import app
from app.extensions import db
from app.services.comments import moderation
from app.services.comments.rules import CommentSettings, validate
from app.services.comments.threads import create_comment
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["content", "import", "content"]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
data, count, url = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
held = CommentSettings(moderation="all", rate_limit=100_000)
with app.app_context():
    for label, action in (("ham", "approve"), ("spam", "spam")):
        ids = []
        for item in data[label][:count]:
            fields = {"url": url, "text": item["text"], "author": item["author"],
                      "email": item["email"] or "", "website": item["website"] or ""}
            ids.append(create_comment(db.session, validate(fields, held), item["ip"],
                                      app.config["SECRET_KEY"], held).id)
        moderation.moderate(db.session, ids, action)
    for label in ("ham", "spam"):  # then a few more, held for the moderator, now scored
        for item in data[label][-3:]:
            fields = {"url": url, "text": item["text"], "author": item["author"],
                      "email": item["email"] or "", "website": item["website"] or ""}
            create_comment(db.session, validate(fields, held), item["ip"],
                           app.config["SECRET_KEY"], held)
"""
SPAM = ("Buy cheap viagra and cialis online without prescription, discreet worldwide "
        "shipping, lowest prices: https://cheap-pills-now.top/order")
HAM = "Thanks for the post, the part about the noise schedule was really clear to me."


@pytest.fixture(scope="module")
def trained_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of gunicorn with `none` moderation, an admin password and a trained model."""
    tmp = tmp_path_factory.mktemp("spam-server")
    settings = {**SETTINGS, **admin_settings()}
    _run([str(VENV_BIN / "python"), "-c", SET_UP, str(DATA), str(DECISIONS), POST_PATH],
         {**_server_env(tmp), **settings})
    with gunicorn(tmp, settings) as (base_url, _):
        yield base_url


def _row_ids(page) -> list[str]:
    return page.eval_on_selector_all("table.admin-table tbody tr[id^=comment-]",
                                     "rows => rows.map(r => r.id.replace('comment-', ''))")


def test_the_queue_shows_the_score_of_a_held_spam_comment(browser, trained_server):
    with tab(browser, trained_server) as reader:
        page = reader.open()
        spam_id = post_with_js(page, SPAM, "Cheap Pills", filled(enhanced(page)))
        expect(page.locator(f"#comment-{spam_id} .badge-pending")).to_have_text(
            "Awaiting moderation")
    with tab(browser, trained_server) as other:
        page = other.open()
        ham_id = post_with_js(page, HAM, "Karin", filled(enhanced(page)))
        expect(page.locator(f"#comment-{ham_id}")).not_to_have_class("is-pending")
        expect(page.locator(f"#comment-{ham_id} .badge-pending")).to_have_count(0)

    with tab(browser, trained_server) as moderator:
        page = moderator.open("/admin/login")
        page.fill("#admin-password", PASSWORD)
        page.click("form.admin-form [type=submit]")
        page.wait_for_url("**/admin/")
        expect(page.locator("table.admin-table caption").first).to_contain_text(
            "highest spam score first")
        header = page.locator("table.admin-table thead th").filter(has_text="Spam score")
        expect(header).to_have_count(1)
        rows = page.locator("table.admin-table tbody tr[id^=comment-]")
        expect(rows).to_have_count(7)  # 3 ham and 3 spam held before it, and the reader's
        cell = page.locator(f"#comment-{spam_id} .admin-spam-score")
        expect(cell).to_be_visible()
        score = float(cell.inner_text())
        assert score > 0.9, score
        assert float(cell.locator("data").get_attribute("value")) > 0.9
        shown = [float(v) for v in page.eval_on_selector_all(
            "table.admin-table tbody .admin-spam-score data", "ds => ds.map(d => d.value)")]
        assert shown == sorted(shown, reverse=True) and len(shown) == 7
        assert min(shown[:4]) > 0.5 > max(shown[4:])  # the spam above the ham
        assert spam_id in _row_ids(page)[:4]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "spam-queue.png"), full_page=True)

        page.click("a[href$='sort=date']")
        expect(page.locator("table.admin-table caption").first).not_to_contain_text(
            "spam score")
        ids = _row_ids(page)
        assert ids == sorted(ids, key=int) and spam_id in ids
