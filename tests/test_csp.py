"""The Content-Security-Policy: no `'unsafe-inline'` anywhere; a page's own styles by hash.

Every page's policy allows scripts and styles from this site only. A post whose content
carries inline styles (a table's column alignment, a shortcode's colour or aspect ratio)
gets exactly the hashes of those attribute values; nothing a reader posts adds one.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask

from app.extensions import db
from app.web.style_hashes import style_hashes
from tests.conftest import make_app, write
from tests.html import soup

POST = "/posts/styled/"
PLAIN = "/posts/plain/"
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

{{< swatches "#64748b" "#3b82f6" >}}
"""


def _sha(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("csp")
    content = tmp / "content"
    write(content, "posts/styled.md", STYLED)
    write(content, "posts/plain.md", "---\ntitle: Plain\ndate: 2024-01-01\n---\nJust text.\n")
    app = make_app(tmp, COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0)
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.engine.dispose()


def _style_src(response) -> list[str]:  # type: ignore[no-untyped-def]
    policies = response.headers.getlist("Content-Security-Policy")
    assert len(policies) == 1, policies
    directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";"))
    return directives["style-src"].split()


@pytest.mark.parametrize("path", ["/", POST, PLAIN, "/posts/", "/tags/", "/nope/",
                                  "/search?q=text", "/api/comments?url=" + PLAIN, "/admin/login",
                                  "/comments/confirm/1/" + "0" * 32])
def test_no_page_allows_inline_script_or_style(site: Flask, path: str) -> None:
    response = site.test_client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self';" in policy and "style-src 'self'" in policy


def test_a_page_without_inline_styles_allows_none(site: Flask) -> None:
    client = site.test_client()
    for _ in range(2):  # built, then served from the page cache
        assert _style_src(client.get(PLAIN)) == ["'self'"]


def test_a_post_allows_exactly_its_own_inline_styles(site: Flask) -> None:
    client = site.test_client()
    first = client.get(POST)
    article = soup(first.data).select_one("article")
    styles = {el["style"] for el in article.select("[style]")}
    assert any("background-color" in s for s in styles)
    # Column alignment is a class, as the Markdown renderer writes it: no style to allow.
    assert not any("text-align" in s for s in styles)
    assert article.select("th.align-center") and article.select("td.align-right")
    expected = ["'self'", "'unsafe-hashes'", *sorted(_sha(s) for s in styles)]
    assert _style_src(first) == expected
    assert _style_src(client.get(POST)) == expected  # the cached copy carries its policy
    assert not soup(first.data).select(".sc-swatch-color[style]")  # swatches: SVG fills


def test_a_comment_adds_no_style_to_the_policy(site: Flask) -> None:
    """Reader input never widens the policy, whatever it holds."""
    client = site.test_client()
    before = _style_src(client.get(POST))
    token = client.get("/api/comments", query_string={"url": POST}).get_json()["form_token"]
    for text in ('<p style="color: red">red</p>', '<span style="position:fixed">x</span>',
                 '[x](https://example.com){: style="color:red"}'):
        response = client.post("/api/comments", json={"url": POST, "text": text,
                                                      "form_token": token})
        assert response.status_code == 201
    page = client.get(POST)
    assert _style_src(page) == before
    assert not soup(page.data).select(".comment-body [style]")


def test_style_hashes_read_attributes_as_a_browser_does() -> None:
    html = ('<p style="color: red">a</p><p style=\'color:&#x62;lue\'>b</p><br style=x />'
            '<p data-style="no">c</p><!-- <p style="hidden"> --><p>style="text"</p>')
    assert style_hashes(html) == {_sha("color: red").strip("'"), _sha("color:blue").strip("'"),
                                  _sha("x").strip("'")}

