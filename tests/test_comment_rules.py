"""Comment rules without HTTP: field checks, settings, networks, keyed hashes, rate buckets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.render.comment_markdown import count_links, render_comment
from app.services import ratelimit
from app.services.comments.rules import (
    CommentError,
    CommentSettings,
    check_email,
    check_website,
    client_network,
    keyed_hash,
    validate,
)
from tests.conftest import make_app

RULES = CommentSettings()


@pytest.mark.parametrize(("value", "expected"), [
    ("", None),
    ("example.org", "https://example.org"),
    ("http://example.org/a?b=c#d", "http://example.org/a?b=c#d"),
    ("HTTPS://Example.org", "https://Example.org"),  # the scheme in lower case, as schemas want
    ("https://例え.jp/", "https://例え.jp/"),
])
def test_websites_that_are_accepted(value: str, expected: str | None) -> None:
    assert check_website(value) == expected


@pytest.mark.parametrize("value", ["ftp://example.org", "http://", "https:///x", "//example.org",
                                   "https://exa mple.org", "https://example.org/<x>",
                                   "file:///etc/passwd"])
def test_websites_that_are_refused(value: str) -> None:
    with pytest.raises(CommentError) as caught:
        check_website(value)
    assert caught.value.field == "website" and caught.value.status == 400


@pytest.mark.parametrize("value", ["a@example.org", "first.last+tag@sub.example.co.uk"])
def test_emails_that_are_accepted(value: str) -> None:
    assert check_email(value) == value


@pytest.mark.parametrize("value", ["plain", "a@b", "@example.org", "a b@example.org",
                                   "a@.example.org", "a@example.org."])
def test_emails_that_are_refused(value: str) -> None:
    with pytest.raises(CommentError) as caught:
        check_email(value)
    assert caught.value.field == "email"


def test_validate_trims_defaults_and_names_the_first_bad_field() -> None:
    entry = validate({"url": "/p/", "text": "  Hi there\r\n", "author": "  ", "notify": True},
                     RULES)
    assert entry.text == "Hi there" and entry.author == "Anonymous"
    assert entry.notify is False  # no email, no notifications
    assert validate({"url": "/p/", "text": "Hi", "email": "a@example.org", "notify": "on"},
                    RULES).notify is True
    with pytest.raises(CommentError) as caught:
        validate({"url": "/p/", "text": "", "author": "x" * 500}, RULES)
    assert caught.value.field == "text"


def test_settings_from_config() -> None:
    assert CommentSettings.from_config({}) == RULES
    assert RULES.moderation == "first" and RULES.max_depth == 3
    assert RULES.edit_window == 15 * 60 and RULES.max_body == 64 * 1024
    assert CommentSettings.from_config({"COMMENTS_MAX_DEPTH": 0}).max_depth == 1
    assert CommentSettings.from_config({"COMMENTS_MODERATION": "ALL"}).moderation == "all"
    with pytest.raises(ValueError, match="COMMENTS_MODERATION"):
        CommentSettings.from_config({"COMMENTS_MODERATION": "sometimes"})


def test_client_networks() -> None:
    assert client_network("192.0.2.77") == "192.0.2.0/24"
    assert client_network("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_network("not an address") == "unknown"


def test_keyed_hashes_need_the_secret() -> None:
    email = "a@example.org"
    assert keyed_hash("s1", email) == keyed_hash("s1", email)
    assert keyed_hash("s1", email) != keyed_hash("s2", email)
    assert keyed_hash("s1", email) != hashlib.sha256(email.encode()).hexdigest()


def test_links_are_counted_after_rendering() -> None:
    html = render_comment("[a](https://a.example) https://b.example <a href='x'>raw</a>")
    assert count_links(html) == 2  # raw HTML is text, not a link


@pytest.fixture
def rate_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, RATE_LIMIT_STORAGE="database")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_rate_bucket_stops_at_the_limit_and_forgets_rolled_back_hits(
        rate_app: Flask) -> None:
    with rate_app.app_context():
        session = db.session
        now = 1_000_000.0
        assert ratelimit.hit(session, "k", 2, 60, now) is True
        assert ratelimit.hit(session, "k", 2, 60, now) is True
        session.commit()
        assert ratelimit.hit(session, "k", 2, 60, now) is False
        assert ratelimit.current_count(session, "k", 60, now) == 2
        assert ratelimit.hit(session, "k", 2, 60, now + 60) is True  # the next window
        assert ratelimit.hit(session, "k", 2, 3600, now) is True  # another window length
        assert ratelimit.hit(session, "other", 2, 60, now) is True
        session.rollback()
        assert ratelimit.current_count(session, "k", 60, now + 60) == 0
        assert ratelimit.current_count(session, "other", 60, now) == 0
        assert ratelimit.hit(session, "k", 0, 60, now) is False


def test_a_burst_across_a_window_boundary_gets_no_more_than_the_limit(
        rate_app: Flask) -> None:
    """The attack run's finding: 10 accepted in 0.44 s around a boundary with a limit of 5.

    Half a second before and after the moment a fixed 60-second window would restart, the
    limit of 5 still holds over any 60 seconds; a slot frees only when the oldest counted
    event is 60 seconds old, and the login's Retry-After says when.
    """
    with rate_app.app_context():
        session = db.session
        boundary = 60 * 30_000_000.0  # a multiple of 60: a fixed window would restart here
        times = [boundary - 0.25 + i * 0.05 for i in range(10)]  # 0.45 s across the boundary
        accepted = [t for t in times if ratelimit.hit(session, "burst", 5, 60, t)]
        session.commit()
        assert len(accepted) == 5 and accepted == times[:5]
        assert ratelimit.current_count(session, "burst", 60, boundary + 1) == 5
        assert ratelimit.retry_after(session, "burst", 5, 60, boundary + 1) == 59
        assert ratelimit.hit(session, "burst", 5, 60, times[0] + 59.999) is False
        assert ratelimit.hit(session, "burst", 5, 60, times[0] + 60) is True  # the oldest left
        assert ratelimit.hit(session, "burst", 5, 60, times[0] + 60.01) is False
        assert ratelimit.hit(session, "burst", 5, 60, times[1] + 60) is True
        session.commit()
        assert ratelimit.current_count(session, "burst", 60, times[1] + 60) == 5


def test_any_minute_of_a_steady_stream_holds_at_most_the_limit(rate_app: Flask) -> None:
    """One attempt every 0.7 s for over two minutes: no 60 s stretch holds more than 5."""
    with rate_app.app_context():
        session = db.session
        start = 1_700_000_000.0
        accepted = [start + i * 0.7 for i in range(200)
                    if ratelimit.hit(session, "steady", 5, 60, start + i * 0.7)]
        session.commit()
        for i, first in enumerate(accepted):
            assert len([t for t in accepted[i:] if t < first + 60]) <= 5
        assert len(accepted) >= 10  # and the limit is not stricter than asked: 5 a minute


def _payloads() -> list[str]:
    from tests.browser.test_xss import PAYLOADS, URL_FORMS

    markdown_links = [f"[back]({url})" for url in URL_FORMS] + [f"<{url}>" for url in URL_FORMS]
    return PAYLOADS + markdown_links


@pytest.mark.parametrize("payload", _payloads())
def test_every_xss_payload_renders_to_allowed_markup(payload: str) -> None:
    """The browser corpus, without a browser: only the allowed tags, and links that are
    http(s), mailto or a path, whatever scheme, case, entity or whitespace hid in them."""
    from bs4 import BeautifulSoup

    from app.render.comment_markdown import ALLOWED_TAGS

    html = render_comment(payload)
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        assert element.name in ALLOWED_TAGS, html
        allowed = {"href", "rel"} if element.name == "a" else set()
        assert set(element.attrs) <= allowed, html
        href = element.get("href")
        if href is not None:
            scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), html
            assert not re.search(r"[\x00-\x20]", href.strip()[:1] or "x"), html
