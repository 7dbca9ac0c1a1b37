"""Mermaid, Chart.js and KaTeX drawn in Chromium, on real gunicorn, under the site's CSP.

A post with a Mermaid diagram, a chart and a formula gets each drawn (an SVG with nodes, a
canvas with coloured pixels, KaTeX markup) with no console error, no CSP violation, no failed
request and no request to another host; the libraries come from static/vendor. A post with
none of these shortcodes requests none of them. The theme toggle re-draws in dark colours.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, block_foreign_hosts, gunicorn

pytestmark = pytest.mark.browser

VENDOR = ROOT / "static" / "vendor"
DRAWN = "/posts/drawn/"
PLAIN = "/posts/plain/"
DRAWN_MD = """---
title: Drawn
date: 2024-01-02
---
{{< katex >}}

A flow:

{{< mermaid >}}
graph LR;
A[Lemons]-->B[Lemonade];
B-->C[Profit];
{{< /mermaid >}}

Votes:

{{< chart >}}
type: 'bar',
data: {
  labels: ['Tomato', 'Blueberry', 'Banana'],
  datasets: [{
    label: '# of votes', // a comment, as JS allows
    data: [12, 19, 3],
  }]
}
{{< /chart >}}

The hypotenuse: \\(c^2 = a_1 * a_1 + b * b\\), so

$$c = \\sqrt{a^2 + b^2}$$
"""
PLAIN_MD = """---
title: Plain
date: 2024-01-03
---
No diagrams here, only $5 and $6.
"""
LISTEN = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push([e.violatedDirective, e.sample, e.sourceFile + ':'
      + e.lineNumber + ':' + e.columnNumber, e.target && e.target.nodeName].join(' ')));
}"""
STATE = """() => {
  const svg = document.querySelector('figure.sc-mermaid .sc-mermaid-drawn svg');
  const canvas = document.querySelector('figure.sc-chart .sc-chart-canvas canvas');
  let inked = 0;
  if (canvas && canvas.width) {
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
  }
  const node = svg && svg.querySelector('.node rect, .node polygon, rect');
  return {
    svgNodes: svg ? svg.querySelectorAll('.node').length : 0,
    svgText: svg ? svg.textContent : '',
    nodeFill: node ? getComputedStyle(node).fill : '',
    sourceShown: !document.querySelector('.sc-mermaid-source').hidden,
    canvasShown: canvas ? !canvas.closest('.sc-chart-canvas').hidden : false,
    canvasHeight: canvas ? canvas.getBoundingClientRect().height : 0,
    inked: inked,
    tableShown: document.querySelector('.sc-chart-fallback').getBoundingClientRect().height > 1,
    tableRead: !document.querySelector('.sc-chart-fallback').hidden &&
      document.querySelector('.sc-chart-source').hidden,
    katex: document.querySelectorAll('.prose .katex').length,
    katexDisplay: document.querySelectorAll('.prose .katex-display').length,
    katexFont: (document.querySelector('.katex') ?
      getComputedStyle(document.querySelector('.katex')).fontFamily : ''),
  };
}"""


@pytest.fixture(scope="module")
def diagram_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (VENDOR / "mermaid" / "mermaid.min.js").is_file():
        pytest.fail("static/vendor is not installed: run scripts/vendor", pytrace=False)
    tmp = tmp_path_factory.mktemp("diagram-server")
    content = tmp / "content"
    for path, text in ((DRAWN, DRAWN_MD), (PLAIN, PLAIN_MD)):
        folder = content / path.strip("/")
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(text, encoding="utf-8")
    env = _server_env(tmp)
    _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
    _run([str(VENV_BIN / "flask"), "content", "import", str(content)], env)
    with gunicorn(tmp) as (base_url, _):
        yield base_url


class Visit:
    """A page opened in a fresh context, with everything that went wrong recorded."""

    def __init__(self, browser: Any, base_url: str, path: str, scheme: str = "light") -> None:
        self.context = browser.new_context(color_scheme=scheme)
        self.blocked: list[str] = []
        block_foreign_hosts(self.context, base_url, self.blocked)
        self.context.add_init_script(f"({LISTEN})()")
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.console.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.status} {r.url}"))
        response = self.page.goto(base_url + path, wait_until="networkidle")
        assert response is not None and response.status == 200

    def state(self) -> dict[str, Any]:
        self.page.wait_for_function(
            "document.querySelector('.sc-mermaid-drawn svg') && "
            "!document.querySelector('.sc-chart-canvas').hidden", timeout=20000)
        return self.page.evaluate(STATE)  # type: ignore[no-any-return]

    def assert_clean(self) -> None:
        assert self.page.evaluate("window.__violations") == []
        assert self.console == []
        assert self.failed == []
        assert self.blocked == []

    def close(self) -> None:
        self.context.close()


