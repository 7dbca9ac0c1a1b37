"""XSS: a corpus of payloads posted as comment text, author, website and email runs nowhere.

A gunicorn of its own (comments published at once, no fill time, rate limit raised) takes
every payload as a separate comment through the JSON API (and a few through the no-JS form,
and through the browser itself, so that it holds the author cookie and sees its edit
controls). Then headless Chromium opens the post page, the edit and reply pages, the form's
error page (which echoes what was typed) and the comment feeds, twice: as a reader gets them
(with the Content-Security-Policy) and with the CSP bypassed, so that the sanitizer alone is
tested. Every payload would run `window.__xss++` or `alert()`; an init script sets
`window.__xss = 0` and every dialog is counted. Then the DOM is searched for injected
elements: no script but the site's own files, no `on*` attribute, no javascript:/data: URL,
no element outside the comment allow-list inside a comment body.

Last, no response (page, API, feed, form pages) contains an email address that was given,
or an MD5/SHA-1/SHA-256 hex digest of one.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

import pytest

from tests.browser.conftest import (
    VENV_BIN,
    _run,
    _server_env,
    gunicorn,
)
from tests.hostile.tally import Tally, report

pytestmark = pytest.mark.browser

POST = "/posts/the-rise-of-ai-generated-images/"
SETTINGS = {
    "COMMENTS_MODERATION": "none",
    "COMMENTS_MIN_FILL_SECONDS": "0",
    "COMMENTS_RATE_LIMIT": "10000",
    "COMMENTS_RATE_WINDOW": "60",
    "COMMENTS_PER_PAGE": "1000",  # every payload on the one page the browser opens
}
SET_UP = """
import sys
from wsgi import app
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["content", "import", "content"]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
"""
TALLY = Tally("XSS in headless Chromium")
X = "window.__xss++"
A = "alert(1)"
EMAILS = ["victim.person@example.org", "Second.Reader+tag@Example.COM",
          '"><svg/onload=window.__xss++>@evil.example', "'-alert(1)-'@x.example"]

# Each payload runs `window.__xss++` or alert() if it ever executes.
PAYLOADS: list[str] = [
    f"<script>{X}</script>", f"<script>{A}</script>", "<SCRIPT SRC=/static/x.js></SCRIPT>",
    f"<img src=x onerror={X}>", f'<img src=x onerror="{A}">', f"<img/src=x/onerror={X}>",
    f"<IMG SRC=x ONERROR={X}>", f"<svg onload={X}>", f"<svg><script>{X}</script></svg>",
    f"<svg/onload={A}//", f"<body onload={X}>",
    '<iframe src="javascript:parent.__xss++"></iframe>',
    '<iframe srcdoc="<script>parent.__xss++</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=parent.__xss++&gt;"></iframe>',
    f'<object data="javascript:{X}"></object>', f'<embed src="javascript:{X}">',
    f'<a href="javascript:{X}">click</a>', f"[click](javascript:{X})",
    f"[click](JaVaScRiPt:{X})", f"[click](javascript&#58;{X})", f"[click](java%0ascript:{X})",
    f"[click](&#x6A;avascript:{X})", f"[click]( javascript:{X})", f"[click](<javascript:{X}>)",
    f"<javascript:{X}>", f"<javascript:{A}>",
    "[a](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MrKzwvc2NyaXB0Pg==)",
    f"![x](data:image/svg+xml,<svg onload={X}>)", f'![x](x" onerror="{X})',
    f"![x](javascript:{X})", f'[x](https://example.com" onmouseover="{X})',
    f"[x](https://example.com 'title\" onmouseover=\"{X}')",
    f"[x][1]\n\n[1]: javascript:{X}", f'[x][1]\n\n[1]: https://a.example "t" onmouseover="{X}"',
    f"[x][ref]\n\n[ref]: <javascript:{X}>", f'"><script>{X}</script>',
    f"'><img src=x onerror={X}>", f"</textarea><script>{X}</script>",
    f"</title><script>{X}</script>", f"</noscript><img src=x onerror={X}>",
    f'<noscript><p title="</noscript><img src=x onerror={X}>">',
    f"<math><mtext><table><mglyph><style><img src=x onerror={X}>",
    f'<svg></p><style><a id="</style><img src=1 onerror={X}>">',
    f"<form><math><mtext></form><form><mglyph><style></math><img src onerror={X}>",
    f"<style>@import 'javascript:{X}';</style>",
    f'<div style="width: expression({X})">css</div>',
    f'<div style="background:url(javascript:{X})">x</div>',
    f"&lt;script&gt;{X}&lt;/script&gt;", f"&#60;script&#62;{X}&#60;/script&#62;",
    f"\\u003cscript\\u003e{X}\\u003c/script\\u003e", f"%3Cscript%3E{X}%3C/script%3E",
    f"`<script>{X}</script>`", f"```\n</code><script>{X}</script>\n```",
    f'```html"><script>{X}</script>\nx\n```', f"<details open ontoggle={X}>",
    f"<marquee onstart={X}>", f"<video><source onerror={X}></video>",
    f"<audio src=x onerror={X}>", f"<input autofocus onfocus={X}>",
    f"<select autofocus onfocus={X}>", f"<textarea autofocus onfocus={X}>",
    f"<keygen autofocus onfocus={X}>", f"<isindex type=image src=1 onerror={X}>",
    f'<base href="javascript:{X}//">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{X}">',
    '<link rel=import href="data:text/html,<script>parent.__xss++</script>">',
    f"<template><img src=x onerror={X}></template>",
    f"<<script>script>{X}<</script>/script>", f"<scr<script>ipt>{X}</scr</script>ipt>",
    "<img src=x onerror=&#119;indow.__xss++>", "<img src=x onerror=\\u0077indow.__xss++>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss++"
    "\">e</a>",
    f'<a href="jav&#x09;ascript:{X}">tab</a>', f'<a href="  javascript:{X}">sp</a>',
    "[a](vbscript:msgbox(1))", "[a](data:text/html,<script>parent.__xss++</script>)",
    f'<https://example.com/"onmouseover="{X}>', f"https://example.com/<script>{X}</script>",
    f'www.example.com/"><img src=x onerror={X}>', f'user@example.com"><img src=x onerror={X}>',
    f'[x](mailto:a@b.c"><img src=x onerror={X}>)', f"> <img src=x onerror={X}>",
    f"* <svg onload={X}>", f"~~<img src=x onerror={X}>~~", f"**<img src=x onerror={X}>**",
    f"<!--<img src=x onerror={X}>-->", f"<![CDATA[<img src=x onerror={X}>]]>",
    f'<?xml-stylesheet href="javascript:{X}"?>',
    f"{{{{< alert >}}}}<script>{X}</script>{{{{< /alert >}}}}", f"<img src=x onerror={X} ",
    f"<a href=javascript:{X}>unquoted</a>",
    f'<svg><a xlink:href="javascript:{X}"><text x=20 y=20>X</text></a></svg>',
    f"<svg><animate onbegin={X} attributeName=x dur=1s>",
    f"<svg><set attributeName=onmouseover to={X}>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>", f'<a href="#" onclick="{X}">c</a>',
    f'\\"><img src=x onerror={X}>', f"\\x3cscript\\x3e{X}\\x3c/script\\x3e",
    f"[![img](x)](javascript:{X})", f"<img src=`x`onerror={X}>",
    f"<a href=\"https://ok.example\" onmouseover={X}>hover</a>",
    f"<p style=\"position:fixed;inset:0\" onmouseover={X}>cover</p>",
    f"<img src=x onerror\t=\t{X}>", f"<img src=x onerror\n={X}>",
    f"<svg><style>&lt;img src=x onerror={X}&gt;</style></svg>",
    f"<table background=\"javascript:{X}\">", f'<button formaction="javascript:{X}">b</button>',
    # URL forms of the attack run's finding, as Markdown links, autolinks and raw HTML.
    f"[x](JAVASCRIPT:{X})", f"[x](javascript&colon;{X})", f"[x](<\tjavascript:{X}>)",
    f"[x](<java\nscript:{X}>)", f"[x](\x01javascript:{X})", f"[x](%20javascript:{X})",
    f"[x](&#0000106;avascript:{X})", "[x](vbscript:msgbox(2))", "[x](VBScript:msgbox(3))",
    "[x](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MrKzwvc2NyaXB0Pg)",
    "[x](DATA:text/html,<script>parent.__xss++</script>)", f"<JAVASCRIPT:{X}>",
    "<vbscript:msgbox(4)>", "<data:text/html,<script>parent.__xss++</script>>",
    f"<javascript://%0a{X}>", f"[x](javascript://%0a{X})", f"[x](javascript://evil.example/%0a{X})",
    f"[x](//evil.example/\"onclick=\"{X})", f"[x](\\\\evil.example\\\"onclick=\"{X})",
    # Reference definitions: another label case, an image, a title, a definition on two lines.
    f"[x]\n\n[x]: javascript:{X}", f"[x][]\n\n[x]: <data:text/html,<script>{X}</script>>",
    f"![x][img]\n\n[img]: javascript:{X}", f"[x][A]\n\n[a]: JaVaScRiPt:{X}",
    f"[x][a]\n\n[a]:\n  javascript:{X}",
    f'[x][t]\n\n[t]: https://a.example "\\"><img src=x onerror={X}>"',
    f"[x][v]\n\n[v]: vbscript:msgbox(5) '{X}'",
    # Raw HTML a comment may hold, with the scheme hidden by entities and whitespace.
    f'<a href="&#0000106avascript:{X}">e</a>', f'<a href="java&#10;script:{X}">nl</a>',
    f'<a href="&#14;javascript:{X}">ctl</a>', f'<a href="%6A%61vascript:{X}">pct</a>',
    f'<a href="javascript&colon;{X}">colon</a>', f'<a href="//evil.example/" onclick="{X}">p</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9cGFyZW50Ll9feHNzKys+">',
    f"<!-- [x](javascript:{X}) --><a href='javascript:{X}'>c</a>",
]
# Where the no-JS comment form sends its readers back: every form of "somewhere else".
URL_FORMS = [
    "javascript:alert(1)//", "JaVaScRiPt:window.__xss++", " javascript:window.__xss++",
    "\x01javascript:window.__xss++", "data:text/html,<script>parent.__xss++</script>",
    "vbscript:msgbox(1)", "//evil.example/", "\\\\evil.example\\", "/\\evil.example/",
    "https://evil.example/", "%2F%2Fevil.example/", "/%5Cevil.example/",
]
COMMENT_TAGS = {"p", "br", "em", "strong", "del", "a", "code", "pre", "ul", "ol", "li",
                "blockquote"}

INIT_SCRIPT = """
window.__xss = 0;
Object.defineProperty(window, '__dialogs', {value: [], writable: false});
"""
# Fire every handler an attribute could carry, on every element of the comments section.
PROVOKE = """() => {
  const names = ['mouseover', 'mouseenter', 'focus', 'click', 'toggle', 'load', 'error',
                 'animationstart', 'pointerover', 'input', 'change'];
  for (const el of document.querySelectorAll('#comments *')) {
    if (el.tagName === 'A' || el.tagName === 'BUTTON' || el.type === 'submit') continue;
    for (const name of names) {
      try { el.dispatchEvent(new Event(name, {bubbles: false})); } catch (e) {}
    }
  }
  return window.__xss;
}"""
INSPECT = """() => {
  const bad = [];
  const section = document.querySelector('#comments') || document.body;
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc',
                    'background', 'poster'];
  const tag = el => `<${el.tagName}`;
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on') && section.contains(el))
        bad.push(`on* attribute: ${tag(el)} ${name}="${attr.value}">`);
      const risky = /^(javascript|vbscript|data:text|data:image\\/svg)/.test(value);
      if (urlAttrs.includes(name) && risky)
        bad.push(`dangerous URL: ${tag(el)} ${name}="${attr.value}">`);
      if (name === 'srcdoc') bad.push(`srcdoc: ${tag(el)}>`);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    const src = s.getAttribute('src') || '';
    if (s.type === 'application/ld+json') {
      try { JSON.parse(s.textContent); } catch (e) { bad.push('JSON-LD that is not JSON'); }
      if (/__xss|alert\\(/.test(s.textContent)) bad.push('payload inside JSON-LD');
      continue;
    }
    if (!src.startsWith('/static/')) bad.push(`script: ${s.outerHTML.slice(0, 120)}`);
  }
  const active = ['iframe', 'object', 'embed', 'base', 'meta[http-equiv]', 'link[rel=import]',
                  'frame', 'applet'];
  for (const sel of active) {
    for (const el of section.querySelectorAll(sel))
      bad.push(`element: ${el.outerHTML.slice(0, 120)}`);
  }
  const allowed = new Set(ALLOWED_TAGS);
  let injected = 0;
  for (const body of document.querySelectorAll('.comment-body')) {
    for (const el of body.querySelectorAll('*')) {
      if (!allowed.has(el.tagName.toLowerCase()) || el.hasAttribute('style')) {
        injected++;
        bad.push(`injected into a comment: ${el.outerHTML.slice(0, 120)}`);
      }
    }
  }
  for (const el of section.querySelectorAll('.comment-author *')) {
    if (!['A', 'SPAN'].includes(el.tagName))
      bad.push(`injected into an author: ${el.outerHTML.slice(0, 120)}`);
  }
  return {bad, injected, xss: window.__xss};
}""".replace("ALLOWED_TAGS", json.dumps(sorted(COMMENT_TAGS)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a 303 as the answer (the test wants the status, not the page it points to)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Http:
    """A cookie-keeping HTTP client for the live server, recording every body it gets."""

    base: str
    bodies: list[tuple[str, int, str]] = field(default_factory=list)
    jar: CookieJar = field(default_factory=CookieJar)

    def __post_init__(self) -> None:
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies, _NoRedirect())

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        self.bodies.append((f"{method} {path}", status, text))
        return status, text

    def token(self) -> str:
        status, text = self.call("GET", "/api/comments?url=" + urllib.parse.quote(POST))
        assert status == 200, text
        return json.loads(text)["form_token"]

    def comment(self, **fields: Any) -> int:
        payload = {"url": POST, "form_token": self.token(), **fields}
        status, _ = self.call("POST", "/api/comments", json.dumps(payload).encode(),
                              {"Content-Type": "application/json"})
        return status

    def form(self, **fields: str) -> int:
        data = {"url": POST, "form_token": self.token(), **fields}
        status, _ = self.call("POST", "/comments", urllib.parse.urlencode(data).encode(),
                              {"Origin": self.base,
                               "Content-Type": "application/x-www-form-urlencoded"})
        return status


POST_FROM_PAGE = """async (payloads) => {
  const ids = [];
  const url = location.pathname;
  for (const text of payloads) {
    const thread = await (await fetch('/api/comments?url=' + encodeURIComponent(url))).json();
    const body = {url, form_token: thread.form_token, text: 'Own ' + text,
                  author: text.slice(0, 100)};
    const r = await fetch('/api/comments', {method: 'POST', body: JSON.stringify(body),
                                            headers: {'Content-Type': 'application/json'}});
    if (r.status === 201) ids.push((await r.json()).comment.id);
  }
  return ids;
}"""


@dataclass
class Posted:
    """What was posted: the HTTP client (all bodies seen) and the statuses per field."""

    http: Http
    statuses: dict[str, list[int]]


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from report(request, TALLY)


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of gunicorn with comments published at once and limits out of the way."""
    tmp = tmp_path_factory.mktemp("xss-server")
    _run([str(VENV_BIN / "python"), "-c", SET_UP], _server_env(tmp))
    with gunicorn(tmp, SETTINGS) as (base_url, log):
        yield base_url
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, f"the server logged a traceback:\n{text[-3000:]}"


