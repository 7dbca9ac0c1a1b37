"""The imported site's settings (from its hugo.toml) over the app's own: one typed value.

`resolve` is the one place where a stored site setting takes precedence over the app's
config (the environment, settings.env, create_app's overrides); the import (for the options
it renders with) and every reader at serve time (views, templates, the CLI) use it.
`cached` keeps the value (per app: app/web/site.py) until the site generation or the app's
own config changes; nothing rewrites `app.config`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.models import SiteSetting
from app.render.commonmark import MarkupOptions, markup_options
from app.services import DbSession
from app.services.site import schemes
from app.services.site.article import BLOWFISH_DEFAULTS

KEY = "site"
_STATE = "site_settings"
# The app settings a site's configuration may replace; the app's values are the fallback.
BASE_KEYS = ("SITE_TITLE", "SITE_LANGUAGE", "SITE_LANGUAGES", "SITE_TIMEZONE", "TAXONOMIES",
             "SUMMARY_LENGTH", "TOC_START_LEVEL", "TOC_END_LEVEL", "ARTICLE_DEFAULTS",
             "SITE_DESCRIPTION", "SITE_AUTHOR", "SITE_BASE_URL", "SITE_PARAMS",
             "HAS_CJK_LANGUAGE", "ENABLE_EMOJI", "DEFAULT_LANGUAGE_IN_SUBDIR", "MARKUP",
             "MAIN_SECTIONS", "MENUS")
_EMPTY: Mapping[str, Any] = MappingProxyType({})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteSettings:
    """What the site says about itself: its hugo.toml where it says so, else the app's config."""

    title: str = ""
    language: str = "en"
    languages: tuple[Mapping[str, Any], ...] = ()  # {"code", "weight", "title", "label", ...}
    timezone: str = "UTC"
    taxonomies: tuple[str, ...] = ("tags", "categories")
    summary_length: int = 70
    toc_start: int = 2
    toc_end: int = 4
    article_defaults: Mapping[str, Any] = field(default_factory=lambda: BLOWFISH_DEFAULTS)
    description: str = ""
    author: str = ""
    base_url: str = ""  # "" : the request's own origin
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    has_cjk: bool = False
    emoji: bool = False
    default_in_subdir: bool = False
    markup: MarkupOptions = field(default_factory=lambda: markup_options(None))
    main_sections: tuple[str, ...] | None = None  # None: Hugo's default
    # {lang: {menu name: [entry, ...]}}
    menus: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    # Blowfish's look: params.colorScheme, defaultAppearance, autoSwitchAppearance
    color_scheme: str = schemes.DEFAULT
    appearance: str = "light"
    auto_appearance: bool = True

    @property
    def language_codes(self) -> frozenset[str]:
        """The configured language codes (empty when the site names none)."""
        return frozenset(str(item.get("code")) for item in self.languages)


def load(session: DbSession) -> dict[str, Any]:
    """The stored site settings ({} before any site was imported)."""
    value = session.execute(
        select(SiteSetting.value).where(SiteSetting.key == KEY)
    ).scalar_one_or_none()
    return dict(value) if isinstance(value, Mapping) else {}


def save(session: DbSession, data: Mapping[str, Any]) -> bool:
    """Store the settings inside the caller's transaction; True when they changed."""
    row = session.get(SiteSetting, KEY)
    if (row.value if row is not None else {}) == dict(data):
        return False
    if row is None:
        session.add(SiteSetting(key=KEY, value=dict(data)))
    else:
        row.value = dict(data)
    return True


def _title(data: Mapping[str, Any], lang: str | None) -> str | None:
    for item in data.get("languages") or []:
        if item.get("code") == lang and item.get("title"):
            return str(item["title"])
    return data.get("title")


