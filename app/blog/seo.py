"""Head metadata for a post: canonical URL, Open Graph, Twitter card, JSON-LD BlogPosting."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any
from urllib.parse import urljoin

import nh3
from markupsafe import Markup

from app.content.urls import escape_path
from app.models import Page
from app.services.site.feature import FeatureImage

_IMG_RE = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"')


def text_of(html: str) -> str:
    """Rendered HTML as one line of plain text (for descriptions)."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def absolute(base_url: str, path: str) -> str:
    """A site path made absolute against the site's base URL."""
    return urljoin(base_url.rstrip("/") + "/", escape_path(path).lstrip("/"))


def first_image(html: str) -> str | None:
    """The first image of a rendered body (carousels included), as written."""
    found = _IMG_RE.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def iso(value: Any) -> str | None:
    """RFC 3339 in UTC."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def post_metadata(page: Page, html: str, description: str, base_url: str, site_title: str,
                  author: str, tags: list[str],
                  feature: FeatureImage | None = None) -> dict[str, Any]:
    """Everything the post's <head> needs, with absolute URLs; the image (og:image) is the
    feature image (app/services/site/feature.py), else the body's first image."""
    url = absolute(base_url, page.url_path)
    image = feature.src if feature is not None else first_image(html)
    image_url = urljoin(url, image) if image else None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": page.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": iso(page.date),
        "dateModified": iso(page.lastmod or page.date),
        "wordCount": page.word_count,
        "keywords": tags,
        "inLanguage": page.lang,
        "publisher": {"@type": "Organization", "name": site_title},
    }
    if author:
        data["author"] = {"@type": "Person", "name": author}
    if image_url:
        data["image"] = [image_url]
    data = {key: value for key, value in data.items() if value not in (None, [], "")}
    # Inside <script> a "</" would end the element: escape it for the HTML parser.
    json_ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return {"url": url, "image": image_url,
            "json_ld": Markup(json_ld)}  # noqa: S704 - our JSON, "</" escaped above
