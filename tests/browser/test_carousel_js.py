"""Browser tests for static/js/carousel.js on markup from render_carousel.

No server: a static page in a temporary directory links the real script and stylesheet
through file:// URLs and is opened in Debian's headless Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.content.shortcodes import Shortcode
from app.render.shortcodes.carousel import render_carousel
from app.render.shortcodes.registry import PageFile, ShortcodeContext

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js" / "carousel.js"
CSS = ROOT / "static" / "css" / "carousel.css"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INTERVAL = 600
COLOURS = ["#bfdbfe", "#bbf7d0", "#fde68a", "#fbcfe8", "#ddd6fe"]

PAGE_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carousel test</title>
<link rel="stylesheet" href="{css}">
<style>
  :root {{ --bg: #ffffff; --fg: #1f2328; --muted: #6b7280; --accent: #2563eb;
          --border: #d0d7de; --radius: 8px; color-scheme: light dark; }}
  @media (prefers-color-scheme: dark) {{
    :root {{ --bg: #0d1117; --fg: #e6edf3; --muted: #8b949e; --accent: #58a6ff;
            --border: #30363d; }}
  }}
  body {{ margin: 0; background: var(--bg); color: var(--fg);
          font: 16px/1.6 system-ui, sans-serif; }}
  main {{ max-width: 46rem; margin: 0 auto; padding: 2rem 1rem 60rem; }}
</style>
<script src="{js}" defer></script>
</head>
<body>
<main>
<h1>Carousel test page</h1>
<p>First carousel, four images.</p>
{first}
<p>Second carousel, three images with captions.</p>
{second}
</main>
</body>
</html>
"""


def _make_images(directory: Path, count: int, prefix: str) -> list[PageFile]:
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    font = (
        ImageFont.truetype(str(font_path), 120)
        if font_path.exists()
        else ImageFont.load_default(size=120)
    )
    files = []
    for i in range(count):
        name = f"{prefix}{i + 1}.png"
        image = Image.new("RGB", (640, 360), COLOURS[i % len(COLOURS)])
        ImageDraw.Draw(image).text(
            (320, 180), f"{prefix} {i + 1}", fill="#1f2328", font=font, anchor="mm"
        )
        image.save(directory / "gallery" / name)
        files.append(
            PageFile(
                path=f"gallery/{name}",
                url=f"gallery/{name}",
                media_type="image/png",
                width=640,
                height=360,
            )
        )
    return files


def _render(files: list[PageFile], ordinal: int, **kwargs: str) -> str:
    ctx = ShortcodeContext(
        files=files,
        params={},
        page_url="/",
        ordinal=ordinal,
        inner=None,
        markdownify=lambda text: f"<p>{text}</p>",
    )
    sc = Shortcode(
        name="carousel", args=[], kwargs=kwargs, markdown=False, inner=None, line=1, raw=""
    )
    return render_carousel(sc, ctx)


def build_page(directory: Path) -> Path:
    """Write the test page and its images into ``directory``; return the page path."""
    (directory / "gallery").mkdir(parents=True, exist_ok=True)
    files = _make_images(directory, 4, "A") + _make_images(directory, 3, "B")
    first = _render(files, 0, images="gallery/A*", interval=str(INTERVAL))
    second = _render(
        files,
        1,
        images="{gallery/B1.png,gallery/B2.png,gallery/B3.png}",
        interval=str(INTERVAL),
        aspectRatio="21-9",
        captions="{B1.png:The first **B** image,B3.png:Third: with a colon}",
    )
    page = directory / "index.html"
    page.write_text(
        PAGE_TEMPLATE.format(css=CSS.as_uri(), js=JS.as_uri(), first=first, second=second),
        encoding="utf-8",
    )
    return page


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    return build_page(tmp_path_factory.mktemp("carousel")).as_uri()


# The session-wide `browser` fixture (tests/browser/conftest.py) is used: one Playwright
# instance per process, as the sync API allows.


