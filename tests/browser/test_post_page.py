"""End to end: the seed post served by gunicorn, read in headless Chromium.

The tests in ``TestDesktopVisit`` share one page (one visit) and run in file order: the
autoplay check comes first, while the carousels still show their first slide, and the
check that the visit produced no console error, page error or failed request comes last.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import POST_PATH, block_foreign_hosts

pytestmark = pytest.mark.browser

TITLE = "The Rise of AI-Generated Images: A Creative Revolution"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
SHOTS = Path(tempfile.gettempdir()) / "shots"
INTERVAL_MS = 2500
CAROUSEL_IMAGES = 8

SCROLL_TO_BOTTOM = """async () => {
    const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y);
        await pause(60);
    }
    window.scrollTo(0, document.documentElement.scrollHeight);
    await pause(100);
}"""

PENDING_IMAGES = """() => Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => ({
        src: img.currentSrc || img.src,
        lazySlide: img.loading === "lazy" && img.closest(".carousel-slide") !== null,
    }))"""

LOAD_ALL_NOW = """() => { for (const img of document.images) img.loading = "eager"; }"""

ALL_IMAGES_LOADED = """() => {
    const imgs = Array.from(document.images);
    return imgs.length > 0 && imgs.every(img => img.complete && img.naturalWidth > 0);
}"""


class Visit:
    """A page plus everything that went wrong while it was open."""

    def __init__(self, context, base_url: str) -> None:
        self.base_url = base_url
        self.problems: list[str] = []
        self.foreign: list[str] = []
        block_foreign_hosts(context, base_url, self.foreign)
        self.page = context.new_page()
        page = self.page
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text} {m.location}"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"requestfailed: {r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def open(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path

    def current(self, n: int) -> str | None:
        return self.page.get_attribute(f"#carousel-{n}", "data-current")

    def scroll_to_bottom(self) -> None:
        self.page.evaluate(SCROLL_TO_BOTTOM)

    def close(self) -> None:
        self.page.context.close()


def _open_post(browser, base_url: str, **context_args) -> Visit:
    context_args.setdefault("viewport", DESKTOP)
    visit = Visit(browser.new_context(**context_args), base_url)
    visit.open(POST_PATH)
    return visit


@pytest.fixture(scope="class")
def desktop(browser, live_server):
    visit = _open_post(browser, live_server)
    # the script has run and the carousels are in their initial state
    visit.page.wait_for_selector("#carousel-2[data-ready]", state="attached")
    visit.initial = [visit.current(1), visit.current(2)]
    yield visit
    visit.close()


class TestDesktopVisit:
    def test_carousels_autoplay_by_themselves(self, desktop):
        page = desktop.page
        # carousel.js keeps playing offscreen (it only stops when the document is hidden),
        # so no scrolling and no interaction of any kind here
        assert desktop.initial == ["0", "0"]
        for n in (1, 2):
            page.wait_for_function(
                "sel => { const v = document.querySelector(sel).getAttribute('data-current');"
                " return v !== null && v !== '0'; }",
                arg=f"#carousel-{n}",
                timeout=INTERVAL_MS + 1500,
            )

    def test_title_in_h1(self, desktop):
        assert desktop.page.inner_text("h1").strip() == TITLE

    def test_two_carousels_with_interval(self, desktop):
        roots = desktop.page.query_selector_all(".carousel")
        assert len(roots) == 2
        assert [r.get_attribute("data-interval") for r in roots] == [str(INTERVAL_MS)] * 2

    def test_toc_link_lands_on_heading(self, desktop):
        page = desktop.page
        link = '#TableOfContents a[href="#midjourney"]'
        assert page.is_visible(link)
        page.click(link)
        page.wait_for_function("() => location.hash === '#midjourney'", timeout=2000)
        # allow for smooth scrolling to finish
        page.wait_for_function(
            "() => { const top = document.getElementById('midjourney')"
            ".getBoundingClientRect().top; return top >= -2 && top <= 120; }",
            timeout=3000,
        )
        assert page.eval_on_selector("#midjourney", "h => h.tagName") == "H3"

    def test_every_image_loads(self, desktop):
        page = desktop.page
        desktop.scroll_to_bottom()
        # Carousel slides after the first are loading="lazy" inside a horizontal scroller:
        # Chromium fetches them only when they come near the carousel's visible slide, so
        # a carousel the reader scrolled past keeps some slides unloaded.  That is
        # intended; every other image must have loaded by now.
        pending = page.evaluate(PENDING_IMAGES)
        not_deferred = [p["src"] for p in pending if not p["lazySlide"]]
        assert not_deferred == [], f"images not loaded after scrolling to the bottom: {pending}"
        # ...and the deferred slides must load and decode as soon as they are wanted
        page.evaluate(LOAD_ALL_NOW)
        try:
            page.wait_for_function(ALL_IMAGES_LOADED, timeout=5000)
        except Exception:
            pytest.fail(f"images that never loaded: {page.evaluate(PENDING_IMAGES)}")
        assert page.evaluate("document.images.length") >= CAROUSEL_IMAGES + 1

    def test_comments_where_disqus_partial_was(self, desktop):
        page = desktop.page
        assert page.query_selector(".prose #comments") is not None
        placed = page.evaluate(
            """() => {
                const conclusion = document.getElementById('conclusion');
                const para = conclusion && conclusion.nextElementSibling;
                const comments = document.getElementById('comments');
                return {
                    para: para ? para.tagName + ': ' + para.textContent.slice(0, 40) : null,
                    next: para && para.nextElementSibling === comments,
                };
            }"""
        )
        assert placed["para"] is not None and placed["para"].startswith(
            "P: AI-generated images mark a new era"
        ), placed
        assert placed["next"], placed
        body_text = page.inner_text("body")
        assert 'partial "disqus.html"' not in body_text
        assert 'partial "disqus.html"' not in page.content()

    def test_visit_had_no_errors(self, desktop):
        # last in the class: covers loading, autoplay, the TOC click and the full scroll
        desktop.page.wait_for_timeout(200)
        assert desktop.problems == []
        assert desktop.foreign == [], "requests to hosts other than the blog"


def test_without_javascript_every_slide_is_shown(browser, live_server):
    visit = _open_post(browser, live_server, java_script_enabled=False)
    try:
        page = visit.page
        images = page.locator(".carousel .carousel-slide img")
        assert images.count() == CAROUSEL_IMAGES
        for i in range(CAROUSEL_IMAGES):
            img = images.nth(i)
            assert img.is_visible(), f"carousel image {i + 1} is not visible"
            assert img.get_attribute("src"), f"carousel image {i + 1} has no src"
        for n in (1, 2):
            assert page.locator(f"#carousel-{n}").get_attribute("data-ready") is None
            for cls in ("prev", "next", "toggle"):
                assert page.locator(f"#carousel-{n} .carousel-{cls}").is_hidden()
        assert visit.problems == []
    finally:
        visit.close()


def test_reduced_motion_stops_autoplay(browser, live_server):
    visit = _open_post(browser, live_server, reduced_motion="reduce")
    try:
        page = visit.page
        page.wait_for_selector("#carousel-2[data-ready]", state="attached")
        page.wait_for_timeout(3000)
        assert [visit.current(1), visit.current(2)] == ["0", "0"]
        assert visit.problems == []
    finally:
        visit.close()


def _shoot(browser, base_url: str, path: str, name: str, **context_args) -> None:
    context_args.setdefault("viewport", DESKTOP)
    visit = Visit(browser.new_context(**context_args), base_url)
    try:
        page = visit.page
        visit.open(path)
        visit.scroll_to_bottom()
        if page.evaluate("document.images.length"):
            page.evaluate(LOAD_ALL_NOW)  # so that whichever slide is showing has its image
            page.wait_for_function(ALL_IMAGES_LOADED, timeout=5000)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / name), full_page=True)
        assert visit.problems == [], name
        assert visit.foreign == [], name
    finally:
        visit.close()


def test_screenshots(browser, live_server):
    """Pictures for a human to review; the pages must also load cleanly."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    _shoot(browser, live_server, POST_PATH, "post-desktop.png")
    _shoot(browser, live_server, POST_PATH, "post-mobile.png", viewport=MOBILE)
    _shoot(browser, live_server, POST_PATH, "post-dark.png", color_scheme="dark")
    _shoot(browser, live_server, "/", "home.png")
    _shoot(browser, live_server, "/tags/", "tags.png")
