"""End to end: Blowfish's article furniture in headless Chromium against gunicorn.

A site whose hugo.toml turns on showZenMode, showTableOfContents, showBreadcrumbs and
smartTOC, with a three-part series: zen mode hides everything but the article (and, as in
Blowfish, is not remembered across a reload), the smart table of contents marks the section
being read and fills the reading progress bar, the series links lead where they say. No
console error, no failed request, no CSP violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, gunicorn
from tests.browser.test_comments_browser import tab

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

HUGO_TOML = """baseURL = "https://blog.example/"
title = "Furnished"
[taxonomies]
  tag = "tags"
  series = "series"
[params]
  smartTOC = true
  smartTOCHideUnfocusedChildren = true
[params.article]
  showZenMode = true
  showTableOfContents = true
  showBreadcrumbs = true
  showComments = true
"""
PARAGRAPH = ("A paragraph long enough to take some room on the page, so that the reader has "
             "to scroll through each section before the next heading comes up. ") * 6
SECTIONS = ["Getting started", "Installing", "Configuring", "Running", "Wrapping up"]
LISTEN = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.sample || '')));
}"""


def _post(title: str, order: int, day: int) -> str:
    body = "\n\n".join(f"## {name}\n\n" + "\n\n".join([PARAGRAPH] * 4) for name in SECTIONS)
    body = body.replace("## Configuring", "### From source\n\n" + PARAGRAPH + "\n\n## Configuring")
    return (f'---\ntitle: "{title}"\ndate: 2024-01-{day:02d}\nseries: ["Flask Basics"]\n'
            f"series_order: {order}\n---\n{body}\n")


