"""A page renders with the same options at import and on a cache miss at serve time: the
digest stored by the import is the digest of what the page would render with now."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.content.site_config import load_site_config
from app.extensions import db
from app.models import Page
from app.render.pipeline import render_digest
from app.services.importing.run import import_options
from app.services.site.rendering import options_for
from app.web.site import for_app
from tests.conftest import SEED_CONTENT, make_app, write

GALLERY = SEED_CONTENT / "posts/the-rise-of-ai-generated-images/gallery"

HUGO_TOML = """\
title = "Options"
summaryLength = 7
hasCJKLanguage = true
enableEmoji = true
[markup.tableOfContents]
  startLevel = 1
  endLevel = 5
[markup.goldmark.renderer]
  unsafe = true
[markup.goldmark.extensions]
  linkify = false
[params.article]
  showTableOfContents = true
"""
POST = """\
---
title: Overrides
date: 2024-02-03
showTableOfContents: false
summary_words: 3
params:
  custom: value
---
# Top

## Two :smile:

<div class="raw">kept</div> www.example.org and a [ref]({{< ref "other.md" >}}).

![gallery](photo.jpg)
"""


def _agree(app: Flask) -> list[str]:
    """The URL of every page, after checking its stored digest against serve-time options."""
    with app.app_context():
        site = for_app(app)
        pages = db.session.execute(select(Page)).scalars().all()
        for page in pages:
            served = render_digest(page.body, options_for(page, site))
            assert served == page.render_hash, page.url_path
        return sorted(page.url_path for page in pages)


def test_the_seed_renders_with_the_options_it_was_imported_with(
        app: Flask, runner: FlaskCliRunner, seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0
    assert "/posts/the-rise-of-ai-generated-images/" in _agree(app)


def test_site_and_front_matter_overrides_agree_at_import_and_serve_time(tmp_path: Path) -> None:
    # The app's own settings differ from the site's: the site's hugo.toml wins in both places.
    app = make_app(tmp_path, TOC_START_LEVEL=3, TOC_END_LEVEL=3, SUMMARY_LENGTH=99)
    root = tmp_path / "site"
    write(root, "hugo.toml", HUGO_TOML)
    write(root, "content/posts/overrides/index.md", POST)
    write(root, "content/posts/overrides/photo.jpg", (GALLERY / "bing-Dall-E1.jpg").read_bytes())
    write(root, "content/posts/other.md", "---\ntitle: Other\n---\n你好世界 words.\n")
    result = app.test_cli_runner().invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    assert "/posts/overrides/" in _agree(app)
    with app.app_context():
        imported = import_options(app.config, load_site_config(root)).render
        served = for_app(app)
        assert imported == served
        assert (served.toc_start, served.toc_end, served.summary_length) == (1, 5, 7)
        assert served.has_cjk and served.emoji and served.markup.unsafe
        assert not served.markup.linkify
        db.engine.dispose()
