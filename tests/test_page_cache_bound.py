"""PAGE_CACHE_MB bounds every copy of a page a worker holds: a page the page cache evicts
leaves the WSGI fast path too (before, the fast path kept up to 1,024 pages of its own)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.web.page_cache import CachedPage, local
from tests.conftest import make_app

POSTS = 60
PARAGRAPH = "Words that make a long post, one paragraph after another. " * 40


def _site(root: Path) -> Path:
    content = root / "content" / "posts"
    content.mkdir(parents=True)
    for n in range(POSTS):
        body = "\n\n".join(f"{PARAGRAPH} ({n}.{k})" for k in range(12))
        (content / f"post-{n:02d}.md").write_text(
            f'---\ntitle: "Post {n}"\ndate: 2024-01-{1 + n % 28:02d}\n---\n\n{body}\n')
    return root / "content"


def _held(app: Flask) -> tuple[dict[int, CachedPage], dict[int, CachedPage], int]:
    """The pages the page cache holds and those the fast path holds (by identity), and the
    page cache's byte count."""
    with app.app_context():
        pages = local()
        cached = {id(v): v for v in pages.items.values() if isinstance(v, CachedPage)}
        fast = {id(offer.entry): offer.entry
                for offer in app.extensions["page_fast_path"].entries.values()}
        return cached, fast, pages.bytes


def test_the_fast_path_holds_only_pages_the_page_cache_holds(tmp_path: Path) -> None:
    app = make_app(tmp_path, CACHE_TYPE="SimpleCache", PAGE_CACHE_MB=1)
    result = app.test_cli_runner().invoke(args=["content", "import", str(_site(tmp_path))])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    sizes = []
    for n in range(POSTS):
        response = client.get(f"/posts/post-{n:02d}/")
        assert response.status_code == 200
        assert f"({n}.11)" in response.get_data(as_text=True)
        sizes.append(len(response.data))
    assert sum(sizes) > 2 << 20  # the pages are more than the bound: some must go

    cached, fast, held_bytes = _held(app)
    assert held_bytes <= 1 << 20
    assert 0 < len(cached) < POSTS
    assert set(fast) <= set(cached)  # nothing evicted is still held by the fast path
    assert len(fast) >= len(cached) - 2  # and what is cached is still served fast

    # An evicted page comes back through the view (rendered again) and is correct.
    again = client.get("/posts/post-00/")
    assert again.status_code == 200 and "(0.11)" in again.get_data(as_text=True)
    cached, fast, _ = _held(app)
    assert set(fast) <= set(cached)