class Session:
    """A page plus the errors it reported."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def current(self, n: int) -> str | None:
        return self.page.get_attribute(f"#carousel-{n}", "data-current")

    def wait_current(self, n: int, value: int, timeout: float = 3000) -> None:
        self.page.wait_for_function(
            "([sel, v]) => document.querySelector(sel).getAttribute('data-current') === v",
            arg=[f"#carousel-{n}", str(value)],
            timeout=timeout,
        )

    def settled_index(self, n: int) -> int:
        """The slide the viewport shows once scrolling has stopped."""
        self.page.wait_for_timeout(700)
        return self.page.eval_on_selector(
            f"#carousel-{n} .carousel-viewport",
            "v => Math.round(v.scrollLeft / v.clientWidth)",
        )

    def park_mouse(self) -> None:
        self.page.mouse.move(5, 5)


def _open(browser, url: str, **context_args) -> Session:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_args)
    session = Session(context.new_page())
    session.page.goto(url)
    session.page.wait_for_selector("#carousel-2[data-ready]")
    return session


@pytest.fixture
def session(browser, page_url):
    s = _open(browser, page_url)
    yield s
    errors = list(s.errors)
    s.page.context.close()
    assert errors == [], errors


@pytest.fixture
def reduced_session(browser, page_url):
    s = _open(browser, page_url, reduced_motion="reduce")
    yield s
    errors = list(s.errors)
    s.page.context.close()
    assert errors == [], errors


def test_script_enables_controls(session):
    page = session.page
    for n in (1, 2):
        for cls in ("prev", "next", "toggle"):
            assert page.is_visible(f"#carousel-{n} .carousel-{cls}")
    assert page.get_attribute("#carousel-1 .carousel-toggle", "aria-label") == "Pause slideshow"


def test_both_carousels_autoplay(session):
    session.park_mouse()
    assert session.current(1) == "0"
    assert session.current(2) == "0"
    session.wait_current(1, 1, timeout=INTERVAL * 4)
    session.wait_current(2, 1, timeout=INTERVAL * 4)
    page = session.page
    assert page.get_attribute('#carousel-1 a[href="#carousel-1-2"]', "aria-current") == "true"
    assert page.get_attribute('#carousel-1 a[href="#carousel-1-1"]', "aria-current") is None
    # the viewport really scrolled horizontally
    assert session.settled_index(1) >= 1


def test_autoplay_wraps_to_first(session):
    session.park_mouse()
    session.wait_current(2, 2, timeout=INTERVAL * 6)
    session.wait_current(2, 0, timeout=INTERVAL * 4)


def test_next_and_prev_buttons(session):
    page = session.page
    page.hover("#carousel-1 .carousel-viewport")  # pauses autoplay
    start = int(session.current(1))
    page.click("#carousel-1 .carousel-next")
    session.wait_current(1, (start + 1) % 4)
    page.click("#carousel-1 .carousel-next")
    session.wait_current(1, (start + 2) % 4)
    page.click("#carousel-1 .carousel-prev")
    session.wait_current(1, (start + 1) % 4)
    assert session.settled_index(1) == (start + 1) % 4
    # prev from the first slide wraps to the last
    page.click('#carousel-1 a[href="#carousel-1-1"]')
    session.wait_current(1, 0)
    page.click("#carousel-1 .carousel-prev")
    session.wait_current(1, 3)


def test_keyboard_on_focused_viewport(session):
    page = session.page
    page.focus("#carousel-1 .carousel-viewport")  # focus pauses autoplay
    start = int(session.current(1))
    page.keyboard.press("ArrowRight")
    session.wait_current(1, (start + 1) % 4)
    page.keyboard.press("End")
    session.wait_current(1, 3)
    page.keyboard.press("ArrowLeft")
    session.wait_current(1, 2)
    page.keyboard.press("Home")
    session.wait_current(1, 0)
    assert session.settled_index(1) == 0


def test_indicator_scrolls_horizontally_only(session):
    page = session.page
    dot = '#carousel-2 a[href="#carousel-2-3"]'
    page.hover(dot)  # scrolls the dot into view first, and pauses autoplay
    before = page.evaluate("window.scrollY")
    page.click(dot)
    session.wait_current(2, 2)
    assert session.settled_index(2) == 2
    assert page.evaluate("window.scrollY") == before
    assert page.evaluate("location.hash") == ""


def test_user_scroll_updates_current(session):
    page = session.page
    page.hover("#carousel-1 .carousel-viewport")
    page.eval_on_selector(
        "#carousel-1 .carousel-viewport",
        "v => v.scrollTo({left: v.clientWidth * 2, behavior: 'instant'})",
    )
    session.wait_current(1, 2)
    assert page.get_attribute('#carousel-1 a[href="#carousel-1-3"]', "aria-current") == "true"


def test_hover_pauses_and_leaving_resumes(session):
    page = session.page
    page.hover("#carousel-1 .carousel-viewport")
    held = session.current(1)
    page.wait_for_timeout(INTERVAL * 3)
    assert session.current(1) == held
    session.park_mouse()
    page.wait_for_function(
        "v => document.querySelector('#carousel-1').getAttribute('data-current') !== v",
        arg=held,
        timeout=INTERVAL * 4,
    )


def test_toggle_pauses_and_plays(session):
    page = session.page
    toggle = "#carousel-2 .carousel-toggle"
    page.click(toggle)
    assert page.get_attribute(toggle, "aria-label") == "Play slideshow"
    assert page.get_attribute(toggle, "data-state") == "paused"
    session.park_mouse()
    held = session.current(2)
    page.wait_for_timeout(INTERVAL * 3)
    assert session.current(2) == held
    page.click(toggle)
    assert page.get_attribute(toggle, "aria-label") == "Pause slideshow"
    session.park_mouse()
    page.wait_for_function(
        "v => document.querySelector('#carousel-2').getAttribute('data-current') !== v",
        arg=held,
        timeout=INTERVAL * 4,
    )


def test_reduced_motion_disables_autoplay(reduced_session):
    s = reduced_session
    s.park_mouse()
    s.page.wait_for_timeout(INTERVAL * 3)
    assert s.current(1) == "0"
    assert s.current(2) == "0"
    assert s.page.get_attribute("#carousel-1 .carousel-toggle", "aria-label") == "Play slideshow"
    # manual navigation still works, instantly
    s.page.click("#carousel-1 .carousel-next")
    s.wait_current(1, 1)
    assert (
        s.page.eval_on_selector(
            "#carousel-1 .carousel-viewport", "v => Math.round(v.scrollLeft / v.clientWidth)"
        )
        == 1
    )
