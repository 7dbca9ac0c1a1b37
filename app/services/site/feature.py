"""A page's feature image, found as Blowfish finds it; the post hero that shows it.

The rule, written once here (Blowfish's `article-link/*.html` and `hero/*.html` partials):

1. Front matter `featureimage`: an `http(s)://` URL is used as it is; any other value names
   a file, either of the page's own bundle (`featured.jpg`, `./img/top.png`) or by its site
   path (`/posts/other/cover.png`). A value that names no stored file is passed over.
2. Else the first image of the bundle whose file name matches `*feature*`, then `*cover*`,
   then `*thumbnail*` (Hugo's `Resources.GetMatch`: case-insensitive, the whole name, `*`
   never crossing a `/`, so only files at the bundle's top level; files in name order).
3. Else the site's `params.defaultFeaturedImage` (a URL or a site path, as in 1).

Cards skip the image of a page with `hideFeatureImage: true`. The `background` and
`thumbAndBackground` hero styles look for a `*background*` image first, then the feature
image, then `params.defaultBackgroundImage`.

Bundle images come with their size and the srcset of their resized variants
(`bundles.page_file`), so every <img> gets width, height and srcset. A remote URL is used
for og:image and feeds only: the page's Content-Security-Policy allows same-origin images.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import nh3
from sqlalchemy import func, or_, select

from app.models import Blob, BundleFile, Page
from app.render.markdown import markdownify
from app.services import DbSession
from app.services.site.article import article_flag
from app.services.site.bundles import page_file

FEATURE_GLOBS = ("*feature*", "*cover*", "*thumbnail*")
BACKGROUND_GLOB = "*background*"
HERO_STYLES = ("basic", "big", "background", "thumbAndBackground")
DEFAULT_STYLE = "basic"
# Used for width/height when the size is unknown (an SVG): the boxes showing it are sized
# by CSS, so the page does not move either way.
FALLBACK_SIZE = (1200, 675)
_CAPTION_TAGS = {"a", "em", "strong", "code", "del", "br", "span", "sub", "sup", "kbd", "mark"}
_POSITION = re.compile(r"[A-Za-z0-9.%\s-]{1,40}")
_LIKE_PATTERNS = tuple(glob.replace("*", "%") for glob in (*FEATURE_GLOBS, BACKGROUND_GLOB))


@dataclass(frozen=True)
class Candidate:
    """A stored bundle file that could be a page's feature image."""

    rel_path: str
    url_path: str  # unescaped site path of the file
    page_url: str  # the URL of the page whose bundle holds it
    media_type: str
    width: int | None
    height: int | None
    sha256: str


@dataclass(frozen=True)
class FeatureImage:
    """An image to show: `src` is a versioned site path (escaped) or a remote URL."""

    src: str
    width: int
    height: int
    srcset: str = ""
    media_type: str = ""
    local: bool = True  # served by this site (may be shown under the page's CSP)
    path: str = ""  # the unescaped, unversioned site path of a local image


@dataclass(frozen=True)
class Hero:
    """What the post hero shows, in which of Blowfish's styles."""

    style: str  # one of HERO_STYLES
    image: FeatureImage | None  # the banner or figure (basic, big, thumbAndBackground)
    background: FeatureImage | None  # the image behind the header (background styles)
    caption: str  # sanitized HTML from `featureimagecaption`, or ""
    position: str  # CSS object-position from `imagePosition`, or ""
    alt: str


def site_param(params: Mapping[str, Any], name: str) -> Any:
    """A site param by name, case-insensitively (Hugo lower-cases param keys)."""
    if name in params:
        return params[name]
    lowered = name.lower()
    return next((v for k, v in params.items() if str(k).lower() == lowered), None)


def _image(found: Candidate) -> FeatureImage:
    f = page_file(found.page_url, found.rel_path, found.media_type, found.width, found.height,
                  found.sha256)
    width, height = (found.width, found.height) if found.width and found.height \
        else FALLBACK_SIZE
    return FeatureImage(f.url, width, height, f.srcset, found.media_type, path=found.url_path)


