"""Links and redirects built from request data point only at pages this site resolved.

Every place that echoes a URL taken from a request is sent every scheme and form of URL an
attacker could use: `javascript:`, `data:`, `vbscript:`, protocol-relative `//host`,
backslash forms (`\\\\host`, `/\\host`), absolute `https://other`, percent-encoded,
mixed-case, and whitespace or control characters in front. Each must come back as a link
(or a redirect) to a page of this site, else to `/`:

- the no-JavaScript comment form's error page ("Back to the post"), for a cross-site POST
  (403) and for a same-site POST that fails validation (400/404), and the form it shows
  again (its hidden `url` field);
- the admin login's `next` (where to go after logging in);
- the redirects the blog answers for a path it normalises (`page/1/`, a missing slash).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.web.links import local_path
from tests.conftest import SAME_ORIGIN, admin_settings, make_app, post_admin_login, write
from tests.html import soup

POST = "/posts/hello/"
ORIGIN = SAME_ORIGIN

# Every form of "somewhere else" a browser might follow, written as an attacker would.
HOSTILE_URLS = [
    "javascript:alert(1)//", "JaVaScRiPt:alert(1)", "javascript%3Aalert(1)",
    "%6Aavascript:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
    "\tjavascript:alert(1)", "\x01javascript:alert(1)", "\u00a0javascript:alert(1)",
    "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
    "VBScript:msgbox(1)", "//evil.example/", "///evil.example/", "////evil.example/",
    "\\\\evil.example\\", "\\/evil.example/", "/\\evil.example/", "/\\/evil.example/",
    "/%5Cevil.example/", "/%2F/evil.example/", "%2F%2Fevil.example/", "/%2f%2fevil.example",
    "/\t/evil.example/", "/\n/evil.example/", " //evil.example/", "\r\n//evil.example/",
    "https://evil.example/", "HTTPS://evil.example/", "http:evil.example",
    "https:/evil.example", "http://localhost@evil.example/", "//evil.example@localhost/",
    "/posts/hello/../../\\evil.example", "//localhost/", "http://localhost/posts/hello/",
]


def _build(tmp_path: Path) -> Flask:
    content = tmp_path / "content"
    write(content, "posts/hello.md", "---\ntitle: Hello\ndate: 2024-01-01\n---\nFirst post.\n")
    application = make_app(tmp_path, **admin_settings(
        COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0, COMMENTS_RATE_LIMIT=1000,
        ADMIN_LOGIN_RATE_LIMIT=10000))
    result = application.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    return application


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = _build(tmp_path_factory.mktemp("url-echo"))
    yield application
    with application.app_context():
        db.engine.dispose()


def _is_this_site(href: str) -> bool:
    """A link a browser resolves to a page of this site (a path, no scheme, no host)."""
    parts = urlsplit(href)
    return (href.startswith("/") and not href.startswith(("//", "/\\")) and not parts.scheme
            and not parts.netloc and "\\" not in href
            and not re.search(r"[\x00-\x20\x7f]", href))


def _links(html: str) -> list[str]:
    page = soup(html)
    return [a["href"] for a in page.select(".comments-page a[href]")]


def _hidden_url(html: str) -> str | None:
    field = soup(html).select_one('form.comment-form input[name="url"]')
    return field["value"] if field is not None else None


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_cross_site_form_error_page_links_home(site: Flask, url: str) -> None:
    """The attack run's curl: a foreign Origin, a hostile url; the page links to `/`."""
    response = site.test_client().post("/comments", data={"url": url, "text": "hello world"},
                                       headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    links = _links(response.get_data(as_text=True))
    assert links == ["/"], links
    assert "Back to the site" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_same_site_form_error_page_links_home(site: Flask, url: str) -> None:
    """From this site, a url naming no post: 404, the link goes home, no form to resend."""
    response = site.test_client().post("/comments", data={"url": url, "text": "hello world"},
                                       headers={"Origin": ORIGIN})
    assert response.status_code in (400, 404)
    html = response.get_data(as_text=True)
    assert _links(html) == ["/"]
    assert _hidden_url(html) is None
    assert "evil.example" not in html


@pytest.mark.parametrize("given", ["/posts/hello/", "/posts/hello", "/posts//hello/"])
def test_form_error_page_links_the_resolved_post(site: Flask, given: str) -> None:
    """A post the site found is linked by its own URL, not by what was typed."""
    client = site.test_client()
    response = client.post("/comments", data={"url": given, "text": ""},
                           headers={"Origin": ORIGIN})
    html = response.get_data(as_text=True)
    assert response.status_code == 400  # the text is missing
    if given == "/posts//hello/":  # no such post: nothing to link back to but the site
        assert _links(html) == ["/"] and _hidden_url(html) is None
        return
    assert _links(html) == [POST + "#comments"]
    assert _hidden_url(html) == POST
    assert "Back to the post" in html


def _log_in(client: FlaskClient, next_value: str | None) -> str:
    """Where logging in (with this `next`, if any) sends the browser."""
    response = post_admin_login(client, data={"next": next_value} if next_value is not None
                                else None)
    assert response.status_code == 303, response.data
    return response.headers["Location"]


@pytest.mark.parametrize("next_value", [*HOSTILE_URLS, "/admin/comments", "/admin/../x",
                                        "/posts/hello/", "/admin/nope"])
def test_admin_login_next_never_leaves_the_admin(site: Flask, next_value: str) -> None:
    """After logging in, a `next` that is not an admin page of this site goes to the queue."""
    location = _log_in(site.test_client(), next_value)
    assert location == "/admin/", location


def test_admin_login_returns_to_the_page_asked_for(site: Flask) -> None:
    """A logged-out visit to a queue page comes back to it after the login."""
    client = site.test_client()
    response = client.get("/admin/?status=spam")
    assert response.status_code == 303
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/admin/login"
    page = soup(client.get(login_url).get_data(as_text=True))
    next_value = page.select_one('input[name="next"]')["value"]
    assert next_value == "/admin/?status=spam"
    assert _log_in(client, next_value) == "/admin/?status=spam"
    assert _log_in(site.test_client(), "/admin/?status=bogus") == "/admin/"


@pytest.mark.parametrize("next_value", HOSTILE_URLS)
def test_admin_login_page_echoes_no_hostile_next(site: Flask, next_value: str) -> None:
    html = site.test_client().get("/admin/login", query_string={"next": next_value}) \
        .get_data(as_text=True)
    field = soup(html).select_one('input[name="next"]')
    assert field is None or field["value"] == "/admin/"
    assert "evil.example" not in html and "javascript" not in html.lower().replace(
        "/static/js/", "")


@pytest.mark.parametrize("path", ["//evil.example/page/1/", "///evil.example/page/1/",
                                  "/\\evil.example/page/1/", "/\\/evil.example/page/1/",
                                  "/%09/evil.example/page/1/", "//evil.example/posts/hello",
                                  "/\\evil.example", "//evil.example"])
def test_blog_redirects_stay_on_this_site(site: Flask, path: str) -> None:
    """Paths the blog normalises (a pager's page 1, a missing slash) redirect only locally."""
    response = site.test_client().get("/", environ_overrides={"PATH_INFO": path})
    location = response.headers.get("Location")
    assert location is None or _is_this_site(location), (path, response.status_code, location)


@pytest.mark.parametrize("value", HOSTILE_URLS)
def test_local_path_refuses_every_hostile_form(value: str) -> None:
    assert local_path(value) is None or _is_this_site(local_path(value) or "")
    assert local_path(value) != value or _is_this_site(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("/posts/hello/", "/posts/hello/"), ("/admin/?status=spam", "/admin/?status=spam"),
    ("/", "/"), ("", None), (None, None), (42, None), ("/a" * 2000, None),
])
def test_local_path_keeps_plain_paths(value: object, expected: str | None) -> None:
    assert local_path(value) == expected
