"""Front matter, dates and URL rules, read without Flask or a database."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.content.dates import DateError, parse_date, zone
from app.content.errors import ContentProblem
from app.content.frontmatter import split_front_matter
from app.content.urls import alias_path, page_url, sanitize, term_slug, term_url, urlize


def test_yaml_front_matter_and_body_line() -> None:
    fm = split_front_matter("---\nTitle: Hi\nshowDate: true\n---\n\nBody\n")
    assert fm.format == "yaml"
    assert fm.data == {"title": "Hi", "showdate": True}
    assert fm.body == "\nBody\n"
    assert fm.body_line == 5


def test_toml_front_matter_with_unquoted_date() -> None:
    fm = split_front_matter('+++\ntitle = "T"\ndate = 2023-08-03T10:00:00+02:00\n+++\nBody')
    assert fm.format == "toml"
    assert parse_date(fm.data["date"]) == datetime(2023, 8, 3, 8, 0)


def test_json_front_matter_balanced_and_quote_aware() -> None:
    fm = split_front_matter('{\n  "title": "a } b",\n  "Tags": ["x"]\n}\nBody {not fm}\n')
    assert fm.format == "json"
    assert fm.data == {"title": "a } b", "tags": ["x"]}
    assert fm.body == "Body {not fm}\n"


def test_bom_and_leading_blank_lines_are_skipped() -> None:
    fm = split_front_matter("\ufeff\n\n---\ntitle: x\n---\nbody")
    assert fm.data == {"title": "x"}
    assert fm.body_line == 6


def test_closing_delimiter_after_carriage_return_as_hugo() -> None:
    # Real content from the Blowfish example site closes its front matter this way.
    fm = split_front_matter("---\ntitle: x\n   \r---\nbody")
    assert fm.data == {"title": "x"}
    assert fm.body == "body"


def test_no_front_matter_is_all_body() -> None:
    fm = split_front_matter("# Just Markdown\n")
    assert fm.format == "none"
    assert fm.data == {}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: ok\ntags: [a, b\n---\nbody", 3, "invalid YAML front matter"),
        ('+++\ntitle = "ok"\ndate = \n+++\n', 3, "invalid TOML front matter"),
        ('{\n "title": "x",\n}\n', 3, "invalid JSON front matter"),
        ("---\ntitle: never closed\n", 1, "never closed"),
        ("---\n- a list\n---\n", 1, "must be a mapping"),
    ],
)
def test_bad_front_matter_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ContentProblem) as caught:
        split_front_matter(text)
    assert caught.value.line == line
    assert words in caught.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-08-03", datetime(2023, 8, 3)),
        ("2023-10-15T13:18:50-07:00", datetime(2023, 10, 15, 20, 18, 50)),
        ("2023-10-15T13:18:50-0700", datetime(2023, 10, 15, 20, 18, 50)),
        ("2023-10-15T13:18:50Z", datetime(2023, 10, 15, 13, 18, 50)),
        ("2023-10-15T13:18:50", datetime(2023, 10, 15, 13, 18, 50)),
        ("15 Oct 2023", datetime(2023, 10, 15)),
        (None, None),
    ],
)
def test_hugo_date_forms(value: str | None, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_zone_less_dates_use_the_site_zone() -> None:
    assert parse_date("2023-08-03T12:00:00", zone("Europe/Paris")) == datetime(2023, 8, 3, 10)


@pytest.mark.parametrize("value", ["yesterday", "2023-13-45", ["2023-01-01"], True])
def test_bad_dates_are_refused(value: object) -> None:
    with pytest.raises(DateError):
        parse_date(value)


@pytest.mark.parametrize(
    ("term", "slug"),
    [
        ("AI", "ai"),
        ("DALL-E", "dall-e"),
        ("Dream Studio", "dream-studio"),
        ("Foo & Bar", "foo--bar"),
        ("  spaced  ", "--spaced--"),
        ("AI/ML", "ai/ml"),
        ("C++", "c++"),
        ("node.js", "node.js"),
        ("100%", "100"),
        ("Tom's", "toms"),
        ("Hello, World!", "hello-world"),
        ("Ünïcödé", "ünïcödé"),
    ],
)
def test_term_slugs_follow_hugos_term_paths(term: str, slug: str) -> None:
    assert term_slug(term) == slug


def test_term_urls_are_percent_encoded() -> None:
    assert term_url("tags", term_slug("#hashtag")) == "/tags/%23hashtag/"
    assert term_url("tags", term_slug("Ünïcödé")) == "/tags/%C3%BCn%C3%AFc%C3%B6d%C3%A9/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dream Studio", "dream-studio"),
        ("Vim (text editor)", "vim-text-editor"),
        ("Hugö", "hug%C3%B6"),
    ],
)
def test_urlize(text: str, expected: str) -> None:
    assert urlize(text) == expected


def test_sanitize_keeps_percent_escapes() -> None:
    assert sanitize("a%20b") == "a%20b"


@pytest.mark.parametrize(
    ("rel_dir", "name", "kind", "slug", "url", "expected"),
    [
        ("posts", "post-1", "page", None, None, "/posts/post-1/"),
        ("posts/the-rise", "index", "page", None, None, "/posts/the-rise/"),
        ("posts", "Single File Post", "page", None, None, "/posts/single-file-post/"),
        ("posts", "UPPER_Case", "page", None, None, "/posts/upper_case/"),
        ("probe", "x", "page", "custom-slug", None, "/probe/custom-slug/"),
        ("probe", "x", "page", "custom-slug", "/custom/url/path/", "/custom/url/path/"),
        ("posts", "_index", "section", None, None, "/posts/"),
        ("", "_index", "home", None, None, "/"),
    ],
)
def test_page_urls(rel_dir: str, name: str, kind: str, slug: str | None, url: str | None,
                   expected: str) -> None:
    assert page_url(rel_dir, name, kind, slug, url) == expected


def test_aliases_absolute_and_relative() -> None:
    assert alias_path("/old-toml/", "/probe") == "/old-toml"
    assert alias_path("relative-old", "/probe") == "/probe/relative-old"
