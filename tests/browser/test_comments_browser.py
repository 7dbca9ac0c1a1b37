"""End to end: comments on the seed post, in headless Chromium, with and without JavaScript.

Most tests run against ``open_server``, a second gunicorn started by this module with
comments published at once, a one-second minimum fill time and an eight-second edit
window, so that the whole edit window can pass inside the test.  ``live_server`` (default
settings: an author's first comment is held) covers moderation.  Every tab records console
errors, page errors, failed requests and HTTP errors; a test fails on any it did not
provoke on purpose (an API error it asked for shows up as the browser's "Failed to load
resource" message, which is allowed by status).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import (
    POST_PATH,
    VENV_BIN,
    _run,
    _server_env,
    block_foreign_hosts,
    gunicorn,
)

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

SHOTS = Path(tempfile.gettempdir()) / "shots"
FILL_SECONDS = 1
EDIT_WINDOW = 8
OPEN_SETTINGS = {
    "COMMENTS_MODERATION": "none",
    "COMMENTS_MIN_FILL_SECONDS": str(FILL_SECONDS),
    "COMMENTS_EDIT_WINDOW": str(EDIT_WINDOW),
    "COMMENTS_RATE_LIMIT": "100",
}
SUBMIT = "#comment-form [type=submit]"
# `flask db upgrade` and `flask content import content`, in one process (start-up is slow)
SET_UP = """
import sys
from wsgi import app
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["content", "import", "content"]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
"""

PATCH = """async ([id, text]) => {
    const r = await fetch('/api/comments/' + id, {method: 'PATCH',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({text})});
    return {status: r.status, body: await r.json()};
}"""

THREAD = """async url => {
    const r = await fetch('/api/comments?url=' + encodeURIComponent(url));
    const ids = [];
    const walk = list => list.forEach(c => { ids.push(c.id); walk(c.replies); });
    walk((await r.json()).comments);
    return ids;
}"""


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of gunicorn with no moderation, 1 s fill time and an 8 s edit window."""
    tmp = tmp_path_factory.mktemp("comments-server")
    _run([str(VENV_BIN / "python"), "-c", SET_UP], _server_env(tmp))
    with gunicorn(tmp, OPEN_SETTINGS) as (base_url, _):
        yield base_url


class Tab:
    """One page in its own browser context, and everything that went wrong in it."""

    def __init__(self, context, base_url: str) -> None:
        self.base_url = base_url
        self.problems: list[tuple[int | None, str]] = []  # (HTTP status or None, what)
        self.foreign: list[str] = []
        block_foreign_hosts(context, base_url, self.foreign)
        self.page = page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append((None, f"pageerror: {e}")))
        page.on(
            "requestfailed",
            lambda r: self.problems.append((None, f"requestfailed: {r.url} ({r.failure})")),
        )
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and self.problems.append((r.status, f"HTTP {r.status}: {r.request.method} {r.url}"))
            ),
        )

    def _console(self, message) -> None:
        if message.type != "error":
            return
        found = re.search(r"status of (\d{3})", message.text)
        status = (
            int(found.group(1)) if found and "Failed to load resource" in message.text else None
        )
        self.problems.append((status, f"console: {message.text} {message.location}"))

    def open(self, path: str = POST_PATH):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path
        return self.page

    def unexpected(self, allowed: set[int]) -> list[str]:
        return [what for status, what in self.problems if status is None or status not in allowed]


@contextmanager
def tab(
    browser,
    base_url: str,
    *,
    javascript: bool = True,
    allow: Collection[int] = (),
    dark: bool = False,
) -> Iterator[Tab]:
    """A fresh context (no cookies); on a clean exit, fails on any unexpected error."""
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": 1100, "height": 900},
        color_scheme="dark" if dark else "light",
    )
    visit = Tab(context, base_url)
    try:
        yield visit
        visit.page.wait_for_timeout(100)  # let late console messages arrive
    finally:
        context.close()
    assert visit.unexpected(set(allow)) == []
    assert visit.foreign == [], "requests to hosts other than the blog"


def enhanced(page) -> float:
    """Wait until comments.js has loaded the thread, which refreshes the form token; when."""
    page.wait_for_selector("#comments[data-enhanced]", state="attached")
    return time.monotonic()


def filled(since: float, seconds: float = FILL_SECONDS) -> float:
    """When a form token issued before `since` is old enough to post (with a margin)."""
    return since + seconds + 0.3


def wait_until(page, moment: float) -> None:
    """Let the page run until time.monotonic() reaches moment."""
    left = moment - time.monotonic()
    if left > 0:
        page.wait_for_timeout(left * 1000)


