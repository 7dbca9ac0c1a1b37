"""How the home page and list pages lay out, as Blowfish's `[params.homepage]`, `[params.list]`
and `[params.term]` say (`layouts/index.html`, `partials/home/*.html`,
`partials/recent-articles/*.html`, `_default/list.html`, `article-link/*.html`, v2.103.0).

A site whose config has no such table keeps this engine's own look (the home page lists the
recent posts page by page; lists show bordered cards with summaries); once the table is
there, Blowfish's template defaults apply to what it leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from app.models import Page, PageTerm
from app.services import DbSession
from app.services.site.article import HasParams
from app.services.site.queries import published

LAYOUTS = ("page", "profile", "hero", "card", "background")
DEFAULT_LAYOUT = "page"
DEFAULT_RECENT_ITEMS = 5  # recent-articles/main.html
DEFAULT_MORE_DEST = "/posts/"


def _table(params: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = params.get(name)
    return value if isinstance(value, Mapping) else None


def _bool(value: Any, fallback: bool) -> bool:
    return value if isinstance(value, bool) else fallback


def _positive_int(value: Any, fallback: int) -> int:
    if isinstance(value, bool):
        return fallback
    try:
        number = int(value)
    except (TypeError, ValueError):
        return fallback
    return number if number > 0 else fallback


@dataclass(frozen=True)
class HomeOptions:
    """`[params.homepage]`: the layout and what the recent articles show."""

    layout: str = DEFAULT_LAYOUT
    show_recent: bool = False
    recent_items: int = DEFAULT_RECENT_ITEMS
    show_more_link: bool = False
    show_more_dest: str = DEFAULT_MORE_DEST
    card_view: bool = False
    card_view_wide: bool = False
    image: str = ""  # homepage.homepageImage, else params.defaultBackgroundImage
    image_filter: bool = True  # hero: the colour overlay (not homepage.disableHeroImageFilter)


def home_options(params: Mapping[str, Any]) -> HomeOptions | None:
    """The home page's Blowfish options; None when the site has no `[params.homepage]`.

    `layout` is one of LAYOUTS; any other value (`custom`, which needs the site's own
    partial, or none) is "page". `showRecentItems` is Blowfish's key for how many recent
    articles show (5 when unset).
    """
    home = _table(params, "homepage")
    if home is None:
        return None
    layout = str(home.get("layout") or "").strip().lower()
    image = home.get("homepageimage") or params.get("defaultbackgroundimage") or ""
    return HomeOptions(
        layout=layout if layout in LAYOUTS else DEFAULT_LAYOUT,
        show_recent=_bool(home.get("showrecent"), False),
        recent_items=_positive_int(home.get("showrecentitems"), DEFAULT_RECENT_ITEMS),
        show_more_link=_bool(home.get("showmorelink"), False),
        show_more_dest=str(home.get("showmorelinkdest") or DEFAULT_MORE_DEST).strip(),
        card_view=_bool(home.get("cardview"), False),
        card_view_wide=_bool(home.get("cardviewscreenwidth"), False),
        image=str(image).strip() if isinstance(image, str) else "",
        image_filter=not _bool(home.get("disableheroimagefilter"), False),
    )


def more_link(dest: str, lang_prefix: str) -> str:
    """`showMoreLinkDest | relLangURL`: an absolute URL as written, else a path in the
    page's language (`docs` and `/docs/` are both `/docs/`, `/fr/docs/` in French)."""
    if dest.lower().startswith(("http://", "https://")):
        return dest
    path = dest.strip("/")
    return f"{lang_prefix}/{path}/" if path else f"{lang_prefix}/"


@dataclass(frozen=True)
class ListOptions:
    """How a list page shows its pages (`[params.list]`, `[params.term]` for a term)."""

    card_view: bool = False  # a grid of cards instead of a column of entries
    card_view_wide: bool = False  # cardViewScreenWidth: the grid as wide as the screen
    group_by_year: bool = False  # a year heading (h2) over each year's pages
    show_cards: bool = True  # each entry of the column framed as a card
    show_summary: bool = True  # each entry's summary


def _param(own: HasParams | None, table: Mapping[str, Any] | None, key: str,
           fallback: bool) -> bool:
    """`.Params.X | default (site.Params.<table>.X | default fallback)`."""
    if own is not None and isinstance(own.param(key), bool):
        return bool(own.param(key))
    return _bool((table or {}).get(key.lower()), fallback)


def list_options(params: Mapping[str, Any], own: HasParams | None = None,
                 scope: str = "list") -> ListOptions:
    """A list page's options: its own front matter (`own`, its _index.md), then the site's
    `[params.<scope>]` (`list`, or `term` for a term's page, as Blowfish's term.html), then
    Blowfish's defaults when the site has that table, else this engine's."""
    table = _table(params, scope)
    list_table = _table(params, "list")
    return ListOptions(
        card_view=_param(own, table, "cardView", False),
        card_view_wide=_param(own, table, "cardViewScreenWidth", False),
        group_by_year=_param(own, table, "groupByYear", False)
        and not _param(own, table, "orderByWeight", False),
        show_cards=_param(None, list_table, "showCards", list_table is None),
        show_summary=_param(None, list_table, "showSummary", list_table is None),
    )


def summary_rule(params: Mapping[str, Any]) -> Callable[[HasParams], bool]:
    """Whether a listed page shows its summary: its own `showSummary`, else the site's
    `[params.list] showSummary` (Blowfish's article-link partials), else as list_options."""
    site_default = list_options(params).show_summary

    def shown(page: HasParams) -> bool:
        value = page.param("showSummary")
        return value if isinstance(value, bool) else site_default

    return shown


@dataclass(frozen=True)
class YearGroup:
    """The pages of one year, in list order (year 0: pages without a date)."""

    year: int
    items: list[Page]


def by_year(items: Iterable[Page]) -> list[YearGroup]:
    """Hugo's `.GroupByDate "2006"` over one list page: years newest first, each year's
    pages in their list order; pages without a date last."""
    ordered = sorted(items, key=lambda p: -(p.date.year if p.date else 0))
    return [YearGroup(year, list(group)) for year, group in
            groupby(ordered, key=lambda p: p.date.year if p.date else 0)]


def recent_posts(session: DbSession, lang: str, sections: list[str] | None,
                 limit: int) -> list[Page]:
    """The newest `limit` published regular pages of the main sections (Blowfish's recent
    articles): one query for the pages (their terms come with a second one)."""
    query = select(Page).where(Page.kind == "page", Page.lang == lang, published())
    if sections is not None:
        query = query.where(Page.section.in_(sections))
    query = (query.order_by(Page.date.desc().nulls_last(), Page.title, Page.url_path)
             .limit(limit)
             .options(defer(Page.body), defer(Page.plain_text),
                      selectinload(Page.terms).joinedload(PageTerm.term)))
    return list(session.execute(query).scalars())
