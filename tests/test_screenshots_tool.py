"""bench/screenshots.py's site copy: a bare content folder or a site root becomes a site root
whose configuration is the given hugo.toml (or the site's own) with the scheme to shoot."""

from __future__ import annotations

from pathlib import Path

from app.content.site_config import load_site_config
from bench.screenshots import copy_site, load_config, write_config
from tests.conftest import write


def test_a_content_folder_with_an_override_and_a_scheme(tmp_path: Path) -> None:
    write(tmp_path / "content", "posts/a.md", "---\ntitle: A\n---\nText.\n")
    override = tmp_path / "look.toml"
    override.write_text('title = "Shot"\n[params]\ndefaultAppearance = "dark"\n')
    site = tmp_path / "copy"
    copy_site(tmp_path / "content", site)
    assert (site / "content" / "posts" / "a.md").is_file()
    write_config(site, load_config(override), "avocado")
    config = load_site_config(site)
    assert config is not None and config.title == "Shot"
    assert config.params == {"defaultappearance": "dark", "colorscheme": "avocado"}


def test_a_site_root_keeps_its_own_configuration_under_each_scheme(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root, "hugo.toml", 'title = "Own"\n[params]\ncolorScheme = "fire"\n')
    write(root, "content/posts/a.md", "---\ntitle: A\n---\nText.\n")
    copy = tmp_path / "copy"
    copy_site(root, copy)
    base = load_config(copy / "hugo.toml")
    write_config(copy, base, "congo")
    assert not (copy / "hugo.toml").exists()  # one configuration file: hugo.json
    config = load_site_config(copy)
    assert config is not None and config.title == "Own"
    assert config.params["colorscheme"] == "congo"
    assert (root / "hugo.toml").read_text().count("fire") == 1  # the original is untouched