def post_with_js(page, text: str, author: str = "", not_before: float = 0.0) -> str:
    """Fill and submit the comment form (where it is now); the new comment's id."""
    before = set(page.eval_on_selector_all("li.comment", "els => els.map(e => e.id)"))
    page.fill("#comment-text", text)
    if author:
        page.fill("#comment-author", author)
    wait_until(page, not_before)
    page.click(SUBMIT)
    page.wait_for_function(
        "before => Array.from(document.querySelectorAll('li.comment'))"
        ".some(e => !before.includes(e.id))",
        arg=list(before),
    )
    after = page.eval_on_selector_all("li.comment", "els => els.map(e => e.id)")
    (new,) = [i for i in after if i not in before]
    return new.removeprefix("comment-")


def test_post_reply_and_edit_with_javascript(browser, open_server):
    with tab(browser, open_server, allow={403}) as visit:
        page = visit.open()
        page.evaluate("window.__sameDocument = true")
        ready = enhanced(page)
        cid = post_with_js(page, "Posted *without* a reload.", "Ada", filled(ready))
        item = f"#comment-{cid}"
        expect(page.locator(f"{item} .comment-author")).to_have_text("Ada")
        expect(page.locator(f"{item} .comment-body em")).to_have_text("without")
        expect(page.locator(f".comment-list > {item}")).to_have_count(1)
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
        stamp = page.locator(f"{item} time[datetime]")
        assert re.fullmatch(r"\d{1,2} \w+ \d{4}", stamp.get_attribute("title") or "")
        assert "now" in stamp.inner_text() or "ago" in stamp.inner_text()

        page.click(f"{item} > article a.comment-reply")
        expect(page.locator(f"{item} > #comment-form")).to_have_count(1)
        assert page.input_value("#comment-form [name=parent_id]") == cid
        rid = post_with_js(page, "A reply, nested.", "Bob")
        expect(page.locator(f"{item} > ol.comment-replies > #comment-{rid}")).to_have_count(1)
        expect(page.locator(f"#comment-{rid} .comment-author")).to_have_text("Bob")
        expect(page.locator(f"{item} #comment-form")).to_have_count(0)  # back at the end
        assert page.input_value("#comment-form [name=parent_id]") == ""

        edit = page.locator(f"{item} > article .comment-edit-button")
        edit.click()
        page.fill(f"#comment-{cid}-edit", "Edited in **place**.")
        page.click(f"{item} .comment-editor button:text('Save')")
        expect(page.locator(f"{item} > article .comment-body")).to_have_text("Edited in place.")
        expect(page.locator(f"{item} > article .comment-body strong")).to_have_text("place")
        expect(page.locator(f"{item} .comment-edited")).to_have_count(1)
        assert page.evaluate("window.__sameDocument") is True

        # the window closes: the buttons go, and the server refuses an edit
        expect(edit).to_have_count(0, timeout=(EDIT_WINDOW + 3) * 1000)
        expect(page.locator(f"{item} > article .comment-delete-button")).to_have_count(0)
        page.wait_for_timeout(1100)  # editable_until is rounded down to the second
        refused = page.evaluate(PATCH, [int(cid), "Too late."])
        assert refused["status"] == 403, refused
        assert refused["body"].get("code") == "expired", refused
        page.reload()
        expect(page.locator(f"{item} > article .comment-body")).to_have_text("Edited in place.")
        expect(page.locator(f"{item} > ol.comment-replies > #comment-{rid}")).to_have_count(1)
        expect(page.locator(f"{item} a.comment-edit")).to_have_count(0)


def test_post_reply_and_edit_without_javascript(browser, open_server):
    with tab(browser, open_server, javascript=False) as visit:
        page = visit.open()
        loaded = time.monotonic()
        page.fill("#comment-text", "Posted from the plain form.")
        page.fill("#comment-author", "Grace")
        wait_until(page, filled(loaded))
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.click(SUBMIT)
        assert posted.value.status == 303
        page.wait_for_load_state()
        found = re.search(r"#comment-(\d+)$", page.url)
        assert found and page.url.startswith(open_server + POST_PATH), page.url
        cid = found.group(1)
        item = f"#comment-{cid}"
        expect(page.locator(f"{item} .comment-author")).to_have_text("Grace")
        expect(page.locator(f"{item} > article .comment-body")).to_have_text(
            "Posted from the plain form."
        )

        page.click(f"{item} > article a.comment-edit")
        page.wait_for_url(f"{open_server}/comments/{cid}/edit")
        page.fill("#edit-text", "Edited from the plain form.")
        with page.expect_response(lambda r: r.request.method == "POST") as saved:
            page.click("button[type=submit]")
        assert saved.value.status == 303
        page.wait_for_load_state()
        expect(page.locator(f"{item} > article .comment-body")).to_have_text(
            "Edited from the plain form."
        )
        expect(page.locator(f"{item} .comment-edited")).to_have_count(1)

        page.click(f"{item} > article a.comment-reply")
        page.wait_for_url(f"{open_server}/comments/{cid}/reply")
        loaded = time.monotonic()
        expect(page.locator(".reply-context")).to_contain_text("Edited from the plain form.")
        page.fill("#comment-text", "A plain reply.")
        wait_until(page, filled(loaded))
        with page.expect_response(lambda r: r.request.method == "POST") as replied:
            page.click(SUBMIT)
        assert replied.value.status == 303
        page.wait_for_load_state()
        found = re.search(r"#comment-(\d+)$", page.url)
        assert found, page.url
        expect(
            page.locator(f"{item} > ol.comment-replies > #comment-{found.group(1)}")
        ).to_have_text(re.compile("A plain reply."))


