"""The Nu Html Checker (npm ``vnu-jar``, run with the machine's Java) finds no error in the
pages a reader sees, as gunicorn serves them (``live_server``, shared with the other browser
tests; marked ``browser`` because it needs Java and the session's server, not Chromium).

vnu.jar is pinned in tests/a11y/package-lock.json and installed by tests/a11y/install.sh.
All pages go to one Java process (the JVM start-up is most of the cost). The post page is
also checked with a comment in its thread, posted through the no-JavaScript form, held for
moderation under the default settings and so shown to its author only, with the author's
edit and delete links.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import AUDITED_PAGES, POST_PATH, ROOT

pytestmark = pytest.mark.browser

VNU = ROOT / "tests" / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = AUDITED_PAGES
FILL_SECONDS = 3  # COMMENTS_MIN_FILL_SECONDS under live_server's default settings


def _require(found: bool, reason: str) -> None:
    if found:
        return
    if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BLOG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


class _Author:
    """A reader with a cookie jar who posts a comment through the plain form (no JS).

    Under the default settings it is held for moderation and shown to its author only, with
    the author's edit and delete links. One comment only: every test posts from 127.0.0.1,
    which may post COMMENTS_RATE_LIMIT (5) a minute. The form token must be FILL_SECONDS old, so it
    is fetched first (``start``) and used last (``finish``), after the other pages."""

    COMMENTS = (
        {"text": "A *careful* comment with `code`, a [link](https://example.org/),\n\n"
                 "> a quote\n\n- and\n- a list", "author": "Grace & Co <b>",
         "website": "https://example.org/"},
    )

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        status, html = _get(self.opener, base_url + POST_PATH)
        assert status == 200
        token = re.search(r'name="form_token" value="([^"]+)"', html)
        assert token, "the comment form has no form_token"
        self.token = token.group(1)
        self.since = time.monotonic()

    def finish(self) -> str:
        """Post the comments; the post page as their author then sees it."""
        time.sleep(max(0.0, self.since + FILL_SECONDS + 0.3 - time.monotonic()))
        for fields in self.COMMENTS:
            body = urllib.parse.urlencode({"url": POST_PATH, "parent_id": "", "homepage": "",
                                           "form_token": self.token, **fields}).encode()
            request = urllib.request.Request(self.base_url + "/comments", data=body,
                                             headers={"Origin": self.base_url})
            with self.opener.open(request, timeout=30) as response:
                assert response.status == 200, response.status  # after the 303 to the post
        status, html = _get(self.opener, self.base_url + POST_PATH)
        assert status == 200
        assert html.count('class="comment is-pending"') == len(self.COMMENTS), (
            "the held comments are not shown to their author"
        )
        return html


def _vnu(files: list[Path]) -> list[dict]:
    result = subprocess.run(
        # C1 only starts faster; it needs a deeper stack than vnu's documented 512k minimum.
        ["java", "-Xss16m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU),
         "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return report["messages"]


def test_pages_have_no_html_errors(live_server: str, tmp_path: Path) -> None:
    _require(shutil.which("java") is not None, "java is not installed (apt-get install "
             "default-jre-headless)")
    _require(VNU.exists(), f"{VNU.relative_to(ROOT)} is missing (run tests/a11y/install.sh)")
    author = _Author(live_server)
    opener = urllib.request.build_opener()
    pages = {f"{name}.html": path for name, path in PAGES.items()}
    for name, path in PAGES.items():
        status, html = _get(opener, live_server + path)
        assert status == (404 if name == "not-found" else 200), (path, status)
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    (tmp_path / "post-with-comments.html").write_text(author.finish(), encoding="utf-8")
    pages["post-with-comments.html"] = POST_PATH + " (as the author of a held comment)"

    messages = _vnu(sorted(tmp_path.glob("*.html")))
    lines = []
    for m in messages:
        page = pages.get(m.get("url", "?").rsplit("/", 1)[-1], m.get("url", "?"))
        where = f"line {m.get('lastLine', '?')}, column {m.get('firstColumn', '?')}"
        lines.append(f"{page} ({where}): {m.get('type')}: {m.get('message')}")
        if m.get("extract"):
            lines.append("    " + " ".join(m["extract"].split())[:200])
    assert not messages, "the Nu Html Checker found errors:\n" + "\n".join(lines)