def _named(value: Any, own: Mapping[str, Candidate],
           by_url: Mapping[str, Candidate]) -> FeatureImage | None:
    """The image a front matter or site param names: a URL, a bundle file or a site path."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return FeatureImage(value, *FALLBACK_SIZE, local=False)
    path = value.split("#", 1)[0].split("?", 1)[0]
    found = by_url.get(path) if path.startswith("/") else own.get(path.removeprefix("./"))
    return _image(found) if found is not None else None


def _match(images: Sequence[Candidate], glob: str) -> Candidate | None:
    for found in images:
        if "/" not in found.rel_path and fnmatchcase(found.rel_path.lower(), glob):
            return found
    return None


def _images(files: Iterable[Candidate]) -> list[Candidate]:
    return sorted((f for f in files if f.media_type.startswith("image/")),
                  key=lambda f: f.rel_path.lower())


def choose(page: Page, files: Iterable[Candidate], params: Mapping[str, Any],
           by_url: Mapping[str, Candidate] | None = None) -> FeatureImage | None:
    """The page's feature image by the rule above (`params`: the site's params)."""
    images = _images(files)
    own = {f.rel_path: f for f in images}
    by_url = by_url or {}
    found = _named(page.param("featureimage"), own, by_url)
    if found is not None:
        return found
    for glob in FEATURE_GLOBS:
        match = _match(images, glob)
        if match is not None:
            return _image(match)
    return _named(site_param(params, "defaultFeaturedImage"), own, by_url)


def choose_background(page: Page, files: Iterable[Candidate], params: Mapping[str, Any],
                      by_url: Mapping[str, Candidate] | None = None) -> FeatureImage | None:
    """The image behind a `background` hero: `*background*`, the feature image, the default."""
    images = _images(files)
    match = _match(images, BACKGROUND_GLOB)
    if match is not None:
        return _image(match)
    found = choose(page, images, params, by_url)
    if found is not None:
        return found
    return _named(site_param(params, "defaultBackgroundImage"), {f.rel_path: f for f in images},
                  by_url or {})


def candidates_of(page: Page) -> list[Candidate]:
    """The page's loaded bundle files as candidates (no query when `page.files` is loaded)."""
    return [Candidate(f.rel_path, f.url_path, page.url_path, f.blob.media_type, f.blob.width,
                      f.blob.height, f.blob_sha256) for f in page.files]


def _site_paths(pages: Iterable[Page], params: Mapping[str, Any]) -> set[str]:
    """The site paths that front matter (or the site's defaults) name as an image."""
    values = [p.param("featureimage") for p in pages]
    values += [site_param(params, "defaultFeaturedImage"),
               site_param(params, "defaultBackgroundImage")]
    return {v.strip().split("#", 1)[0].split("?", 1)[0] for v in values
            if isinstance(v, str) and v.strip().startswith("/")}


def _rows(session: DbSession, condition: Any) -> list[Candidate]:
    query = (
        select(BundleFile.page_id, BundleFile.rel_path, BundleFile.url_path, Page.url_path,
               Blob.media_type, Blob.width, Blob.height, Blob.sha256)
        .join(Blob, Blob.sha256 == BundleFile.blob_sha256)
        .join(Page, Page.id == BundleFile.page_id)
        .where(condition, Blob.media_type.like("image/%"))
    )
    return [Candidate(rel, url, page_url, media, width, height, sha)
            for _page_id, rel, url, page_url, media, width, height, sha
            in session.execute(query)]