def test_diagram_chart_and_formula_are_drawn_cleanly(browser: Any, diagram_server: str) -> None:
    visit = Visit(browser, diagram_server, DRAWN)
    try:
        state = visit.state()
        assert state["svgNodes"] == 3
        assert "Lemons" in state["svgText"] and "Profit" in state["svgText"]
        # Mermaid's own stylesheet applied (through the CSSOM): its default node fill.
        assert state["nodeFill"] not in ("", "rgb(0, 0, 0)", "none")
        assert not state["sourceShown"] and state["canvasShown"] and not state["tableShown"]
        assert state["tableRead"]  # out of sight, still there for screen readers
        assert state["canvasHeight"] > 100 and state["inked"] > 1000
        assert state["katex"] == 2 and state["katexDisplay"] == 1
        assert "KaTeX_Main" in state["katexFont"]
        vendor = [url.split("?")[0] for url in visit.requests if "/static/vendor/" in url]
        assert any(url.endswith("/mermaid/mermaid.min.js") for url in vendor)
        assert any(url.endswith("/chart.js/chart.umd.min.js") for url in vendor)
        assert any(url.endswith("/katex/katex.min.js") for url in vendor)
        assert any(url.endswith(".woff2") for url in vendor)
        visit.assert_clean()
    finally:
        visit.close()


def test_the_theme_toggle_redraws_in_dark(browser: Any, diagram_server: str) -> None:
    visit = Visit(browser, diagram_server, DRAWN)
    try:
        light = visit.state()
        visit.page.evaluate("document.documentElement.setAttribute('data-theme', 'dark')")
        visit.page.wait_for_function(
            f"getComputedStyle(document.querySelector('.sc-mermaid-drawn svg .node rect, "
            f".sc-mermaid-drawn svg .node polygon')).fill !== {light['nodeFill']!r}",
            timeout=20000)
        dark = visit.page.evaluate(STATE)
        assert dark["svgNodes"] == 3 and dark["inked"] > 1000
        # Quick toggles queue up; the page's own functions are restored after each pass.
        visit.page.evaluate("""async () => {
          const root = document.documentElement;
          for (const mode of ['light', 'dark', 'light', 'dark']) {
            root.setAttribute('data-theme', mode);
            await new Promise(r => setTimeout(r, 5));
          }
        }""")
        visit.page.wait_for_timeout(3000)
        assert visit.page.evaluate("""() => [Element.prototype.setAttribute,
          Document.prototype.createElement, Document.prototype.createElementNS,
          DOMParser.prototype.parseFromString].every(f => /\\[native code\\]/.test(String(f)))""")
        assert visit.page.evaluate(
            "document.querySelectorAll('.sc-mermaid-drawn svg').length") == 1
        assert visit.page.evaluate(STATE)["nodeFill"] == dark["nodeFill"]
        assert visit.page.evaluate("document.adoptedStyleSheets.length") == 1  # none left over
        visit.assert_clean()
    finally:
        visit.close()


def test_a_page_without_them_loads_no_vendor_file(browser: Any, diagram_server: str) -> None:
    visit = Visit(browser, diagram_server, PLAIN)
    try:
        assert [url for url in visit.requests if "/static/vendor/" in url] == []
        assert not [url for url in visit.requests if url.endswith("/js/diagrams.js")]
        assert visit.page.evaluate("document.querySelectorAll('.katex').length") == 0
        visit.assert_clean()
    finally:
        visit.close()


def test_without_javascript_the_fallbacks_stay(browser: Any, diagram_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(diagram_server + DRAWN)
        assert page.locator(".sc-mermaid-source").is_visible()
        assert page.locator(".sc-chart-fallback table").is_visible()
        assert not page.locator(".sc-chart-canvas").is_visible()
        text = page.locator(".prose").inner_text()
        assert "$$c = \\sqrt{a^2 + b^2}$$" in text and "\\(c^2 = a_1 * a_1 + b * b\\)" in text
    finally:
        context.close()
