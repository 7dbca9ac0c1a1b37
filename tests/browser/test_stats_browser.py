"""End to end: views and likes in headless Chromium against gunicorn.

A site whose hugo.toml turns on `showViews` and `showLikes`: opening a post counts the view
and shows "1 views"-style counts filled in by static/js/stats.js; the like button toggles
(pressed, count up; pressed again, count down) and remembers its state on reload; a list
shows the counts on its cards. No console error, no failed request, no CSP violation.
The browser sends an ordinary User-Agent: headless Chromium's own names itself
"HeadlessChrome", which the server rightly does not count.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import POST_PATH, ROOT, VENV_BIN, _run, _server_env, gunicorn
from tests.browser.test_comments_browser import Tab

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

READER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0 Safari/537.36")
HUGO_TOML = ('baseURL = "https://blog.example/"\ntitle = "Counted"\n'
             "[params.article]\n  showViews = true\n  showLikes = true\n")
LISTEN = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.sample || '')));
}"""


@pytest.fixture(scope="module")
def counted_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving the seed content under a hugo.toml that shows views and likes."""
    tmp = tmp_path_factory.mktemp("stats-server")
    site = tmp / "site"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(site)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


def _reader_tab(browser: Any, base_url: str) -> tuple[Any, Tab]:
    context = browser.new_context(user_agent=READER, viewport={"width": 1100, "height": 900})
    context.add_init_script(f"({LISTEN})()")
    return context, Tab(context, base_url)


def test_a_post_shows_its_views_and_the_like_button_toggles(browser: Any,
                                                           counted_server: str) -> None:
    context, visit = _reader_tab(browser, counted_server)
    try:
        page = visit.open(POST_PATH)
        views = page.locator('.post-header [data-stat="views"]')
        expect(views).to_be_visible()
        expect(views.locator(".stat-n")).to_have_text("1")
        likes = page.locator('.post-header [data-stat="likes"] .stat-n')
        expect(likes).to_have_text("0")
        button = page.locator("button.like-button")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-pressed", "false")

        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(likes).to_have_text("1")

        page.reload()  # the same reader: not counted again; the like is remembered
        expect(page.locator('.post-header [data-stat="views"] .stat-n')).to_have_text("1")
        expect(page.locator("button.like-button")).to_have_attribute("aria-pressed", "true")
        expect(likes).to_have_text("1")

        page.locator("button.like-button").click()  # a second press undoes the like
        expect(page.locator("button.like-button")).to_have_attribute("aria-pressed", "false")
        expect(likes).to_have_text("0")

        listed = visit.open("/")
        card = listed.locator(f'.card [data-stat="views"][data-stat-url="{POST_PATH}"]')
        expect(card.locator(".stat-n")).to_have_text("1")
        assert listed.evaluate("window.__violations") == []
        listed.wait_for_timeout(100)
    finally:
        context.close()
    assert visit.unexpected(set()) == []
    assert visit.foreign == []


def test_without_javascript_no_count_is_shown(browser: Any, counted_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, user_agent=READER)
    try:
        page = context.new_page()
        page.goto(counted_server + POST_PATH)
        expect(page.locator('.post-header [data-stat="views"]')).to_be_hidden()
        expect(page.locator("button.like-button")).to_be_hidden()
    finally:
        context.close()
