"""XML builders for RSS 2.0 (as Hugo's rss.xml) and the sitemap; pure, no Flask."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
RSS_TYPE = "application/rss+xml"
GENERATOR = "hugo-flask-blog"

register_namespace("atom", ATOM)
register_namespace("media", MEDIA)

# Characters XML 1.0 cannot carry at all: front matter or a body must not break a feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_ATTR = re.compile(r"""(\s(?:href|src|poster|srcset)=)(["'])(.*?)\2""", re.IGNORECASE)
_SRCSET_ITEM = re.compile(r"(^|,\s*)(/(?!/))")


@dataclass(frozen=True)
class Item:
    """One RSS item: a page, or a term of a taxonomy."""

    title: str
    link: str
    published: datetime | None  # naive UTC
    description: str  # HTML, escaped once by the XML writer as RSS expects
    image: str | None = None  # absolute URL of a featured image (media:content)
    image_type: str = ""  # its media type, when known
    image_size: tuple[int, int] | None = None  # its width and height, when known


@dataclass(frozen=True)
class Channel:
    """An RSS channel: what the feed is the list of."""

    title: str
    link: str
    description: str
    language: str
    self_link: str
    last_build: datetime | None  # naive UTC


@dataclass(frozen=True)
class UrlEntry:
    """One sitemap <url>."""

    loc: str
    lastmod: datetime | None  # naive UTC
    changefreq: str | None = None
    priority: float | None = None


def clean(text: str) -> str:
    """Text with the characters XML 1.0 forbids removed."""
    return _NOT_XML.sub("", text)


def _local(value: datetime, zone: tzinfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(zone)


def rfc822(value: datetime, zone: tzinfo = UTC) -> str:
    """A naive UTC datetime as RSS wants it, like Hugo's "Mon, 02 Jan 2006 15:04:05 -0700"."""
    return format_datetime(_local(value, zone))


def w3c(value: datetime, zone: tzinfo = UTC) -> str:
    """A naive UTC datetime as a W3C datetime, like Hugo's "2006-01-02T15:04:05-07:00"."""
    return _local(value, zone).isoformat(timespec="seconds")


def absolutize(html: str, base: str, page_url: str) -> str:
    """Site-relative links and images made absolute, since feed readers have no base URL."""

    def fix(match: re.Match[str]) -> str:
        name, quote, value = match.group(1), match.group(2), match.group(3)
        if name.strip().lower().startswith("srcset"):
            value = _SRCSET_ITEM.sub(lambda m: m.group(1) + base + m.group(2), value)
        elif value.startswith("/") and not value.startswith("//"):
            value = base + value
        elif value.startswith("#"):
            value = page_url + value
        return f"{name}{quote}{value}{quote}"

    return _URL_ATTR.sub(fix, html)


def _add(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    element = SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def _document(root: Element) -> bytes:
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def build_rss(channel: Channel, items: Iterable[Item], zone: tzinfo = UTC) -> bytes:
    """An RSS 2.0 document with Hugo's channel and item elements."""
    rss = Element("rss", version="2.0")
    head = _add(rss, "channel")
    _add(head, "title", channel.title)
    _add(head, "link", channel.link)
    _add(head, "description", channel.description)
    _add(head, "generator", GENERATOR)
    if channel.language:
        _add(head, "language", channel.language)
    if channel.last_build is not None:
        _add(head, "lastBuildDate", rfc822(channel.last_build, zone))
    _add(head, f"{{{ATOM}}}link", href=channel.self_link, rel="self", type=RSS_TYPE)
    for item in items:
        entry = _add(head, "item")
        _add(entry, "title", item.title)
        _add(entry, "link", item.link)
        if item.published is not None:
            _add(entry, "pubDate", rfc822(item.published, zone))
        _add(entry, "guid", item.link, isPermaLink="true")
        _add(entry, "description", item.description)
        if item.image:
            extra = {"type": item.image_type} if item.image_type else {}
            if item.image_size:
                extra.update(width=str(item.image_size[0]), height=str(item.image_size[1]))
            _add(entry, f"{{{MEDIA}}}content", url=item.image, medium="image", **extra)
    return _document(rss)


def build_sitemap(entries: Iterable[UrlEntry], zone: tzinfo = UTC) -> bytes:
    """A sitemaps.org urlset, one <url> per entry, in the order given."""
    urlset = Element("urlset", xmlns=SITEMAP)
    for entry in entries:
        url = _add(urlset, "url")
        _add(url, "loc", entry.loc)
        if entry.lastmod is not None:
            _add(url, "lastmod", w3c(entry.lastmod, zone))
        if entry.changefreq:
            _add(url, "changefreq", entry.changefreq)
        if entry.priority is not None:
            _add(url, "priority", f"{entry.priority:g}")
    return _document(urlset)


def robots_txt(sitemap_url: str, disallow: Iterable[str] = ()) -> bytes:
    """Blowfish's production robots.txt: allow all, name the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in disallow]
    lines.append(f"Sitemap: {sitemap_url}")
    return ("\n".join(lines) + "\n").encode()