def test_errors_preview_keyboard_and_delete(browser, open_server):
    with tab(browser, open_server, allow={400}) as visit:
        page = visit.open()
        page.evaluate("window.__sameDocument = true")
        ready = enhanced(page)  # errors come before the fill time check: no wait
        error = page.locator("#comment-form-error")
        assert error.get_attribute("role") == "alert"

        page.click(SUBMIT)
        expect(error).to_be_visible()
        expect(error).to_contain_text("text is required")
        expect(page.locator("#comment-text")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.activeElement.id") == "comment-text"

        page.fill("#comment-text", "Some **bold** words")
        expect(page.locator("#comment-preview strong")).to_have_text("bold")
        page.fill("#comment-email", "not-an-email")
        page.click(SUBMIT)
        expect(error).to_contain_text("email is not a valid address")
        expect(page.locator("#comment-email")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#comment-text")).not_to_have_attribute("aria-invalid", "true")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#comment-form").screenshot(path=str(SHOTS / "comments-error-light.png"))

        page.fill("#comment-email", "")
        cid = post_with_js(page, "Some **bold** words", "Keyboard user", filled(ready))
        expect(error).to_be_hidden()
        expect(page.locator("#comment-preview")).to_be_hidden()
        assert page.evaluate("document.activeElement.id") == f"comment-{cid}"

        # keyboard: Reply moves the form and focuses it; Escape puts it back
        reply = f"#comment-{cid} > article a.comment-reply"
        page.focus(reply)
        page.keyboard.press("Enter")
        expect(page.locator(f"#comment-{cid} > #comment-form")).to_have_count(1)
        assert page.evaluate("document.activeElement.id") == "comment-text"
        expect(page.locator("#comment-form button:text('Cancel reply')")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator(f"#comment-{cid} #comment-form")).to_have_count(0)
        assert page.evaluate("sel => document.activeElement.matches(sel)", reply)
        assert page.input_value("#comment-form [name=parent_id]") == ""

        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f"#comment-{cid} > article .comment-delete-button")
        expect(page.locator(f"#comment-{cid}")).to_have_count(0)
        assert int(cid) not in page.evaluate(THREAD, POST_PATH)
        assert page.evaluate("window.__sameDocument") is True


def test_nested_thread_screenshots(browser, open_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tab(browser, open_server) as visit:
        page = visit.open()
        ready = enhanced(page)
        top = post_with_js(
            page,
            "Which model made the *lighthouse* image? "
            "It looks like [this one](https://example.org/).",
            "Mina",
            filled(ready),
        )
        page.click(f"#comment-{top} > article a.comment-reply")
        mid = post_with_js(
            page,
            "I think it was `sdxl` with a custom LoRA.\n\n> the lighthouse\n\nlooks painted.",
            "Tomás",
        )
        page.click(f"#comment-{mid} > article a.comment-reply")
        post_with_js(page, "- yes\n- and upscaled twice", "Mina")
        page.click(f"#comment-{top} > article a.comment-reply")
        page.fill("#comment-text", "Replying with the form *open*…")
        expect(page.locator("#comment-preview em")).to_have_text("open")
        section = page.locator("#comments")
        section.screenshot(path=str(SHOTS / "comments-light.png"))
        page.emulate_media(color_scheme="dark")
        section.screenshot(path=str(SHOTS / "comments-dark.png"))


def test_held_comment_is_shown_to_its_author_only(browser, live_server):
    text = "A first comment, held for moderation."
    with tab(browser, live_server) as author:
        page = author.open()
        ready = enhanced(page)
        cid = post_with_js(page, text, "Newcomer", filled(ready, 3))  # the default fill time
        item = f"#comment-{cid}"
        expect(page.locator(f"{item} .badge-pending")).to_have_text("Awaiting moderation")
        expect(page.locator(f"{item} a.comment-reply")).to_have_count(0)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(item).screenshot(path=str(SHOTS / "comments-pending-light.png"))
        page.reload()  # rendered by the server for its author too
        expect(page.locator(f"{item}.is-pending .badge-pending")).to_have_text(
            "Awaiting moderation"
        )
        expect(page.locator(f"{item} .comment-body")).to_have_text(text)

    with tab(browser, live_server) as stranger:
        page = stranger.open()
        enhanced(page)
        expect(page.locator(item)).to_have_count(0)
        assert text not in page.content()
        assert int(cid) not in page.evaluate(THREAD, POST_PATH)
