"""A Hugo site root imports with its configuration: languages, sections, refs, permalinks."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from app.content.site_config import load_site_config
from app.extensions import db
from app.models import Page, SiteSetting
from app.web import site as site_settings
from tests.conftest import write

HUGO_TOML = """\
baseURL = "https://blog.example/"
title = "Root title"
defaultContentLanguage = "en"
summaryLength = 5
timeZone = "Europe/Paris"
[taxonomies]
  tag = "tags"
  series = "series"
[markup.tableOfContents]
  startLevel = 2
  endLevel = 2
[params]
  description = "A site about things"
  [params.article]
    showTableOfContents = true
[permalinks]
  posts = "/:year/:month/:slug/"
[languages.en]
  weight = 1
  title = "My Site"
[languages.fr]
  weight = 2
  title = "Mon site"
  label = "Français"
"""


def _post(title: str, body: str = "Some words here.", **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\ntitle: {title}\n{extra}---\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root, "hugo.toml", HUGO_TOML)
    content = root / "content"
    write(content, "_index.md", _post("Home"))
    write(content, "_index.fr.md", _post("Accueil"))
    write(content, "posts/_index.md", _post("Posts"))
    write(content, "posts/hello/index.md", _post(
        "Hello", "## One\n\n## Two\n\n### Deep\n\nSee [the docs]({{< ref \"docs/sub/b.md\" >}}), "
        "[sub]({{< relref \"/docs/sub\" >}}), [B]({{< ref \"b\" >}}) and "
        "[French]({{< ref path=\"/posts/hello\" lang=\"fr\" >}}#x). Missing: "
        "[gone]({{< ref \"nowhere\" >}}).", date="2023-08-03T23:30:00", slug="bonjour-hello",
        tags="[Alpha]"))
    write(content, "posts/hello/index.fr.md", _post("Bonjour", "Des mots.",
                                                    date="2023-08-04", tags="[Alpha]"))
    write(content, "docs/_index.md", _post("Docs"))
    write(content, "docs/a.md", _post("A", weight="2"))
    write(content, "docs/z.md", _post("Z", weight="1"))
    write(content, "docs/sub/_index.md", _post("Sub", cascade="{showDate: false}"))
    write(content, "docs/sub/b.md", _post("B", "{{< ref \"../a\" >}} {{< ref \"#top\" >}}",
                                          date="2024-01-01"))
    write(content, "docs/sub/c.md", _post("C", linkTitle="Aardvark", date="2024-01-01"))
    return root


@pytest.fixture
def imported(runner: FlaskCliRunner, site: Path) -> str:
    result = runner.invoke(args=["content", "import", str(site)])
    assert result.exit_code == 0, result.output
    return result.output


def _page(app: Flask, source: str) -> Page:
    with app.app_context():
        page = db.session.execute(select(Page).where(Page.source_path == source)).scalar_one()
        db.session.expunge(page)
        return page


def test_config_dir_files_merge_as_hugo_does(tmp_path: Path) -> None:
    write(tmp_path, "config/_default/hugo.toml", 'title = "T"\n[taxonomies]\ntag = "tags"\n')
    write(tmp_path, "config/_default/params.toml", "[article]\nshowDate = false\n")
    write(tmp_path, "config/_default/languages.toml", "[de]\nweight = 2\n[en]\nweight = 1\n")
    write(tmp_path, "config/_default/languages.de.toml", 'title = "Titel"\n')
    write(tmp_path, "config/_default/markup.yaml", "tableOfContents:\n  endLevel: 3\n")
    write(tmp_path, "config/_default/menus.en.toml", '[[main]]\nname = "Blog"\n')
    site = load_site_config(tmp_path)
    assert site is not None and site.title == "T" and site.taxonomies == ("tags",)
    assert site.params["article"] == {"showdate": False}
    assert [(x.code, x.title) for x in site.languages] == [("en", None), ("de", "Titel")]
    assert site.toc_end == 3 and site.toc_start is None
    assert load_site_config(tmp_path / "config") is None  # no config file: a plain folder


def test_yaml_config_and_content_dir(tmp_path: Path) -> None:
    write(tmp_path, "config.yaml", "contentDir: posts-src\nsummaryLength: 12\nenableEmoji: true\n")
    site = load_site_config(tmp_path)
    assert site is not None and site.content_dir == "posts-src"
    assert site.summary_length == 12 and site.enable_emoji is True


def test_permalinks_slug_and_language(app: Flask, imported: str) -> None:
    # 23:30 in Paris is still 3 August: the date is read in the site's time zone.
    assert _page(app, "posts/hello/index.md").url_path == "/2023/08/bonjour-hello/"
    french = _page(app, "posts/hello/index.fr.md")
    assert french.url_path == "/fr/2023/08/bonjour/" and french.lang == "fr"


def test_settings_are_stored_and_used(app: Flask, client: FlaskClient, imported: str) -> None:
    with app.app_context():
        stored = db.session.get(SiteSetting, "site").value
    assert stored["title"] == "Root title" and stored["summary_length"] == 5
    html = client.get("/2023/08/bonjour-hello/").get_data(as_text=True)
    assert "<title>Hello &middot; My Site</title>" in html
    assert 'id="TableOfContents"' in html  # params.article.showTableOfContents
    toc = html.split('id="TableOfContents"', 1)[1].split("</nav>", 1)[0]
    assert 'href="#two"' in toc and 'href="#deep"' not in toc  # endLevel 2
    with app.app_context():
        assert site_settings.for_app(app).description == "A site about things"
    assert app.config["SITE_DESCRIPTION"] != "A site about things"  # app.config is left alone
    assert '<meta name="description" content="A site about things">' in client.get(
        "/").get_data(as_text=True)
    assert _page(app, "posts/hello/index.md").summary_html  # summaryLength 5


def test_refs_resolve_and_missing_ones_warn(app: Flask, client: FlaskClient,
                                            imported: str) -> None:
    html = client.get("/2023/08/bonjour-hello/").get_data(as_text=True)
    assert 'href="/docs/sub/b/"' in html and 'href="/docs/sub/"' in html
    assert 'href="/fr/2023/08/bonjour/#x"' in html
    # As Hugo with refLinksErrorLevel WARNING: the link goes to refLinksNotFoundURL ("#"
    # unless the site sets one), not to a broken relative address.
    assert 'Missing: <a href="#">gone</a>.' in html
    assert ('warning: posts/hello/index.md:13: ref: page "nowhere" not found; rendered as '
            '"#" (refLinksNotFoundURL)') in imported
    sub = client.get("/docs/sub/b/").get_data(as_text=True)
    assert "/docs/a/ #top" in sub


def test_unresolved_refs_render_the_site_s_not_found_url(
        client: FlaskClient, runner: FlaskCliRunner, site: Path, imported: str) -> None:
    write(site, "hugo.toml", 'refLinksNotFoundURL = "/404-ref/"\n' + HUGO_TOML)
    result = runner.invoke(args=["content", "import", str(site)])
    assert result.exit_code == 0, result.output
    assert ('posts/hello/index.md:13: ref: page "nowhere" not found; rendered as "/404-ref/" '
            "(refLinksNotFoundURL)") in result.output
    html = client.get("/2023/08/bonjour-hello/").get_data(as_text=True)
    assert 'Missing: <a href="/404-ref/">gone</a>.' in html
    assert 'href="/docs/sub/b/"' in html  # resolved refs are untouched


def test_translations_and_language_lists(client: FlaskClient, imported: str) -> None:
    html = client.get("/fr/2023/08/bonjour/").get_data(as_text=True)
    assert '<html lang="fr" ' in html
    assert 'hreflang="en" href="https://blog.example/2023/08/bonjour-hello/"' in html
    assert '<a href="/2023/08/bonjour-hello/" hreflang="en"' in html
    assert "<title>Bonjour &middot; My Site</title>" in html or "Bonjour" in html
    home = client.get("/fr/").get_data(as_text=True)
    assert "Accueil" in home and "/fr/2023/08/bonjour/" in home
    tag = client.get("/fr/tags/alpha/")
    assert tag.status_code == 200 and "/fr/2023/08/bonjour/" in tag.get_data(as_text=True)
    assert client.get("/fr/tags/").status_code == 200
    assert client.get("/fr/nothing-here/").status_code == 404


def test_nested_sections_list_their_own_children(client: FlaskClient, imported: str) -> None:
    docs = client.get("/docs/").get_data(as_text=True)
    # Weight first (1 before 2), then the sub-section (weight 0 sorts last).
    assert docs.index('href="/docs/z/"') < docs.index('href="/docs/a/"') < docs.index(
        'href="/docs/sub/"')
    assert 'href="/docs/sub/b/"' not in docs
    sub = client.get("/docs/sub/").get_data(as_text=True)
    # Same date: the link title decides ("Aardvark" before "B").
    assert sub.index('href="/docs/sub/c/"') < sub.index('href="/docs/sub/b/"')


def test_cascade_and_branch_dates(app: Flask, imported: str) -> None:
    assert _page(app, "docs/sub/b.md").params["showdate"] is False
    sub = _page(app, "docs/sub/_index.md")
    # The newest child's date (2024-01-01 in Paris, stored in UTC).
    assert sub.parent_path == "/docs" and str(sub.date) == "2023-12-31 23:00:00"
    assert _page(app, "docs/_index.md").date == sub.date


def test_reimport_is_stable_and_plain_folders_clear_settings(
        app: Flask, runner: FlaskCliRunner, site: Path, imported: str) -> None:
    again = runner.invoke(args=["content", "import", str(site)])
    assert "0 added, 0 updated" in again.output
    plain = runner.invoke(args=["content", "import", str(site / "content"), "--prune"])
    assert plain.exit_code == 0, plain.output
    with app.app_context():
        assert db.session.get(SiteSetting, "site").value == {}


def test_languages_with_their_own_content_folder(app: Flask, runner: FlaskCliRunner,
                                                 client: FlaskClient, tmp_path: Path) -> None:
    root = tmp_path / "multi"
    write(root, "hugo.yaml", "defaultContentLanguage: en\nlanguages:\n"
                             "  en: {weight: 1, contentDir: content/english}\n"
                             "  de: {weight: 2, contentDir: content/deutsch}\n")
    write(root, "content/english/posts/hi.md", _post("Hi", translationKey="greeting"))
    write(root, "content/deutsch/posts/hallo.md", _post("Hallo", translationKey="greeting"))
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    german = _page(app, "content/deutsch/posts/hallo.md")  # named from the site root
    assert german.lang == "de" and german.url_path == "/de/posts/hallo/"
    html = client.get("/de/posts/hallo/").get_data(as_text=True)
    assert '<a href="/posts/hi/" hreflang="en"' in html  # linked by translationKey
