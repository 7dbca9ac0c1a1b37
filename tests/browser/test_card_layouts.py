"""Card thumbnails in each list look Blowfish offers (framed cards, plain list, card grid), on
real gunicorn in Chromium at desktop and phone widths: the thumbnail never covers the card's
title or text, and nothing spills out of its card."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.browser.conftest import ROOT, VENV_BIN, _run, _server_env, gunicorn

pytestmark = pytest.mark.browser

GALLERY = ROOT / "content" / "posts" / "the-rise-of-ai-generated-images" / "gallery"
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
# [params.list] for /posts/ and [params.homepage] for /: each look on its own site.
LOOKS = {
    "framed": "[params.list]\n  showCards = true\n  cardView = false\n",
    "plain": "[params.list]\n  showCards = false\n  cardView = false\n",
    "grid": "[params.list]\n  cardView = true\n",
}
# Each card: its thumbnail's box, and the boxes of its title, meta line and the card itself.
BOXES = """() => [...document.querySelectorAll('article.card')].map(card => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {thumb: box(card.querySelector('.card-thumb')), card: box(card),
          title: box(card.querySelector('.card-title')), meta: box(card.querySelector('.meta'))};
})"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1)


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["left"] >= outer["left"] - 1 and inner["right"] <= outer["right"] + 1
            and inner["top"] >= outer["top"] - 1 and inner["bottom"] <= outer["bottom"] + 1)


@pytest.fixture(scope="module")
def look_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        for look, params in LOOKS.items():
            tmp = tmp_path_factory.mktemp(f"cards-{look}")
            site = tmp / "site"
            for n in range(1, 4):
                folder = site / "content" / "posts" / f"post-{n}"
                folder.mkdir(parents=True)
                (folder / "index.md").write_text(
                    f"---\ntitle: A rather long post title number {n} to wrap\n"
                    f"date: 2024-03-0{n}\ntags: [cards]\n---\nSome text.\n",
                    encoding="utf-8")
                shutil.copyfile(GALLERY / "bing-Dall-E1.jpg", folder / "featured.jpg")
            (site / "hugo.toml").write_text(
                'baseURL = "https://example.org/"\ntitle = "Cards"\n[params]\n' + params,
                encoding="utf-8")
            env = _server_env(tmp)
            _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
            _run([str(VENV_BIN / "flask"), "content", "import", str(site)], env)
            urls[look], _ = stack.enter_context(gunicorn(tmp))
        yield urls


@pytest.mark.parametrize("look", LOOKS)
def test_thumbnails_never_cover_the_card_text(browser: Any, look_servers: dict[str, str],
                                              look: str) -> None:
    for viewport in VIEWPORTS:
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            response = page.goto(look_servers[look] + "/posts/", wait_until="networkidle")
            assert response is not None and response.status == 200
            cards = page.evaluate(BOXES)
            assert len(cards) == 3, (look, viewport)
            for card in cards:
                assert card["thumb"] is not None, (look, viewport)
                for part in ("title", "meta"):
                    assert not _overlap(card["thumb"], card[part]), (look, viewport, part, card)
                    assert _inside(card[part], card["card"]), (look, viewport, part, card)
                assert _inside(card["thumb"], card["card"]), (look, viewport, card)
        finally:
            context.close()