@pytest.fixture(scope="module")
def posted(xss_server: str) -> Posted:
    """Every payload as the text, the author and the website of its own comment; emails."""
    http = Http(xss_server)
    statuses: dict[str, list[int]] = {"text": [], "author": [], "website": [], "email": [],
                                      "form": []}
    for i, payload in enumerate(PAYLOADS):
        statuses["text"].append(http.comment(text=payload, author=f"Text {i}"))
        statuses["author"].append(http.comment(text=f"Author payload {i}", author=payload))
        statuses["website"].append(http.comment(text=f"Website payload {i}",
                                                author=f"Site {i}", website=payload))
    for i, email in enumerate(EMAILS):
        statuses["email"].append(http.comment(text=f"Email {i}: {PAYLOADS[i]}",
                                              author=f"Mail {i}", email=email, notify=True))
    for i, payload in enumerate(PAYLOADS[:12]):
        statuses["form"].append(http.form(text=f"Form {i} {payload}", author=payload,
                                          email=EMAILS[0]))
    return Posted(http, statuses)


def test_payloads_were_stored_or_refused_cleanly(posted: Posted) -> None:
    """Text and author payloads are comments like any other; a website may be refused (400)."""
    for field_name, codes in posted.statuses.items():
        allowed = {201, 303} | ({400} if field_name in ("website", "author", "email") else set())
        odd = [(i, c) for i, c in enumerate(codes) if c not in allowed]
        for i, code in enumerate(codes):
            TALLY.record(f"posted as {field_name}", str(i),
                         [] if code in allowed else [f"answered {code}"])
        TALLY.notes.append(f"{field_name}: {len(codes)} posted, "
                           f"{sum(c in (201, 303) for c in codes)} stored, "
                           f"{sum(c == 400 for c in codes)} refused with 400")
        assert not odd, (field_name, odd)
    assert len(PAYLOADS) >= 80
    assert posted.statuses["text"].count(201) >= 80


