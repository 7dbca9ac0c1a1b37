"""The post hero in each heroStyle and the card thumbnails, on real gunicorn in Chromium: the
images load, nothing moves while they do, no console error or failed request, and axe finds
no contrast (or other WCAG) violation over the background styles, light and dark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, block_foreign_hosts, gunicorn

pytestmark = pytest.mark.browser

GALLERY = ROOT / "content" / "posts" / "the-rise-of-ai-generated-images" / "gallery"
STYLES = ("basic", "big", "background", "thumbAndBackground")
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "tests" / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
SHOTS = Path(tempfile.gettempdir()) / "shots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}
# Sums the layout shifts the page has had (the hero and thumbnails are sized up front).
WATCH_SHIFTS = """
window.__shift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
BODY = ("A post with a hero. " * 40 + "\n\n") * 3


def _post(content: Path, name: str, front: str, day: int) -> None:
    folder = content / "posts" / name
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        f"---\ntitle: Hero {name}\ndate: 2024-03-{day:02d}\ndescription: The {name} hero\n"
        f"tags: [heroes]\n{front}---\n{BODY}", encoding="utf-8")
    shutil.copyfile(GALLERY / "bing-Dall-E1.jpg", folder / "featured.jpg")
    shutil.copyfile(GALLERY / "midjourney.png", folder / "background.png")


@pytest.fixture(scope="module")
def hero_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hero-server")
    content = tmp / "content"
    for day, style in enumerate(STYLES, start=1):
        _post(content, style.lower(), f"showHero: true\nheroStyle: {style}\n"
              "featureimagecaption: 'Made with *Bing* [Image Creator](https://bing.example)'\n",
              day)
    _post(content, "plain", "", 9)
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


class Visit:
    """One page load with everything that went wrong meanwhile."""

    def __init__(self, browser: Any, base_url: str, path: str, viewport: dict[str, int],
                 scheme: str = "light") -> None:
        self.context = browser.new_context(viewport=viewport, color_scheme=scheme)
        self.problems: list[str] = []
        block_foreign_hosts(self.context, base_url, self.problems)
        self.context.add_init_script(WATCH_SHIFTS)
        if AXE.exists():
            self.context.add_init_script(path=str(AXE))
        page = self.page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(
            f"requestfailed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))
        response = page.goto(base_url + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path

    def loaded(self, selector: str) -> list[dict[str, Any]]:
        """Each image the selector finds: loaded?, its natural and shown size."""
        return self.page.eval_on_selector_all(selector, """imgs => imgs.map(img => ({
            src: img.currentSrc, natural: img.naturalWidth, complete: img.complete,
            shown: img.getBoundingClientRect().height }))""")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("style", STYLES)
def test_each_hero_style_shows_its_image(browser: Any, hero_server: str, style: str,
                                         viewport: str) -> None:
    visit = Visit(browser, hero_server, f"/posts/{style.lower()}/", VIEWPORTS[viewport])
    try:
        page = visit.page
        images = visit.loaded(".post-header img")
        assert images, "no hero image"
        expected = 2 if style == "thumbAndBackground" else 1
        assert len(images) == expected
        for image in images:
            assert image["complete"] and image["natural"] > 0, image
            assert image["shown"] > 50, image
        if style in ("background", "thumbAndBackground"):
            assert "background.png" in visit.loaded(".post-hero-backdrop img")[0]["src"]
        # the title sits below the image, on the page's own background
        title = page.eval_on_selector("#post-title", "h => h.getBoundingClientRect().top")
        first = page.eval_on_selector(".post-header img", "i => i.getBoundingClientRect().top")
        assert title > first
        assert page.evaluate("window.__shift") < 0.01
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"hero-{style}-{viewport}.png"))
        assert visit.problems == []
    finally:
        visit.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("style", STYLES)
def test_no_axe_violations_over_the_hero(browser: Any, hero_server: str, style: str,
                                         scheme: str) -> None:
    if not AXE.exists():
        reason = f"{AXE.relative_to(ROOT)} is missing (run tests/a11y/install.sh)"
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BLOG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    visit = Visit(browser, hero_server, f"/posts/{style.lower()}/", VIEWPORTS["desktop"],
                  scheme)
    try:
        result = visit.page.evaluate(
            "options => axe.run(document, options)",
            {"runOnly": WCAG, "resultTypes": ["violations"]})
        found = [f"{v['id']}: {[n['html'][:120] for n in v['nodes']]}"
                 for v in result["violations"]]
        assert found == []
        if scheme == "dark":
            SHOTS.mkdir(exist_ok=True)
            visit.page.screenshot(path=str(SHOTS / f"hero-{style}-dark.png"))
    finally:
        visit.close()


def test_card_thumbnails_load_without_moving_the_list(browser: Any, hero_server: str) -> None:
    for viewport in VIEWPORTS.values():
        visit = Visit(browser, hero_server, "/posts/", viewport)
        try:
            page = visit.page
            page.evaluate("""async () => {
                for (let y = 0; y < document.documentElement.scrollHeight; y += 300) {
                    window.scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); }
            }""")
            page.wait_for_load_state("networkidle")
            thumbs = visit.loaded(".card-thumb img")
            assert len(thumbs) == 5
            assert all(t["complete"] and t["natural"] > 0 and t["shown"] > 50 for t in thumbs)
            assert page.evaluate("window.__shift") < 0.01
            SHOTS.mkdir(exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"cards-{viewport['width']}.png"))
            assert visit.problems == []
        finally:
            visit.close()


def test_hero_and_card_markup_is_valid_html(hero_server: str, tmp_path: Path) -> None:
    """The Nu Html Checker finds no error on the hero pages and the list of cards."""
    missing = "java is not installed" if shutil.which("java") is None else (
        "" if VNU.exists() else f"{VNU.relative_to(ROOT)} is missing (run tests/a11y/install.sh)")
    if missing:
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BLOG_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(missing)
    for path in [f"/posts/{style.lower()}/" for style in STYLES] + ["/posts/"]:
        with urllib.request.urlopen(hero_server + path, timeout=30) as response:
            name = path.strip("/").replace("/", "-") + ".html"
            (tmp_path / name).write_bytes(response.read())
    result = subprocess.run(
        ["java", "-Xss16m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU), "--format", "json",
         "--errors-only", *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages] == []
