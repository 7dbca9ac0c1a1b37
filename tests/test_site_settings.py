"""The site's settings read the same way everywhere: a request, a template, a CLI command.
The imported hugo.toml takes precedence over the app's config without ever rewriting it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from app.services.site.settings import resolve
from app.web.site import for_app
from tests.conftest import make_app, write

HUGO_TOML = """\
baseURL = "https://hugo.example/"
title = "From hugo.toml"
summaryLength = 9
[params]
  description = "Described in hugo.toml"
"""


def _site(tmp_path: Path, toml: str = HUGO_TOML) -> Path:
    root = tmp_path / "site"
    write(root, "hugo.toml", toml)
    write(root, "content/posts/hello.md", "---\ntitle: Hello\ndate: 2024-01-02\n---\nWords.\n")
    return root


def _import(runner: FlaskCliRunner, root: Path) -> None:
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output


def test_a_cli_context_reads_the_site_settings_before_any_request(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    _import(runner, _site(tmp_path))
    with app.app_context():  # as a CLI command runs: no request has been served
        settings = for_app(app)
    assert (settings.title, settings.base_url, settings.summary_length) == (
        "From hugo.toml", "https://hugo.example", 9)
    html = app.test_client().get("/posts/hello/").get_data(as_text=True)
    assert "<title>Hello &middot; From hugo.toml</title>" in html
    assert app.config["SITE_TITLE"] != "From hugo.toml"  # the app's own config is untouched
    assert app.config["SITE_BASE_URL"] == ""


def test_a_new_import_changes_what_every_reader_sees(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    root = _site(tmp_path)
    _import(runner, root)
    client = app.test_client()
    assert "From hugo.toml" in client.get("/").get_data(as_text=True)
    write(root, "hugo.toml", HUGO_TOML.replace("From hugo.toml", "Renamed"))
    _import(runner, root)
    assert "<title>Renamed</title>" in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert for_app(app).title == "Renamed"


def test_the_app_s_base_url_wins_over_hugo_toml_and_the_notify_command_uses_it(
        tmp_path: Path) -> None:
    app = make_app(tmp_path, MAIL_FROM="blog@example.org")
    runner = app.test_cli_runner()
    _import(runner, _site(tmp_path))
    # No SITE_BASE_URL of the app's own: hugo.toml's baseURL links the emails, as the pages.
    result = runner.invoke(args=["comments", "notify"])
    assert result.exit_code == 0, result.output
    app.config["SITE_BASE_URL"] = "https://served.example"
    with app.app_context():
        assert for_app(app).base_url == "https://served.example"


def test_without_a_site_config_the_app_s_settings_stand() -> None:
    config = {"SITE_TITLE": "Mine", "SITE_LANGUAGE": "de", "TAXONOMIES": ("tags",),
              "ARTICLE_DEFAULTS": {"showcomments": False}, "MARKUP": None}
    settings = resolve({}, config)
    assert (settings.title, settings.language, settings.taxonomies) == ("Mine", "de", ("tags",))
    assert settings.article_defaults["showcomments"] is False
    stored = resolve({"title": "Site", "params": {"article": {"showComments": True}}}, config)
    assert stored.title == "Site" and stored.article_defaults["showcomments"] is True
    assert stored.language == "de"  # what the site leaves unset is the app's