def _open(context: Any, url: str) -> tuple[Any, list[str]]:
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="networkidle")
    return page, dialogs


def _context(browser: Any, base: str, bypass_csp: bool) -> Any:
    context = browser.new_context(bypass_csp=bypass_csp, java_script_enabled=True)
    context.add_init_script(INIT_SCRIPT)

    def route(r: Any) -> None:  # nothing but the live server
        url = r.request.url
        if url.startswith((base, "data:", "blob:", "about:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    return context


def _check_page(page: Any, dialogs: list[str], label: str) -> list[str]:
    page.evaluate(PROVOKE)
    page.wait_for_timeout(300)
    found = page.evaluate(INSPECT)
    problems = list(found["bad"])
    if found["xss"]:
        problems.append(f"window.__xss = {found['xss']}")
    problems.extend(f"dialog {d}" for d in dialogs)
    TALLY.record("rendered pages", label, problems)
    return problems


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_post_page_runs_no_payload(browser: Any, xss_server: str, posted: Posted,
                                   bypass_csp: bool) -> None:
    context = _context(browser, xss_server, bypass_csp)
    try:
        page, dialogs = _open(context, xss_server + POST)
        stored = sum(code in (201, 303) for codes in posted.statuses.values() for code in codes)
        count = page.evaluate("document.querySelectorAll('.comment').length")
        assert count >= stored >= 200, f"{count} comments on the page, {stored} stored"
        problems = _check_page(page, dialogs, f"post page ({'no CSP' if bypass_csp else 'CSP'})")
        assert not problems, "\n".join(problems[:40])
    finally:
        context.close()


def test_own_comments_edit_and_reply_pages_run_no_payload(browser: Any, xss_server: str,
                                                          posted: Posted) -> None:
    """Comments posted from the browser: its own, with edit controls, and the edit pages."""
    context = _context(browser, xss_server, bypass_csp=True)
    try:
        page, dialogs = _open(context, xss_server + POST)
        ids = page.evaluate(POST_FROM_PAGE, PAYLOADS[:25])
        assert len(ids) >= 20, ids
        problems: list[str] = []
        page.reload(wait_until="networkidle")
        problems += _check_page(page, dialogs, "post page with own comments")
        for comment_id in ids[:6]:
            for path in (f"/comments/{comment_id}/edit", f"/comments/{comment_id}/delete",
                         f"/comments/{comment_id}/reply"):
                sub, sub_dialogs = _open(context, xss_server + path)
                problems += [f"{path}: {p}" for p in _check_page(sub, sub_dialogs, path)]
                sub.close()
        assert not problems, "\n".join(problems[:40])
    finally:
        context.close()


def test_form_error_page_echoes_no_payload(browser: Any, xss_server: str,
                                           posted: Posted) -> None:
    """The no-JS form's error page shows what was typed: every field, no script."""
    context = _context(browser, xss_server, bypass_csp=True)
    problems: list[str] = []
    try:
        for i, payload in enumerate(PAYLOADS[:: max(1, len(PAYLOADS) // 20)]):
            page, dialogs = _open(context, xss_server + POST)
            with page.expect_navigation(wait_until="networkidle"):
                page.evaluate("""([payload, i]) => {
                  const f = document.createElement('form');
                  f.method = 'post'; f.action = '/comments';
                  const fields = {url: location.pathname, text: payload,
                                  author: payload.slice(0, 100), email: payload.slice(0, 200),
                                  website: 'javascript:' + payload, parent_id: payload,
                                  form_token: i % 2 ? payload : ''};
                  for (const [k, v] of Object.entries(fields)) {
                    const input = document.createElement('input');
                    input.name = k; input.value = v; f.appendChild(input);
                  }
                  document.body.appendChild(f);
                  f.submit();
                }""", [payload, i])
            assert page.url.endswith("/comments"), page.url
            problems += [f"error page {i}: {p}" for p in _check_page(page, dialogs,
                                                                     f"form error page {i}")]
            page.close()
        assert not problems, "\n".join(problems[:40])
    finally:
        context.close()


def test_form_error_page_links_only_to_this_site(browser: Any, xss_server: str,
                                                 posted: Posted) -> None:
    """The attack run's finding: the page's links never take a reader off the site."""
    context = _context(browser, xss_server, bypass_csp=True)
    problems: list[str] = []
    try:
        for i, url in enumerate(URL_FORMS):
            page, dialogs = _open(context, xss_server + POST)
            with page.expect_navigation(wait_until="networkidle"):
                page.evaluate("""(url) => {
                  const f = document.createElement('form');
                  f.method = 'post'; f.action = '/comments';
                  for (const [k, v] of Object.entries({url, text: 'hello world'})) {
                    const input = document.createElement('input');
                    input.name = k; input.value = v; f.appendChild(input);
                  }
                  document.body.appendChild(f);
                  f.submit();
                }""", url)
            links = page.evaluate("""() => [...document.querySelectorAll('main a[href]')]
                .map(a => a.href)""")
            foreign = [href for href in links if not href.startswith(xss_server + "/")]
            label = f"form url {i} {url!r}"
            found = [f"{label}: link to {href}" for href in foreign]
            back = page.locator(".comments-page a", has_text="Back to the site")
            if back.count() != 1 or back.get_attribute("href") != "/":
                found.append(f"{label}: no 'Back to the site' link to /")
            else:
                back.click()
                page.wait_for_load_state("networkidle")
                if page.url != xss_server + "/":
                    found.append(f"{label}: the link led to {page.url}")
            found += _check_page(page, dialogs, label)
            TALLY.record("reflected URLs", label, found)
            problems += found
            page.close()
        assert not problems, "\n".join(problems[:40])
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/comments.xml", POST + "comments.xml",
                                  "/api/comments?url=" + POST])
def test_feeds_and_api_run_no_payload(browser: Any, xss_server: str, posted: Posted,
                                      path: str) -> None:
    context = _context(browser, xss_server, bypass_csp=True)
    try:
        page, dialogs = _open(context, xss_server + path)
        page.wait_for_timeout(300)
        xss = page.evaluate("window.__xss")
        scripts = page.evaluate("document.querySelectorAll('script, iframe, object, embed, "
                                "img, svg').length")
        problems = [f"dialog {d}" for d in dialogs]
        if xss:
            problems.append(f"window.__xss = {xss}")
        if scripts:
            problems.append(f"{scripts} active elements rendered from a feed or API answer")
        TALLY.record("rendered pages", path, problems)
        assert not problems, problems
    finally:
        context.close()


def _digests(email: str) -> set[str]:
    forms = {email, email.lower(), email.strip().lower()}
    return {hashlib.new(algorithm, form.encode()).hexdigest()
            for form in forms for algorithm in ("md5", "sha1", "sha256")}


def test_no_email_or_hash_of_one_in_any_response(xss_server: str, posted: Posted) -> None:
    http = posted.http
    quoted = urllib.parse.quote(POST)
    for path in (POST, "/api/comments?url=" + quoted, "/comments.xml", POST + "comments.xml",
                 "/api/comments/counts?url=" + quoted, "/", "/index.xml", "/sitemap.xml",
                 "/search?q=Email", "/search.json?q=Email", "/posts/"):
        status, _ = http.call("GET", path)
        assert status == 200, path
    status, text = http.call("GET", "/api/comments?url=" + quoted)
    own = [c for c in json.loads(text)["comments"] if c["own"]]
    assert own, "the form posts should have left this client an author cookie"
    for comment in own[:3]:
        http.call("GET", f"/comments/{comment['id']}/edit")
    problems = []
    for email in EMAILS:
        needles = {email, email.lower(), urllib.parse.quote(email), *_digests(email)}
        for where, status, body in http.bodies:
            if where.startswith("POST /comments") and status == 400:
                continue  # the no-JS form shown again to its sender, with what they typed
            lowered = body.lower()
            for needle in needles:
                if needle.lower() in lowered:
                    problems.append(f"{where} contains {needle!r} (from {email!r})")
    TALLY.record("email privacy", f"{len(http.bodies)} responses x {len(EMAILS)} addresses",
                 problems)
    assert not problems, "\n".join(problems[:20])


def test_the_detector_sees_an_injection(browser: Any, xss_server: str, posted: Posted) -> None:
    """The harness is not blind: an injected handler is run, counted and reported."""
    context = _context(browser, xss_server, bypass_csp=True)
    try:
        page, _dialogs = _open(context, xss_server + POST)
        page.evaluate("""() => document.querySelector('.comment-body').insertAdjacentHTML(
          'beforeend', '<img src=x onerror=window.__xss++><a href="javascript:alert(1)">a</a>')""")
        page.wait_for_timeout(300)
        page.evaluate(PROVOKE)
        found = page.evaluate(INSPECT)
        assert found["xss"] >= 1
        assert found["injected"] >= 1
        assert any("on* attribute" in b for b in found["bad"])
        assert any("dangerous URL" in b for b in found["bad"])
    finally:
        context.close()


def test_the_corpus_is_large_and_varied() -> None:
    assert len(PAYLOADS) >= 80
    assert len(set(PAYLOADS)) == len(PAYLOADS), "duplicate payloads"
    for marker in ("<script", "onerror", "onload", "javascript:", "data:", "srcdoc",
                   "<noscript>", "expression(", "&#", "]: "):
        assert any(marker in p for p in PAYLOADS), marker
    inert = [p for p in PAYLOADS if not re.search(r"__xss|alert|msgbox|base64", p)]
    assert len(inert) <= 2, inert
