"""Blowfish's home layouts in Debian's Chromium under gunicorn: each layout (page, profile,
hero, card, background) loads with no console error and no failed request, the author's
image is really there (naturalWidth > 0), nothing overflows a phone's width, and axe finds
no contrast or other WCAG violation in the light and dark themes. One server: the site's
hugo.toml is rewritten and imported again for each layout (the import bumps the site
generation, so the next request sees it). Screenshots go to $BLOG_SCREENSHOTS when set."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, gunicorn

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LAYOUTS = ("page", "profile", "hero", "card", "background")
CONFIG = """
baseURL = "https://example.org/"
title = "Engine Notes"
[taxonomies]
  tag = "tags"
  author = "authors"
[params.author]
  name = "Ada Writer"
  image = "author.png"
  headline = "Writes about engines and the web"
  bio = "Ada builds blog engines."
  links = [{{ github = "https://github.com/ada" }}, {{ email = "mailto:ada@example.org" }}]
[params.homepage]
  layout = "{layout}"
  homepageImage = "banner.png"
  showRecent = true
  showRecentItems = 4
  showMoreLink = true
  cardView = {card_view}
[params.list]
  groupByYear = true
"""


def _image(size: tuple[int, int], colours: tuple[tuple[int, int, int], ...]) -> bytes:
    """A picture with bands of colour (light and dark: the worst case for text on it)."""
    image = Image.new("RGB", size)
    band = size[0] // len(colours)
    for i, colour in enumerate(colours):
        image.paste(colour, (i * band, 0, (i + 1) * band, size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Site:
    """The served site root, and a way to switch its home layout."""

    def __init__(self, root: Path, env: dict[str, str], base_url: str) -> None:
        self.root, self.env, self.base_url = root, env, base_url

    def use(self, layout: str) -> None:
        card_view = "true" if layout == "card" else "false"
        (self.root / "hugo.toml").write_text(CONFIG.format(layout=layout, card_view=card_view),
                                             encoding="utf-8")
        _run([str(VENV_BIN / "flask"), "content", "import", str(self.root)], self.env)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("home-layouts")
    root = tmp / "site"
    content = root / "content"
    (content / "posts").mkdir(parents=True)
    (content / "_index.md").write_text(
        "---\ntitle: Welcome home\n---\nNotes on building a blog engine, "
        "with [a link to the posts](/posts/).\n", encoding="utf-8")
    (content / "author.png").write_bytes(_image((300, 300), ((40, 90, 160), (230, 200, 90))))
    (content / "banner.png").write_bytes(_image(
        (1200, 600), ((250, 250, 245), (20, 20, 30), (240, 200, 60), (90, 160, 220))))
    for n in range(1, 7):
        (content / "posts" / f"p{n}.md").write_text(
            f"---\ntitle: Post number {n}\ndate: {2021 + n % 2}-02-{n:02}\ntags: [engines]\n"
            f"authors: [ada]\n---\nWhat post {n} says.\n", encoding="utf-8")
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    server = Site(root, env, "")
    server.use("page")
    with gunicorn(tmp) as (base_url, _):
        server.base_url = base_url
        yield server


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("BLOG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _watch(page: Any) -> list[str]:
    """Console errors, page errors, failed requests and error responses, as they come."""
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    return problems


def _axe(page: Any) -> list[str]:
    result = page.evaluate("options => axe.run(document, options)",
                           {"runOnly": WCAG, "resultTypes": ["violations"]})
    return [f"{v['id']}: {[n['html'][:120] for n in v['nodes']]}"
            for v in result["violations"]]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_home_layout_loads_cleanly_in_both_themes(site: Site, browser: Any, layout: str) -> None:
    site.use(layout)
    for scheme in ("light", "dark"):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            if AXE.exists():
                context.add_init_script(path=str(AXE))
            page = context.new_page()
            problems = _watch(page)
            try:
                page.goto(site.base_url + "/", wait_until="load")
                assert page.locator(f"article.home--{layout}").count() == 1
                assert page.locator(".home-recent .card").count() == 4
                images = page.evaluate(
                    "[...document.images].map(i => [i.className, i.complete, i.naturalWidth])")
                assert all(done and width > 0 for _, done, width in images), images
                if layout in ("profile", "hero", "background"):
                    assert page.evaluate(
                        "document.querySelector('img.author-avatar').naturalWidth") > 0
                if layout in ("hero", "card", "background"):
                    assert any("home-" in cls and width > 0 for cls, _, width in images)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{layout} {name}: {width}px wide"
                if AXE.exists() and name == "desktop":
                    found = _axe(page)
                    assert not found, f"{layout} ({scheme}): {found}"
                _shot(page, f"home-{layout}-{name}-{scheme}")
                assert not problems, problems
            finally:
                context.close()


def test_profile_shows_the_author_image(site: Site, browser: Any) -> None:
    site.use("profile")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = _watch(page)
    try:
        page.goto(site.base_url + "/", wait_until="load")
        avatar = page.locator("img.author-avatar")
        assert avatar.get_attribute("alt") == "Ada Writer"
        assert page.evaluate("document.querySelector('img.author-avatar').naturalWidth") == 300
        box = avatar.bounding_box()
        assert box is not None and round(box["width"]) == 144 == round(box["height"])
        assert page.locator("h1").inner_text() == "Ada Writer"
        # The post's author box shows the same image, and the year groups head the list.
        page.goto(site.base_url + "/posts/p1/", wait_until="load")
        assert page.evaluate(
            "document.querySelector('.author-box img.author-avatar').naturalWidth") == 300
        _shot(page, "post-author-box")
        page.goto(site.base_url + "/posts/", wait_until="load")
        assert page.locator("h2.year-heading").all_inner_texts() == ["2022", "2021"]
        _shot(page, "posts-by-year")
        assert not problems, problems
    finally:
        context.close()
