"""Real Hugo content written by others imports without a traceback and serves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Page
from tests.conftest import make_app
from tests.shared import CORPUS, require
from tests.shared import CORPUS_CONTENT as CONTENT

# The same corpus is imported, measured, by test_hugo_oracle.py; this second pass over its
# 1,529 pages would only double the measured run's time (tests/measure.py).
pytestmark = pytest.mark.unmeasured


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, object]:
    require(CONTENT)
    application = make_app(tmp_path_factory.mktemp("corpus"))
    # The folder itself, as a user points the importer at a site: it has a hugo.toml.
    result = application.test_cli_runner().invoke(args=["content", "import", str(CORPUS)])
    return application, result


def _urls(application: Flask) -> set[str]:
    with application.app_context():
        return set(db.session.execute(select(Page.url_path)).scalars())


def test_whole_corpus_imports_without_traceback(corpus_app: tuple[Flask, object]) -> None:
    _, result = corpus_app
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    markdown_files = sum(1 for _ in CONTENT.rglob("*.md"))
    last = result.output.strip().splitlines()[-1 if result.exit_code == 0 else -2]
    added = int(last.split(" added")[0])
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    # Every file is either imported or reported with its path, line and reason.
    assert added + len(errors) == markdown_files, last
    for line in errors:
        path, line_no, reason = line.removeprefix("error: ").split(":", 2)
        assert (CONTENT / path).exists() and line_no.isdigit() and reason.strip()


def test_corpus_report_counts_shortcodes(corpus_app: tuple[Flask, object]) -> None:
    _, result = corpus_app
    report = next(line for line in result.output.splitlines()
                  if line.startswith("Shortcodes rendered: "))
    assert "carousel 19" in report


def test_every_corpus_page_is_served(corpus_app: tuple[Flask, object]) -> None:
    application, _ = corpus_app
    with application.app_context():
        query = select(Page.url_path).where(Page.draft.is_(False))
        urls = list(db.session.execute(query).scalars())
        total = db.session.execute(select(func.count(Page.id))).scalar_one()
    assert total > 1500
    client = application.test_client()
    failures = {}
    for url in urls:
        status = client.get(url).status_code
        if status != 200:
            failures[url] = status
    assert failures == {}


def test_corpus_page_bundle_images_are_served(corpus_app: tuple[Flask, object]) -> None:
    application, _ = corpus_app
    client = application.test_client()
    page = client.get("/docs/shortcodes/").get_data(as_text=True)
    assert 'class="carousel"' in page
    src = page.split('class="carousel"', 1)[1].split('src="', 1)[1].split('"', 1)[0]
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype.startswith("image/")




def test_site_root_reads_only_its_content_folder(corpus_app: tuple[Flask, object]) -> None:
    application, result = corpus_app
    assert result.output.splitlines()[0] == (
        f"Site root {CORPUS.resolve()} (configuration: hugo.toml); "
        f"reading {CONTENT.resolve()}")
    urls = _urls(application)
    assert "/docs/installation/" in urls and "/fr/docs/installation/" in urls
    assert not any(url.startswith("/content/") or "readme" in url.lower() for url in urls)


def test_site_root_without_a_config_file_gives_the_same_urls(
        corpus_app: tuple[Flask, object], tmp_path: Path) -> None:
    """Pointed at a folder holding content/ but no hugo.toml, the importer still reads only
    content/: not the folder's README.md, no /content/ prefix, every ref resolved."""
    application, _ = corpus_app
    site = tmp_path / "site"
    shutil.copytree(CORPUS, site, ignore=shutil.ignore_patterns("*-oracle.json"))
    (site / "hugo.toml").unlink()
    assert (site / "README.md").is_file()
    bare = make_app(tmp_path)
    result = bare.test_cli_runner().invoke(args=["content", "import", str(site)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Site root {site.resolve()} (no configuration file); reading {site.resolve()}/content")
    assert "not found" not in result.output  # no broken ref
    assert _urls(bare) == _urls(application)
