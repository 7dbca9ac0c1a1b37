"""The site's author (Blowfish's `params.author`): name, image, headline, bio and links, read
once from the stored site params; and the rules of the author box on a post.

Blowfish reads `.Site.Params.Author` (`layouts/partials/author.html`, `author-links.html`,
`home/profile.html`): a language's own `[languages.xx.params.author]` is merged over the
site's. `links` is a list of one-entry tables, `{github = "https://..."}`, whose key names an
icon. The image is a path Hugo's `resources.Get` reads from the site's `assets/` folder (or a
remote URL, which Hugo downloads at build time); this engine serves only what it imported,
so a path resolves to a file stored with a page bundle at that URL (e.g. `author.jpg` beside
`content/_index.md`, which Hugo also publishes at `/author.jpg`). A remote URL is not shown:
the pages' Content-Security-Policy lets images come from this site only (`img-src 'self'`),
so it could only be a broken image and a console error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.content.urls import escape_path
from app.models import BundleFile, Page
from app.services import DbSession
from app.services.site.article import HasParams
from app.services.site.queries import published

# How a link's icon name reads as text (the others are title-cased, `-` and `_` as spaces).
_LABELS = {
    "github": "GitHub", "gitlab": "GitLab", "linkedin": "LinkedIn", "youtube": "YouTube",
    "x-twitter": "X", "twitter": "Twitter", "email": "Email", "rss": "RSS",
    "stack-overflow": "Stack Overflow", "tiktok": "TikTok", "whatsapp": "WhatsApp",
    "bluesky": "Bluesky", "mastodon": "Mastodon", "orcid": "ORCID", "dev": "DEV",
    "hackernews": "Hacker News", "keybase": "Keybase", "kofi": "Ko-fi",
}
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


@dataclass(frozen=True)
class AuthorLink:
    """One of the author's links: the icon name Blowfish keys it by, its label and URL."""

    name: str
    label: str
    url: str

    @property
    def external(self) -> bool:
        """Opens in a new tab, as Blowfish's links do (not a mail link)."""
        return self.url.startswith(("http://", "https://"))


@dataclass(frozen=True)
class SiteAuthor:
    """`params.author` as Blowfish reads it; every field may be empty."""

    name: str = ""
    image: str = ""  # as configured: a site path or an absolute URL
    headline: str = ""
    bio: str = ""
    links: tuple[AuthorLink, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.name)


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) else ""


def link_label(name: str) -> str:
    """How an icon name reads: `github` is "GitHub", `my-site` is "My Site"."""
    return _LABELS.get(name, name.replace("-", " ").replace("_", " ").title())


def _safe_url(url: str) -> str:
    """The URL when it is one a link may carry (no `javascript:` and the like), else ""."""
    lowered = url.strip().lower()
    if lowered.startswith(_SAFE_SCHEMES) and not lowered.startswith("//"):
        return url.strip()
    return ""


def _links(value: Any) -> tuple[AuthorLink, ...]:
    entries: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
    found: list[AuthorLink] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        for name, url in entry.items():
            safe = _safe_url(_text(url))
            if safe and str(name).strip():
                key = str(name).strip().lower()
                found.append(AuthorLink(key, link_label(key), safe))
    return tuple(found)


def _language_params(languages: Sequence[Mapping[str, Any]], lang: str | None) -> Mapping[str, Any]:
    for item in languages:
        if item.get("code") == lang and isinstance(item.get("params"), Mapping):
            params: Mapping[str, Any] = item["params"]
            return params
    return {}


def site_author(params: Mapping[str, Any], languages: Sequence[Mapping[str, Any]] = (),
                lang: str | None = None) -> SiteAuthor:
    """The author from the site's params (keys lower-cased, as stored), the language's
    `params.author` merged over the site's."""
    own = params.get("author")
    mine = _language_params(languages, lang).get("author")
    merged = {**(own if isinstance(own, Mapping) else {}),
              **(mine if isinstance(mine, Mapping) else {})}
    return SiteAuthor(
        name=_text(merged.get("name")),
        image=_text(merged.get("image")),
        headline=_text(merged.get("headline")),
        bio=_text(merged.get("bio")),
        links=_links(merged.get("links") or ()),
    )


def image_url(session: DbSession, configured: str) -> str:
    """The URL an image param (`author.image`, `homepage.homepageImage`, ...) is shown from:
    a path, when a published page's bundle file lives at that URL (versioned, as bundle files
    are linked); else "" (nothing to show, as Blowfish shows nothing when `resources.Get`
    finds no file). A remote URL (any scheme, or `//host/...`) is "": the CSP refuses it."""
    value = configured.strip()
    if not value or ":" in value.split("/")[0] or value.startswith("//"):
        return ""
    path = "/" + value.lstrip("/")
    found = session.execute(
        select(BundleFile.blob_sha256).join(Page, Page.id == BundleFile.page_id)
        .where(BundleFile.url_path == path, published())
    ).first()
    return f"{escape_path(path)}?v={found[0][:10]}" if found else ""


def _flag(page: HasParams, defaults: Mapping[str, Any], name: str, fallback: bool) -> bool:
    """`.Params.X | default (site.Params.article.X | default fallback)`."""
    value = page.param(name)
    if isinstance(value, bool):
        return value
    site_value = defaults.get(name.lower())
    return site_value if isinstance(site_value, bool) else fallback


@dataclass(frozen=True)
class AuthorBox:
    """Where a post shows the author box and whether it shows the authors badges."""

    shown: bool  # showAuthor (default true) and an author name is configured
    bottom: bool  # showAuthorBottom: after the article instead of under its title
    badges: bool  # showAuthorsBadges (default false)

    def at(self, position: str) -> bool:
        """Whether the box goes at `position` ("top" or "bottom")."""
        return self.shown and self.bottom == (position == "bottom")


def author_box(page: HasParams, defaults: Mapping[str, Any], author: SiteAuthor) -> AuthorBox:
    """Blowfish's single.html rules: the box shows unless `showAuthor` is false, under the
    title or, with `showAuthorBottom`, after the article; here only for a named author."""
    return AuthorBox(
        shown=bool(author) and _flag(page, defaults, "showAuthor", True),
        bottom=_flag(page, defaults, "showAuthorBottom", False),
        badges=_flag(page, defaults, "showAuthorsBadges", False),
    )
