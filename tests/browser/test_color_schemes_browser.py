"""Blowfish's colour schemes and appearance in Chromium: every shipped scheme passes axe's
colour rules (WCAG AA contrast, links told apart) light and dark, and a site whose
defaultAppearance is dark (autoSwitchAppearance = false) opens dark and toggles light.

One page load per page: the scheme is switched on the loaded document by setting
<html data-scheme>, which is all the server does for a site's params.colorScheme
(tests/test_color_schemes.py checks that part), and the appearance by emulating the
system's colour scheme, as tests/browser/test_a11y.py does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services.site import schemes
from tests.browser.conftest import POST_PATH, ROOT, VENV_BIN, _run, _server_env, gunicorn
from tests.browser.test_a11y import AXE, COLOURS, _describe

pytestmark = pytest.mark.browser

PAGES = {"home": "/", "post": POST_PATH, "search": "/search?q=images"}


@pytest.fixture(scope="module")
def scheme_tab(browser, live_server: str):
    if not AXE.exists():
        pytest.skip(f"{AXE.relative_to(ROOT)} is missing (run tests/a11y/install.sh)")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, live_server, errors
    context.close()


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*colour)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_scheme_passes_axe_colour_rules(scheme_tab, name: str) -> None:
    page, base_url, errors = scheme_tab
    page.goto(base_url + PAGES[name])
    assert page.evaluate("document.documentElement.dataset.scheme") == schemes.DEFAULT
    found = []
    for scheme in schemes.NAMES:
        page.evaluate("s => document.documentElement.setAttribute('data-scheme', s)", scheme)
        for appearance in ("light", "dark"):
            page.emulate_media(color_scheme=appearance)
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == _rgb(schemes.SCHEMES[scheme][appearance]["bg"]), (
                scheme, appearance)
            options = {"runOnly": COLOURS, "resultTypes": ["violations"]}
            result = page.evaluate("options => axe.run(document, options)", options)
            if result["violations"]:
                found.append(f"[{scheme}, {appearance}]\n" + _describe(result["violations"]))
    assert not found, f"axe violations on {PAGES[name]}:\n" + "\n".join(found)
    assert errors == []


def test_a_dark_default_appearance_opens_dark_and_toggles_light(
        browser, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "hugo.toml").write_text(
        'title = "Dark by default"\n[params]\ncolorScheme = "avocado"\n'
        'defaultAppearance = "dark"\nautoSwitchAppearance = false\n')
    env = _server_env(tmp_path)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(site)], env)
    avocado = schemes.SCHEMES["avocado"]
    with gunicorn(tmp_path) as (base_url, _):
        context = browser.new_context(color_scheme="light")  # the system says light
        page = context.new_page()
        page.goto(base_url + "/")
        background = "getComputedStyle(document.body).backgroundColor"
        assert page.evaluate(background) == _rgb(avocado["dark"]["bg"])
        toggle = page.locator(".theme-toggle")
        assert toggle.get_attribute("aria-label").startswith("Theme: dark")
        toggle.click()  # two modes only: the site does not follow the system
        assert page.evaluate(background) == _rgb(avocado["light"]["bg"])
        page.goto(base_url + "/tags/")  # the reader's choice is kept ...
        assert page.evaluate(background) == _rgb(avocado["light"]["bg"])
        page.locator(".theme-toggle").click()  # ... until they are back at the default
        assert page.evaluate(background) == _rgb(avocado["dark"]["bg"])
        assert page.evaluate("localStorage.getItem('theme')") is None
        context.close()
