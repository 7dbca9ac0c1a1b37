"""The Content-Security-Policy in Chromium: a page's own inline styles apply, nothing else.

The policy has no `'unsafe-inline'`: a post's own inline styles (a coloured alert, a table's
column alignment, the carousel's aspect ratio) are allowed by their hashes, so they render
with no CSP violation; swatches are SVG fills. A style attribute injected afterwards (as a
payload that got past the sanitizer would be) is refused and reported.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, gunicorn

pytestmark = pytest.mark.browser

POST = "/posts/styled/"
STYLED = """---
title: Styled
date: 2024-01-02
---
| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |

{{< alert cardColor="#e63946" iconColor="#1d3557" textColor="#f1faee" >}}
Coloured alert
{{< /alert >}}

{{< swatches "#64748b" "rgb(59, 130, 246)" >}}

{{< carousel images="gallery/*" aspectRatio="4-3" >}}
"""
LISTEN = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.sample || '')));
}"""


@pytest.fixture(scope="module")
def styled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("csp-server")
    content = tmp / "content"
    (content / "posts" / "styled").mkdir(parents=True)
    (content / "posts" / "styled" / "index.md").write_text(STYLED, encoding="utf-8")
    gallery = ROOT / "content" / "posts" / "the-rise-of-ai-generated-images" / "gallery"
    (content / "posts" / "styled" / "gallery").mkdir()
    for image in sorted(gallery.iterdir())[:2]:
        shutil.copy(image, content / "posts" / "styled" / "gallery" / image.name)
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


def _open(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context()
    context.add_init_script(f"({LISTEN})()")
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    return context, page, console


def test_the_pages_own_styles_apply_without_violations(browser: Any,
                                                       styled_server: str) -> None:
    context, page, console = _open(browser, styled_server + POST)
    try:
        styles = page.evaluate("""() => {
          const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
          return {
            alert: css('.sc-alert', 'backgroundColor'),
            alertText: css('.sc-alert', 'color'),
            icon: css('.sc-alert-icon', 'color'),
            centre: css('article table tr > :nth-child(2)', 'textAlign'),
            right: css('article table tr > :nth-child(3)', 'textAlign'),
            swatch: css('.sc-swatch-color rect', 'fill'),
            swatchHeight: document.querySelector('.sc-swatch-color').getBoundingClientRect()
              .height,
            ratio: css('.carousel-viewport', 'aspectRatio'),
          };
        }""")
        assert styles == {
            "alert": "rgb(230, 57, 70)", "alertText": "rgb(241, 250, 238)",
            "icon": "rgb(29, 53, 87)", "centre": "center", "right": "right",
            "swatch": "rgb(100, 116, 139)", "swatchHeight": styles["swatchHeight"],
            "ratio": "4 / 3",
        }
        assert styles["swatchHeight"] > 20
        assert page.evaluate("window.__violations") == []
        assert not [c for c in console if "Content Security Policy" in c], console
    finally:
        context.close()


def test_an_injected_style_attribute_is_refused(browser: Any, styled_server: str) -> None:
    """The detector works: a style the page did not ship is blocked and reported."""
    context, page, _ = _open(browser, styled_server + POST)
    try:
        colour = page.evaluate("""async () => {
          document.body.insertAdjacentHTML('beforeend',
            '<p id="injected" style="color: rgb(1, 2, 3)">injected</p>');
          await new Promise(r => setTimeout(r, 200));
          return getComputedStyle(document.getElementById('injected')).color;
        }""")
        assert colour != "rgb(1, 2, 3)"
        assert any(v.startswith("style-src") for v in page.evaluate("window.__violations"))
    finally:
        context.close()