@pytest.fixture(scope="module")
def furnished_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving a three-part series under the hugo.toml above."""
    tmp = tmp_path_factory.mktemp("furniture-server")
    site = tmp / "site"
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    for order, (name, day) in enumerate([("one", 3), ("two", 1), ("three", 2)], start=1):
        (posts / f"{name}.md").write_text(_post(f"Part {name}", order, day), encoding="utf-8")
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(site)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


def test_zen_mode_hides_everything_but_the_article(browser: Any, furnished_server: str
                                                   ) -> None:
    with tab(browser, furnished_server) as visit:
        visit.page.context.add_init_script(f"({LISTEN})()")
        page = visit.open("/posts/two/")
        button = page.get_by_role("button", name="Zen mode")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-pressed", "false")
        for selector in (".site-header", ".site-footer", "aside.toc", "nav.breadcrumbs",
                         "details.series-box", "#comments"):
            expect(page.locator(selector)).to_be_visible()

        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_attribute("title", "Disable zen mode")
        assert page.evaluate("document.body.classList.contains('zen-mode-enable')")
        for selector in (".site-header", ".site-footer", "aside.toc", "nav.breadcrumbs",
                         "details.series-box", "nav.series-nav", "#comments", ".post-nav"):
            expect(page.locator(selector)).to_be_hidden()
        expect(page.locator("h1#post-title")).to_be_visible()
        expect(page.locator(".prose h2#installing")).to_be_visible()
        page.mouse.wheel(0, 3000)  # the button stays in reach anywhere in the article
        expect(button).to_be_in_viewport()

        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(page.locator(".site-header")).to_be_visible()
        expect(page.locator("aside.toc")).to_be_visible()

        button.click()
        page.keyboard.press("Escape")  # Escape leaves zen mode too
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(page.locator(".site-header")).to_be_visible()

        button.click()
        page.reload()  # Blowfish does not remember zen mode: a new visit starts normal
        expect(page.get_by_role("button", name="Zen mode")).to_have_attribute(
            "aria-pressed", "false")
        expect(page.locator(".site-header")).to_be_visible()
        assert page.evaluate("window.__violations") == []


def test_without_javascript_there_is_no_zen_button(browser: Any, furnished_server: str
                                                   ) -> None:
    with tab(browser, furnished_server, javascript=False) as visit:
        page = visit.open("/posts/two/")
        expect(page.locator("#zen-mode-button")).to_be_hidden()
        expect(page.locator(".reading-progress")).to_have_count(0)


def test_smart_toc_marks_the_section_being_read(browser: Any, furnished_server: str) -> None:
    with tab(browser, furnished_server) as visit:
        visit.page.context.add_init_script(f"({LISTEN})()")
        page = visit.open("/posts/two/")
        progress = page.locator("progress.reading-progress")
        expect(progress).to_have_attribute("aria-label", "Reading progress")
        assert page.evaluate("document.querySelector('progress.reading-progress').value") == 0
        nested = page.locator('#TableOfContents a[href="#from-source"]')
        expect(nested).to_be_hidden()  # smartTOCHideUnfocusedChildren: folded until read
        page.evaluate("""() => {
            const h = document.getElementById('from-source');
            window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 50);
        }""")
        expect(nested).to_have_attribute("aria-current", "location")
        expect(nested).to_be_visible()

        page.evaluate("""() => {
            const h = document.getElementById('configuring');
            window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 50);
        }""")
        active = page.locator('#TableOfContents a[aria-current="location"]')
        expect(active).to_have_count(1)
        expect(active).to_have_attribute("href", "#configuring")
        expect(active).to_have_class("active")
        page.wait_for_function(
            "() => document.querySelector('progress.reading-progress').value > 20")

        page.evaluate("window.scrollTo(0, 0)")
        expect(active).to_have_attribute("href", "#getting-started")
        page.wait_for_function(
            "() => document.querySelector('progress.reading-progress').value === 0")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        expect(active).to_have_attribute("href", "#wrapping-up")
        page.wait_for_function(
            "() => document.querySelector('progress.reading-progress').value === 100")
        assert page.evaluate("window.__violations") == []


def test_series_links_lead_through_the_series(browser: Any, furnished_server: str) -> None:
    with tab(browser, furnished_server) as visit:
        page = visit.open("/posts/two/")
        box = page.locator("details.series-box")
        expect(box.locator("summary")).to_contain_text("Part 2 of 3")
        expect(box.get_by_role("link", name="Part 3: Part three")).to_be_hidden()  # closed
        box.locator("summary").click()
        expect(box).to_have_attribute("open", "")
        expect(box.locator('[aria-current="page"]')).to_contain_text("Part two")
        box.get_by_role("link", name="Part 3: Part three").click()
        page.wait_for_url("**/posts/three/")
        expect(page.locator("h1")).to_have_text("Part three")

        page.locator("nav.series-nav").get_by_role("link", name="Part two").click()
        page.wait_for_url("**/posts/two/")
        page.locator("nav.series-nav").get_by_role("link", name="Part one").click()
        page.wait_for_url("**/posts/one/")
        expect(page.locator("nav.series-nav .series-nav-prev")).to_have_count(0)
        page.locator("details.series-box summary").click()
        page.locator("details.series-box a.series-term").click()
        page.wait_for_url("**/series/flask-basics/")
        expect(page.locator(".card-title a")).to_have_count(3)


AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_furniture_passes_axe(browser: Any, furnished_server: str, scheme: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA or best-practice violation in the furniture: series
    box open, breadcrumbs, zen button, smart TOC, in normal and zen mode, light and dark."""
    if not AXE.exists():
        pytest.skip(f"{AXE.relative_to(ROOT)} is missing (run tests/a11y/install.sh)")
    with tab(browser, furnished_server, dark=scheme == "dark") as visit:
        visit.page.context.add_init_script(path=str(AXE))
        page = visit.open("/posts/two/")
        page.locator("details.series-box summary").click()
        page.wait_for_selector("#comments[data-enhanced]", state="attached")
        options = {"runOnly": WCAG, "resultTypes": ["violations"]}
        for zen in (False, True):
            if zen:
                page.get_by_role("button", name="Zen mode").click()
            found = page.evaluate("options => axe.run(document, options)", options)
            assert [(v["id"], [n["html"][:120] for n in v["nodes"]])
                    for v in found["violations"]] == [], f"zen={zen}"
