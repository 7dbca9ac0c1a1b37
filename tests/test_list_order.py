"""List pages in Hugo's order across page boundaries: weighted pages first, then newest."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import make_app


def _post(folder: Path, name: str, date: str, weight: int = 0) -> None:
    extra = f"weight: {weight}\n" if weight else ""
    (folder / f"{name}.md").write_text(f"---\ntitle: {name}\ndate: {date}\n{extra}---\nText.\n")


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def test_section_pages_keep_hugos_order_across_list_pages(tmp_path: Path) -> None:
    content = tmp_path / "content"
    posts = content / "posts"
    posts.mkdir(parents=True)
    _post(posts, "w2", "2020-01-01", weight=2)
    _post(posts, "w1", "2019-01-01", weight=1)
    _post(posts, "wneg", "2018-01-01", weight=-5)
    for day in range(1, 13):
        _post(posts, f"d{day:02}", f"2024-03-{day:02}")
    app = make_app(tmp_path, PAGE_SIZE=5)
    assert app.test_cli_runner().invoke(args=["content", "import", str(content)]).exit_code == 0
    client = app.test_client()
    pages = [_titles(client.get(url).get_data(as_text=True))
             for url in ("/posts/", "/posts/page/2/", "/posts/page/3/")]
    assert pages == [["wneg", "w1", "w2", "d12", "d11"],
                     ["d10", "d09", "d08", "d07", "d06"],
                     ["d05", "d04", "d03", "d02", "d01"]]
    assert client.get("/posts/page/4/").status_code == 404
    home = [_titles(client.get(url).get_data(as_text=True)) for url in ("/", "/page/3/")]
    assert home[0] == ["d12", "d11", "d10", "d09", "d08"]  # the home list is newest first
    assert home[1] == ["d02", "d01", "w2", "w1", "wneg"]


def test_a_tag_lists_sections_that_carry_it_too(tmp_path: Path) -> None:
    content = tmp_path / "content"
    guides = content / "guides"
    guides.mkdir(parents=True)
    (guides / "_index.md").write_text("---\ntitle: Guides\ndate: 2024-01-01\ntags: [x]\n---\n")
    _post(guides, "g1", "2024-02-01")
    posts = content / "posts"
    posts.mkdir()
    (posts / "p1.md").write_text("---\ntitle: P1\ndate: 2024-03-01\ntags: [x]\n---\nText.\n")
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["content", "import", str(content)]).exit_code == 0
    html = app.test_client().get("/tags/x/").get_data(as_text=True)
    assert _titles(html) == ["P1", "Guides"]