def load_candidates(session: DbSession, pages: Sequence[Page], params: Mapping[str, Any]
                    ) -> tuple[dict[int, list[Candidate]], dict[str, Candidate]]:
    """The possible feature images of many pages in one query (two when front matter names
    a site path): only top-level bundle images whose names match a glob or a front matter
    value, never every file of every bundle."""
    ids = [p.id for p in pages]
    named = {v.strip().removeprefix("./") for p in pages
             if isinstance(v := p.param("featureimage"), str) and v.strip()}
    lowered = func.lower(BundleFile.rel_path)
    wanted = or_(*(lowered.like(pattern) for pattern in _LIKE_PATTERNS),
                 *([BundleFile.rel_path.in_(sorted(named))] if named else []))
    by_page: dict[int, list[Candidate]] = defaultdict(list)
    if ids:
        query = (
            select(BundleFile.page_id, BundleFile.rel_path, BundleFile.url_path,
                   Blob.media_type, Blob.width, Blob.height, Blob.sha256)
            .join(Blob, Blob.sha256 == BundleFile.blob_sha256)
            .where(BundleFile.page_id.in_(ids), Blob.media_type.like("image/%"), wanted)
        )
        urls = {p.id: p.url_path for p in pages}
        for page_id, rel, url, media, width, height, sha in session.execute(query):
            by_page[page_id].append(Candidate(rel, url, urls[page_id], media, width, height,
                                              sha))
    paths = _site_paths(pages, params)
    by_url = {c.url_path: c for c in _rows(session, BundleFile.url_path.in_(sorted(paths)))} \
        if paths else {}
    return by_page, by_url


def feature_images(session: DbSession, pages: Sequence[Page], params: Mapping[str, Any],
                   cards: bool = True) -> dict[int, FeatureImage]:
    """The feature images of a list's pages by page id, shown ones only: same-origin, and
    (for cards) not hidden by `hideFeatureImage`."""
    shown = [p for p in pages if not (cards and p.param("hidefeatureimage") is True)]
    by_page, by_url = load_candidates(session, shown, params)
    found: dict[int, FeatureImage] = {}
    for page in shown:
        image = choose(page, by_page.get(page.id, ()), params, by_url)
        if image is not None and image.local:
            found[page.id] = image
    return found


def caption_html(text: Any) -> str:
    """`featureimagecaption` as Hugo's markdownify would render it, sanitized: inline
    markup and links only."""
    if not isinstance(text, str) or not text.strip():
        return ""
    html = markdownify(text.strip())
    return nh3.clean(html, tags=_CAPTION_TAGS, attributes={"a": {"href", "title"}},
                     link_rel="noopener noreferrer").strip()


def hero_style(page: Page, defaults: Mapping[str, Any]) -> str:
    """`heroStyle` from front matter, else `[params.article] heroStyle`; unknown: basic."""
    value = page.param("heroStyle")
    if not isinstance(value, str) or not value.strip():
        value = defaults.get("herostyle")
    if isinstance(value, str):
        for style in HERO_STYLES:
            if style.lower() == value.strip().lower():
                return style
    return DEFAULT_STYLE


def post_hero(page: Page, files: Sequence[Candidate], defaults: Mapping[str, Any],
              params: Mapping[str, Any], by_url: Mapping[str, Candidate] | None = None
              ) -> Hero | None:
    """The post's hero, or None when `showHero` is off or there is no image to show."""
    if not article_flag(page, defaults, "showHero"):
        return None
    style = hero_style(page, defaults)
    image = choose(page, files, params, by_url)
    background = None
    if style in ("background", "thumbAndBackground"):
        background = choose_background(page, files, params, by_url)
        if background is not None and not background.local:
            background = None
    if image is not None and not image.local:
        image = None
    if style == "thumbAndBackground" and image is None:
        image = background
    if image is None and background is None:
        return None
    position = page.param("imagePosition")
    position = position.strip() if isinstance(position, str) \
        and _POSITION.fullmatch(position.strip()) else ""
    alt = page.param("alt")  # else "": the post's title is right beside the image
    return Hero(style, image, background, caption_html(page.param("featureimagecaption")),
                position, alt if isinstance(alt, str) else "")


def post_images(session: DbSession, page: Page, defaults: Mapping[str, Any],
                params: Mapping[str, Any]) -> tuple[Hero | None, FeatureImage | None]:
    """A post's hero (None unless shown) and its feature image (for og:image), one query."""
    by_page, by_url = load_candidates(session, [page], params)
    files = by_page.get(page.id, [])
    return post_hero(page, files, defaults, params, by_url), choose(page, files, params,
                                                                      by_url)
