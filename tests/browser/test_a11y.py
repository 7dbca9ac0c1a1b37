"""axe-core in headless Chromium: no WCAG 2.1 A/AA or best-practice violation on the pages
a reader sees, in the light theme and in the dark one (the system's and the toggle's).

Pages: home, post, a tag, the tags list, search with results (and, beyond the issue's list,
search without results and the 404 page), plus the post with a comment in its thread.

axe-core comes from the npm registry, pinned in tests/a11y/package-lock.json and installed
by tests/a11y/install.sh (scripts/test runs it). Each page is loaded once, after
comments.js has enhanced the thread; axe then runs for every theme on the same document:
the system's light and dark schemes are switched with ``emulate_media`` and the site's
toggle is imitated by setting ``data-theme`` on <html>, exactly what static/js/theme.js
does. axe.min.js is added as a context init script: it runs before the page's own scripts
without a <script> element, so the site's CSP (same-origin scripts only) stays enforced and
axe does not audit its own tag.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser.conftest import AUDITED_PAGES, POST_PATH, ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = AUDITED_PAGES
# name: (system colour scheme, the value the theme toggle puts in <html data-theme> or None
# for no choice, the rules to run). The toggle's themes differ from the system's only in
# which CSS rule sets the (same) colours, so there only the rules that depend on colours run;
# _audit checks that each toggle theme has its system twin's background.
WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
COLOURS = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
THEMES = {
    "light": ("light", None, WCAG),
    "dark": ("dark", None, WCAG),
    "toggle-dark": ("light", "dark", COLOURS),
    "toggle-light": ("dark", "light", COLOURS),
}
VIEWPORT = {"width": 1280, "height": 900}
FILL_SECONDS = 3  # COMMENTS_MIN_FILL_SECONDS under live_server's default settings


@pytest.fixture(scope="module")
def axe_path() -> Path:
    if not AXE.exists():
        reason = f"{AXE.relative_to(ROOT)} is missing (run tests/a11y/install.sh)"
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BLOG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return AXE


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t
                              for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:160]}")
            for summary in node["failureSummary"].splitlines():
                lines.append(f"       {summary.strip()}")
    return "\n".join(lines)


def _audit(page) -> str:
    """axe on the loaded document in every theme: the violations, readable ("": none)."""
    found: list[str] = []
    backgrounds: dict[str, str] = {}
    for theme, (scheme, choice, rules) in THEMES.items():
        page.emulate_media(color_scheme=scheme)
        page.evaluate(
            "c => c ? document.documentElement.setAttribute('data-theme', c)"
            "       : document.documentElement.removeAttribute('data-theme')",
            choice,
        )
        backgrounds[theme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        options = {"runOnly": rules, "resultTypes": ["violations"]}
        result = page.evaluate("options => axe.run(document, options)", options)
        if result["violations"]:
            found.append(f"[{theme} theme, body background {backgrounds[theme]}]\n"
                         + _describe(result["violations"]))
    # The themes really differ: otherwise axe would have checked one palette four times.
    assert backgrounds["light"] == backgrounds["toggle-light"] != backgrounds["dark"], backgrounds
    assert backgrounds["dark"] == backgrounds["toggle-dark"], backgrounds
    return "\n".join(found)


class Tab:
    """One page kept across the module's tests (page loads are the slow part), its script
    errors, and a comment form token fetched up front: the token must be FILL_SECONDS old
    when the last test posts with it, and by then it is."""

    def __init__(self, context, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        thread = context.request.get(f"{base_url}/api/comments", params={"url": POST_PATH})
        assert thread.ok, thread.status
        self.form_token = thread.json()["form_token"]
        self.form_token_at = time.monotonic()

    def open(self, path: str):
        self.errors.clear()
        response = self.page.goto(self.base_url + path)
        self.enhanced()
        return response

    def enhanced(self) -> None:
        """Wait until comments.js, if the page has comments, has enhanced the thread."""
        if self.page.locator("#comments").count():
            self.page.wait_for_selector("#comments[data-enhanced]", state="attached")

    def post_comment(self, comment: dict[str, str]) -> tuple[int, str]:
        """Post through the JSON API, sharing the page's cookies (so the page shows it as
        this reader's own comment): the HTTP status and body."""
        time.sleep(max(0.0, self.form_token_at + FILL_SECONDS + 0.3 - time.monotonic()))
        response = self.context.request.post(
            f"{self.base_url}/api/comments",
            data={**comment, "url": POST_PATH, "form_token": self.form_token},
            headers={"Origin": self.base_url},
        )
        return response.status, response.text()


@pytest.fixture(scope="module")
def tab(browser, axe_path: Path, live_server: str):
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.add_init_script(path=str(axe_path))
    yield Tab(context, live_server)
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(tab: Tab, name: str) -> None:
    response = tab.open(PAGES[name])
    page = tab.page
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    if name == "search":
        assert page.locator("main mark").count() > 0, "the search should have results"
    if name == "post":
        assert page.locator("#comments h2").count() == 1  # the (empty) thread ...
        assert page.locator("#comment-form").count() == 1  # ... and the form
    found = _audit(page)
    assert not found, f"axe violations on {PAGES[name]}:\n{found}"
    assert tab.errors == []


# One comment only: every test posts from 127.0.0.1, which may post COMMENTS_RATE_LIMIT (5)
# a minute.
COMMENTS = [
    {"text": "A *careful* comment with `code`, a [link](https://example.org/),\n\n> a quote"
             "\n\n- and\n- a list", "author": "Ada", "website": "https://example.org/"},
]


def test_no_axe_violations_with_comments(tab: Tab) -> None:
    """The post page with a comment in its thread, as its author sees it (held for
    moderation under the default settings, with the author's edit and delete buttons), the
    comment being edited and the form showing a preview and an error. Runs last: from here
    on the module's tab is that comment's author."""
    for comment in COMMENTS:
        status, body = tab.post_comment(comment)
        assert status in (201, 202), body
    tab.open(POST_PATH)
    page = tab.page
    assert page.locator("#comments li.comment.is-pending").count() >= len(COMMENTS)
    # The states comments.js adds: the inline editor of one's own comment, the live
    # preview, and a refused comment (an invalid email: refused before the rate limit).
    page.locator(".comment-edit-button").first.click()
    page.wait_for_selector(".comment-editor textarea")
    page.fill("#comment-text", "A *previewed* comment with a [link](https://example.org/)")
    page.fill("#comment-email", "not-an-email")
    page.wait_for_selector("#comment-preview em", state="visible")
    page.click("#comment-form [type=submit]")
    page.wait_for_selector("#comment-form-error:not([hidden])")
    assert page.get_attribute("#comment-email", "aria-invalid") == "true"
    found = _audit(page)
    assert not found, f"axe violations on the post with comments:\n{found}"
    assert tab.errors == []
