"""GitHub-style alerts render as Blowfish's admonitions; :emoji: codes with enableEmoji."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from app.render.pipeline import RenderOptions, render
from tests.conftest import write


def test_alerts_become_admonitions() -> None:
    html = render("> [!NOTE]\n> Read *this*.\n\n> [!TIP]+ My title\n> Folded open.\n\n"
                  "> [!error]- Closed\n> Hidden.\n\n> Plain quote.\n").html
    assert '<div class="admonition" data-type="note">' in html
    assert "Note</div>" in html and "<em>this</em>" in html and "[!NOTE]" not in html
    assert '<details class="admonition" data-type="tip" open>' in html
    assert "My title</summary>" in html
    assert '<details class="admonition" data-type="danger">' in html  # Obsidian alias
    assert "<blockquote>\n<p>Plain quote.</p>\n</blockquote>" in html


def test_emoji_only_when_enabled() -> None:
    body = "## Launch :rocket:\n\nParty :tada: and `:tada:` in code.\n"
    plain = render(body)
    assert ":tada:" in plain.html and "\U0001f389" not in plain.html
    shown = render(body, RenderOptions(emoji=True))
    assert "\U0001f389" in shown.html and "<code>:tada:</code>" in shown.html
    # Hugo's heading id keeps the emoji's code, with or without enableEmoji.
    assert [h.id for h in shown.headings] == [h.id for h in plain.headings] == ["launch-rocket"]


def test_enable_emoji_from_the_site_config(runner: FlaskCliRunner, client, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, "hugo.toml", "enableEmoji = true\n")
    write(site, "content/posts/a.md", "---\ntitle: \"Hi :tada:\"\n---\nHello :wave:\n")
    assert runner.invoke(args=["content", "import", str(site)]).exit_code == 0
    html = client.get("/posts/a/").get_data(as_text=True)
    assert "\U0001f44b" in html  # in the body
    assert '<h1 id="post-title">Hi \U0001f389</h1>' in html  # and the title, as Blowfish


def test_block_attributes_as_goldmark_writes_them() -> None:
    html = render("A paragraph.\n{.note #p1}\n\n## Title {.big}\n\n- item\n{.list}\n").html
    assert '<p class="note" id="p1">A paragraph.</p>' in html
    assert '<h2 class="big" id="title">Title' in html  # the id stays Hugo's own
    assert "{.note" not in html and "{.big}" not in html
