"""In Debian's Chromium, under gunicorn: a section intro's carousel and shortcode work and are
styled; the phone header is one row plus the search; the comment form's labels line up and
its focus ring is not the error colour. Screenshots (desktop 1280, phone 390, light and
dark) go to $BLOG_SCREENSHOTS when it names a folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import POST_PATH, ROOT, VENV_BIN, _run, _server_env, gunicorn

pytestmark = pytest.mark.browser

SEED_GALLERY = ROOT / "content" / "posts" / "the-rise-of-ai-generated-images" / "gallery"
INTRO = """---
title: Gallery
---
Pictures made with the tools reviewed here.

{{< alert >}}
The images below are **examples**.
{{< /alert >}}

{{< carousel images="dreamstudio*.png" >}}
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("layout")
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    gallery = content / "gallery"
    gallery.mkdir()
    for number in (1, 2, 3):  # a branch bundle's resources sit beside its _index.md
        shutil.copy(SEED_GALLERY / f"dreamstudio{number}.png", gallery)
    (gallery / "_index.md").write_text(INTRO, encoding="utf-8")
    (gallery / "first.md").write_text("---\ntitle: First picture\n---\nWords.\n",
                                      encoding="utf-8")
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


def _shot(page, name: str) -> None:
    folder = os.environ.get("BLOG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def _page(browser, viewport: dict[str, int], scheme: str = "light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    return context, context.new_page()


def test_section_intro_carousel_and_shortcode_work_and_are_styled(site: str, browser) -> None:
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/gallery/")
        carousel = page.locator(".carousel")
        carousel.wait_for()
        # carousel.js ran (it marks the carousel ready) and carousel.css laid it out.
        page.wait_for_function("document.querySelector('.carousel').hasAttribute('data-ready')")
        assert page.evaluate("getComputedStyle(document.querySelector('.carousel-viewport'))"
                             ".scrollSnapType").startswith("x")
        page.locator(".carousel-next").click()
        page.wait_for_function(
            "document.querySelector('.carousel').getAttribute('data-current') === '1'")
        # The alert shortcode has shortcodes.css's box: a flex row with a tinted background.
        alert = page.evaluate("(() => { const s = getComputedStyle("
                              "document.querySelector('.sc-alert'));"
                              " return [s.display, s.backgroundColor]; })()")
        assert alert[0] == "flex" and alert[1] not in ("rgba(0, 0, 0, 0)", "transparent")
        _shot(page, "gallery-desktop-light")
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_header_is_one_row_plus_the_search(site: str, browser, scheme: str) -> None:
    context, page = _page(browser, PHONE, scheme)
    try:
        page.goto(site + "/")
        page.locator(".theme-toggle:not([hidden])").wait_for()
        boxes = page.evaluate("""(() => {
          const box = s => document.querySelector(s).getBoundingClientRect();
          return {header: box('.site-header'), title: box('.site-title'),
                  nav: box('.site-nav'), toggle: box('.theme-toggle'),
                  search: box('.site-search input')};
        })()""")
        row = [boxes[name] for name in ("title", "nav", "toggle")]
        middles = [box["top"] + box["height"] / 2 for box in row]
        assert max(middles) - min(middles) < 8, boxes  # one row
        assert boxes["search"]["top"] >= max(b["top"] + b["height"] for b in row) - 1
        assert boxes["search"]["width"] > PHONE["width"] - 60  # full width below
        assert boxes["header"]["height"] <= 120, boxes["header"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shot(page, f"home-phone-{scheme}")
        context.close()
        context, page = _page(browser, DESKTOP, scheme)
        page.goto(site + "/")
        _shot(page, f"home-desktop-{scheme}")
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_comment_form_labels_line_up_and_focus_is_not_the_error_colour(
        site: str, browser, viewport: dict[str, int], name: str, scheme: str) -> None:
    context, page = _page(browser, viewport, scheme)
    try:
        page.goto(site + POST_PATH + "#comment-form")
        page.locator("#comment-form").wait_for()
        boxes = page.evaluate("""(() => [...document.querySelectorAll('.field-row .field')]
          .map(f => ({label: f.querySelector('label').getBoundingClientRect().toJSON(),
                      input: f.querySelector('input').getBoundingClientRect().toJSON()})))()""")
        rows: dict[int, list[dict]] = {}
        for box in boxes:
            rows.setdefault(round(box["input"]["top"]), []).append(box)
        for same_row in rows.values():  # side by side: labels and inputs start together
            assert len({round(b["label"]["top"]) for b in same_row}) == 1, same_row
            assert len({round(b["input"]["height"]) for b in same_row}) == 1, same_row
            assert len({round(b["input"]["top"]) for b in same_row}) == 1, same_row
        for box in boxes:  # each label sits above its own input (a wrapped neighbour's
            # second line may stand between them)
            gap = box["input"]["top"] - (box["label"]["top"] + box["label"]["height"])
            assert 0 <= gap < 30, box
        page.locator("#comment-text").focus()
        page.keyboard.type("Hello")
        ring, danger = page.evaluate("""(() => [
          getComputedStyle(document.querySelector('#comment-text')).outlineColor,
          getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()])()""")
        assert ring not in ("", "rgba(0, 0, 0, 0)")
        rgb = page.evaluate("c => { const e = document.createElement('i'); e.style.color = c;"
                            " document.body.append(e); const v = getComputedStyle(e).color;"
                            " e.remove(); return v; }", danger)
        assert ring != rgb, "the focus ring has the error colour"
        red, green, blue = (int(float(x)) for x in re.findall(r"[\d.]+", ring)[:3])
        assert not (red > 150 and green < 110 and blue < 110), ring  # not a red
        page.locator("#comment-form").scroll_into_view_if_needed()
        _shot(page, f"comment-form-{name}-{scheme}")
    finally:
        context.close()