def _pick(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


def _article(params: Mapping[str, Any], base: Mapping[str, Any] | None) -> Mapping[str, Any]:
    article = params.get("article")
    own = {str(k).lower(): v for k, v in article.items()} if isinstance(article, Mapping) else {}
    return MappingProxyType({**(base or {}), **own})


def _author(params: Mapping[str, Any], base: Any) -> str:
    author = params.get("author")
    if isinstance(author, Mapping) and author.get("name"):
        return str(author["name"])
    return str(base or "")


def _base_url(data: Mapping[str, Any], base: Any) -> str:
    # The app's own SITE_BASE_URL wins: it is where this copy of the site is served.
    if base:
        return str(base).strip().rstrip("/")
    return str(data.get("base_url") or "").strip().rstrip("/")


def _look(params: Mapping[str, Any]) -> dict[str, Any]:
    """Blowfish's colorScheme (an unknown one: the default, with a warning),
    defaultAppearance and autoSwitchAppearance (its defaults: light, true)."""
    raw = params.get("colorscheme")
    scheme = schemes.scheme_name(raw) if raw is not None else schemes.DEFAULT
    if scheme is None:
        log.warning("params.colorScheme %r is not one of %s: using %r", raw,
                    ", ".join(schemes.NAMES), schemes.DEFAULT)
        scheme = schemes.DEFAULT
    appearance = str(params.get("defaultappearance") or "light").strip().lower()
    auto = params.get("autoswitchappearance", True)
    return {"color_scheme": scheme, "appearance": "dark" if appearance == "dark" else "light",
            "auto_appearance": auto if isinstance(auto, bool) else str(auto).lower() != "false"}


def resolve(data: Mapping[str, Any], config: Mapping[str, Any]) -> SiteSettings:
    """The site's settings: `data` (stored from hugo.toml; {} for none) over the app's
    `config`. The one place where that precedence is written."""
    lang = data.get("default_lang") or config.get("SITE_LANGUAGE") or "en"
    raw_params = data.get("params")
    params: Mapping[str, Any] = raw_params if isinstance(raw_params, Mapping) else {}
    sections = _pick(data.get("main_sections"), config.get("MAIN_SECTIONS"))
    # A stored site config (even one without a markup table) means Hugo's defaults apply.
    markup = data.get("markup", {}) if data else config.get("MARKUP")
    site_params = dict(params) if data else dict(config.get("SITE_PARAMS") or {})
    return SiteSettings(
        title=str(_pick(_title(data, lang), config.get("SITE_TITLE")) or ""),
        language=str(lang),
        languages=tuple(data.get("languages") or config.get("SITE_LANGUAGES") or ()),
        timezone=str(_pick(data.get("timezone"), config.get("SITE_TIMEZONE")) or "UTC"),
        taxonomies=tuple(_pick(data.get("taxonomies"), config.get("TAXONOMIES")) or ()),
        summary_length=int(_pick(data.get("summary_length"), config.get("SUMMARY_LENGTH", 70))),
        toc_start=int(_pick(data.get("toc_start"), config.get("TOC_START_LEVEL", 2))),
        toc_end=int(_pick(data.get("toc_end"), config.get("TOC_END_LEVEL", 4))),
        article_defaults=_article(params, config.get("ARTICLE_DEFAULTS")),
        description=str(_pick(params.get("description"), config.get("SITE_DESCRIPTION")) or ""),
        author=_author(params, config.get("SITE_AUTHOR")),
        base_url=_base_url(data, config.get("SITE_BASE_URL")),
        params=MappingProxyType(site_params),
        has_cjk=bool(_pick(data.get("has_cjk"), config.get("HAS_CJK_LANGUAGE"))),
        emoji=bool(_pick(data.get("enable_emoji"), config.get("ENABLE_EMOJI"))),
        default_in_subdir=bool(_pick(data.get("default_in_subdir"),
                                     config.get("DEFAULT_LANGUAGE_IN_SUBDIR"))),
        markup=markup_options(markup),
        main_sections=tuple(sections) if sections is not None else None,
        menus=MappingProxyType(dict(data.get("menus") or config.get("MENUS") or {})),
        **_look({str(k).lower(): v for k, v in site_params.items()}),
    )


class _Cached(NamedTuple):
    generation: int | None
    base: tuple[Any, ...]
    settings: SiteSettings


def _stored(session: DbSession, generation: int | None) -> dict[str, Any] | None:
    """The stored settings; {} without a database yet, None when they cannot be read now."""
    if generation is None:
        return {}
    try:
        return load(session)
    except SQLAlchemyError:
        session.rollback()
        return None


def cached(holder: MutableMapping[str, Any], config: Mapping[str, Any],
           read_generation: Callable[[], int], session: DbSession) -> SiteSettings:
    """The site settings over `config`, kept in `holder` (an app's extensions) and read again
    only when the site generation (`read_generation()`) or `config` changed."""
    base = tuple(config.get(key) for key in BASE_KEYS)
    try:
        generation: int | None = read_generation()
    except Exception:  # no database (yet): the app's own settings stand
        generation = None
    held: _Cached | None = holder.get(_STATE)
    if held is not None and held.generation == generation and held.base == base:
        return held.settings
    data = _stored(session, generation)
    settings = resolve(data or {}, config)
    if data is not None:
        holder[_STATE] = _Cached(generation, base, settings)
    return settings
