"""Hostile content: every broken or malicious file gets a clear error naming it, or imports.

The corpus (tests/hostile/content.py) is generated in a temporary folder per case, next to a
good control page. Each case runs `flask content import` through the CLI runner on a fresh
database and checks:

- no traceback, and the exit code the case calls for (1 when a file could not be imported);
- each `error:` line names a file, as `PATH:LINE: reason` or `PATH: reason`, and the bad file
  is the one named (with the expected reason);
- a page that imported is served with 200, and every stored page answers without a 5xx;
- the control page always imports: one bad file does not sink the run;
- nothing outside the content folder is stored or served (symlinks to /etc/passwd and to an
  outside folder holding a secret): their URLs answer 404 and no row holds the secret.

The 50 MB file and the 10,000-deep nests are marked slow.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Page
from tests.conftest import make_app
from tests.hostile.content import (
    CASES,
    CONTROL,
    CONTROL_TEXT,
    CONTROL_URL,
    OUTSIDE_SECRET,
    PASSWD_MARK,
    Case,
    NotSupported,
    outside_tree,
    put,
)
from tests.hostile.tally import Tally, report

TALLY = Tally("hostile content import")
DEFAULT_TIMEOUT = 60  # seconds one import may take before the case counts as a hang
MESSAGE = re.compile(r"^(?P<level>error|warning): (?P<path>.+?)(?::(?P<line>\d+))?: "
                     r"(?P<reason>\S.*)$")

# Known app bugs: case id -> diagnosis. Each such case is xfail(strict=True) and keeps its
# correct expectation, so it starts passing (and the xfail must go) once the bug is fixed.
BUGS: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from report(request, TALLY)


class ImportTimeout(BaseException):
    """Raised in the main thread when an import runs past its deadline (a hang)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (SIGALRM; the tests run in the main thread)."""

    def fire(_signum: int, _frame: object) -> None:
        raise ImportTimeout(f"no answer in {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _all_rows_text(app: Flask) -> bytes:
    """Every value of every table, as bytes, to look for leaked outside content."""
    chunks: list[bytes] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8", "surrogateescape"))
        db.session.remove()
    return b"\n".join(chunks)


def _pages(app: Flask) -> dict[str, str]:
    """source_path -> url_path of every stored page."""
    with app.app_context():
        rows = dict(db.session.execute(select(Page.source_path, Page.url_path)).tuples().all())
        db.session.remove()
    return rows


def _get(app: Flask, url: str):
    return app.test_client().get(quote(url, safe="/%:@!$&'()*+,;=~-._"), follow_redirects=True)


def _names(path: str, case: Case) -> bool:
    if case.source is None:
        return False
    if case.extra.get("prefix") or case.source.endswith("-"):
        return path.startswith(case.source)
    return path == case.source


def check_case(case: Case, tmp_path: Path) -> list[str]:
    """Run one case; return what went wrong (empty when the app behaved)."""
    content, outside = tmp_path / "content", tmp_path / "outside"
    outside_tree(outside)
    put(content, CONTROL, f"---\ntitle: Control\n---\n{CONTROL_TEXT}\n")
    case.build(content, outside)
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    timeout = float(case.extra.get("timeout", DEFAULT_TIMEOUT))  # type: ignore[arg-type]
    try:
        with deadline(timeout):
            result = runner.invoke(args=["content", "import", str(content)])
    except ImportTimeout as exc:
        return [f"the import hung: {exc}"]
    problems: list[str] = []
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"uncaught {type(result.exception).__name__}: {result.exception}")
    if "Traceback" in output:
        problems.append("a traceback was printed")
    messages = [MESSAGE.match(line) for line in output.splitlines()
                if line.startswith(("error:", "warning:"))]
    unclear = [line for line in output.splitlines()
               if line.startswith(("error:", "warning:")) and not MESSAGE.match(line)]
    if unclear:
        problems.append(f"message without `path[:line]: reason`: {unclear[0]!r}")
    errors = [m for m in messages if m and m["level"] == "error"]
    warnings = [m for m in messages if m and m["level"] == "warning"]
    if any(m["path"] == CONTROL for m in messages if m):
        problems.append("the good control page was reported")

    stored = _pages(app)
    expect = case.expect
    if expect == "either":
        expect = "error" if result.exit_code == 1 else "ok"
    wanted_exit = 1 if expect == "error" else 0
    if result.exit_code != wanted_exit:
        problems.append(f"exit code {result.exit_code}, expected {wanted_exit}")

    if expect == "error":
        named = [m for m in errors if _names(m["path"], case)]
        if case.source is not None and not named:
            problems.append(f"no `error: {case.source}[:line]: reason` line; output: "
                            f"{output[-600:]!r}")
        for m in named:
            if case.reason and case.reason.lower() not in m["reason"].lower():
                problems.append(f"reason {m['reason']!r} does not mention {case.reason!r}")
            line = case.extra.get("line")
            if line is not None and m["line"] != str(line):
                problems.append(f"error names line {m['line']}, expected {line}")
        if case.source is not None and case.source in stored:
            problems.append("the refused file was stored anyway")
    elif expect in ("ok", "warn"):
        if errors:
            problems.append(f"unexpected error: {errors[0].group(0)!r}")
        if expect == "warn":
            named = [m for m in warnings if _names(m["path"], case)]
            if not named:
                problems.append(f"no `warning: {case.source}: reason` line; output: "
                                f"{output[-600:]!r}")
            elif case.reason and case.reason.lower() not in named[0]["reason"].lower():
                problems.append(f"warning {named[0]['reason']!r} lacks {case.reason!r}")
        url = case.url
        if url is None and case.source is not None:
            url = stored.get(case.source)
            if url is None:
                problems.append(f"{case.source} was not stored; stored: {sorted(stored)}")
        if url is not None:
            response = _get(app, url)
            if response.status_code != 200:
                problems.append(f"GET {url} answered {response.status_code}, expected 200")
            elif case.contains and case.contains not in response.get_data(as_text=True):
                problems.append(f"GET {url} does not show {case.contains!r}")
            if case.extra.get("no_script") and "<script>alert" in response.get_data(as_text=True):
                problems.append(f"GET {url} carries the injected <script>")
            served = response.get_data(as_text=True)
            for needle in case.extra.get("absent", []):  # type: ignore[union-attr]
                if needle in served:
                    problems.append(f"GET {url} carries {needle!r}")
        for also in [case.extra.get("also_ok")] if case.extra.get("also_ok") else []:
            status = _get(app, str(also)).status_code
            if status != 200:
                problems.append(f"GET {also} answered {status}, expected 200")
    elif expect == "skip":
        if errors:
            problems.append(f"unexpected error: {errors[0].group(0)!r}")
        extra_pages = set(stored) - {CONTROL}
        if extra_pages:
            problems.append(f"pages stored from a skipped file: {sorted(extra_pages)}")

    # The control page always imports and is served.
    control = _get(app, CONTROL_URL)
    if control.status_code != 200 or CONTROL_TEXT not in control.get_data(as_text=True):
        problems.append(f"the control page answered {control.status_code}")
    # Every stored page has a URL a browser can ask for, and answers without a server error.
    for source, url in stored.items():
        segments = url.split("/")[1:-1]
        if not url.startswith("/") or any(s in ("", ".", "..") for s in segments):
            problems.append(f"stored page {source} has URL {url!r}, which a browser "
                            "normalizes to another path (dot or empty segments)")
        status = _get(app, url).status_code
        if status >= 500:
            problems.append(f"stored page {source} ({url}) answered {status}")
    # Nothing from outside the content folder is stored or served.
    for url in case.gone:
        response = _get(app, url)
        body = response.get_data()
        if response.status_code != 404:
            problems.append(f"GET {url} answered {response.status_code}, expected 404")
        if OUTSIDE_SECRET.encode() in body or PASSWD_MARK.encode() in body:
            problems.append(f"GET {url} served a file from outside the content folder")
    rows = _all_rows_text(app)
    if OUTSIDE_SECRET.encode() in rows or PASSWD_MARK.encode() in rows:
        problems.append("the database holds content read from outside the content folder")
    with app.app_context():
        db.engine.dispose()
    return problems


def _params() -> Iterator[object]:
    for case in CASES:
        marks = []
        if case.slow:
            marks.append(pytest.mark.slow)
        if "timeout" in case.extra:  # time-bounded: tracing would change what it tests
            marks.append(pytest.mark.unmeasured)
        bug = BUGS.get(case.id) or case.bug
        if bug:
            marks.append(pytest.mark.xfail(reason=f"BUG: {bug}", strict=True))
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_file(case: Case, tmp_path: Path) -> None:
    try:
        problems = check_case(case, tmp_path)
    except NotSupported as exc:
        pytest.skip(str(exc))
    TALLY.record(case.family, case.id, problems)
    assert not problems, f"{case.id}:\n  " + "\n  ".join(problems)


def test_corpus_covers_the_issue_list() -> None:
    """The corpus holds every kind of file issue 8 names."""
    ids = {case.id for case in CASES}
    for needed in ("yaml-unclosed-flow", "toml-missing-value", "json-trailing-comma",
                   "date-is-a-list", "tags-is-a-number", "title-is-a-mapping", "draft-maybe",
                   "shortcode-unterminated-tag", "shortcode-nested-200-deep",
                   "binary-named-md", "invalid-utf8", "utf8-bom", "file-50-mb",
                   "list-10000-deep", "symlink-page-to-etc-passwd", "symlink-dir-in-bundle-to-etc",
                   "bundle-file-dotdot-prefix", "bundle-file-nul-name", "page-name-rtl",
                   "file-named-dot-md", "dir-named-index-md", "crlf-everywhere",
                   "only-front-matter"):
        assert needed in ids, needed
