"""The theme toggle: remembers the reader's choice, and applies it before the first paint."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_toggle_cycles_and_is_remembered_without_a_flash(live_server: str, browser) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    light = _background(page)
    toggle = page.locator(".theme-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-label").startswith("Theme: system")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dark = _background(page)
    assert dark != light
    # The next page starts dark: the attribute is set by a blocking script in <head>,
    # so the theme is already applied when the body is first parsed.
    page.add_init_script("""
        document.addEventListener('readystatechange', () => {
          if (!window.__firstTheme && document.body)
            window.__firstTheme = getComputedStyle(document.body).backgroundColor;
        });
    """)
    page.goto(live_server + "/tags/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("window.__firstTheme") == dark
    page.locator(".theme-toggle").click()  # dark -> light
    assert _background(page) == light
    page.locator(".theme-toggle").click()  # light -> system (light here)
    assert page.evaluate("document.documentElement.hasAttribute('data-theme')") is False
    assert errors == []
    context.close()


def test_system_dark_preference_without_a_choice(live_server: str, browser) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(live_server + "/")
    assert _background(page) == "rgb(30, 41, 59)"  # Blowfish's default scheme: neutral-800
    context.close()
