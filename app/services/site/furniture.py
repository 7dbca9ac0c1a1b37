"""The article furniture Blowfish hangs around a post, each on its own param: breadcrumbs
(`showBreadcrumbs`), the edit link (`showEdit`, `editURL`, `editAppendPath`), zen mode
(`showZenMode`), the series box (app/services/site/series.py) and the smart table of
contents (site params `smartTOC`, `smartTOCHideUnfocusedChildren`).

Every param resolves as Blowfish writes it: `.Params.X | default (site.Params.article.X |
default HARDCODED)` (article_flag for the booleans).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.models import Page
from app.services import DbSession
from app.services.site.article import HasParams, article_flag
from app.services.site.queries import published
from app.services.site.series import Series, page_series

# Blowfish's hard-coded fallbacks that are not off. editAppendPath: the theme's
# [params.article] default (config/_default/params.toml), which every new site copies.
HARDCODED: Mapping[str, bool] = {"editappendpath": True}


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb trail."""

    title: str
    url_path: str
    current: bool = False


@dataclass(frozen=True)
class Furniture:
    """What a post page shows around its text, each None or False when its param is off."""

    series: Series | None
    breadcrumbs: tuple[Crumb, ...]
    edit_url: str | None
    zen_mode: bool
    smart_toc: bool
    smart_toc_hide_children: bool


def _is_set(value: Any) -> bool:
    """Hugo's `default`: any bool is set; "", 0, nil and empty collections are not."""
    if isinstance(value, bool):
        return True
    if value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    if isinstance(value, int | float):
        return value != 0
    return True


def article_value(page: HasParams, defaults: Mapping[str, Any], name: str,
                  fallback: Any = None) -> Any:
    """A non-boolean article param (editURL): front matter, else the site's
    `[params.article]`, else `fallback`, each taken only when set (Hugo's `default`)."""
    value = page.param(name)
    if _is_set(value):
        return value
    value = defaults.get(name.lower())
    return value if _is_set(value) else fallback


def _flag(page: HasParams, defaults: Mapping[str, Any], name: str) -> bool:
    return article_flag(page, {**HARDCODED, **defaults}, name)


def site_param(params: Mapping[str, Any], *path: str) -> Any:
    """A site param by its (case-insensitive) path, e.g. ("list", "showBreadcrumbs")."""
    value: Any = params
    for key in path:
        if not isinstance(value, Mapping):
            return None
        wanted = key.lower()
        value = next((v for k, v in value.items() if str(k).lower() == wanted), None)
    return value


def edit_url(page: Page, defaults: Mapping[str, Any]) -> str | None:
    """Blowfish's edit link (partials/meta/edit.html): editURL, plus the file's path in the
    content folder (Hugo's .File.Path) when editAppendPath; None unless showEdit is on and
    an editURL is set."""
    if not _flag(page, defaults, "showEdit"):
        return None
    url = article_value(page, defaults, "editURL")
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if _flag(page, defaults, "editAppendPath"):
        path = page.source_path.strip("/")
        url = f"{url}{'' if url.endswith('/') else '/'}{path}"
    return url


def _title_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").title()


def breadcrumbs(session: DbSession, lang: str, hugo_path: str, home: Crumb,
                current: Crumb) -> tuple[Crumb, ...]:
    """Blowfish's crumbs (partials/breadcrumbs.html): the home page, each section above the
    page (its `.Parent` chain: branch bundles and every top-level folder, as Hugo makes
    them), then the page itself. One query for the whole trail."""
    parts = [p for p in hugo_path.strip("/").split("/") if p]
    prefixes = ["/" + "/".join(parts[:end]) for end in range(1, len(parts))]
    rows = {row.hugo_path: row for row in session.execute(
        select(Page.hugo_path, Page.title, Page.link_title, Page.url_path)
        .where(Page.hugo_path.in_(["/", *prefixes]), Page.lang == lang,
               Page.kind != "page", published())
    ).all()}
    home_row = rows.get("/")
    trail = [Crumb(home_row.title or home.title, home_row.url_path) if home_row else home]
    for depth, prefix in enumerate(prefixes):
        row = rows.get(prefix)
        if row is not None:
            trail.append(Crumb(row.title or row.link_title or _title_of(prefix), row.url_path))
        elif depth == 0:  # a top-level folder without _index.md: Hugo's own section page
            trail.append(Crumb(_title_of(prefix), f"{trail[0].url_path.rstrip('/')}{prefix}/"))
    trail.append(Crumb(current.title, current.url_path, current=True))
    return tuple(trail)


def for_post(session: DbSession, page: Page, defaults: Mapping[str, Any],
             params: Mapping[str, Any], home: Crumb) -> Furniture:
    """The furniture of a post page (`home`: the site's home in the page's language)."""
    crumbs: tuple[Crumb, ...] = ()
    if article_flag(page, defaults, "showBreadcrumbs"):
        crumbs = breadcrumbs(session, page.lang, page.hugo_path, home,
                             Crumb(page.title or page.link_title, page.url_path))
    return Furniture(
        series=page_series(session, page, defaults),
        breadcrumbs=crumbs,
        edit_url=edit_url(page, defaults),
        zen_mode=article_flag(page, defaults, "showZenMode"),
        # `{{ if .Site.Params.smartTOC }}`: the template's truth, not only a boolean.
        smart_toc=bool(site_param(params, "smartTOC")),
        smart_toc_hide_children=bool(site_param(params, "smartTOCHideUnfocusedChildren")),
    )


def list_shows_breadcrumbs(intro: HasParams | None, params: Mapping[str, Any],
                           kind: str) -> bool:
    """Blowfish's list.html and term.html: `.Params.showBreadcrumbs | default
    (site.Params.list.showBreadcrumbs | default false)` (`term` for term pages)."""
    own = intro.param("showBreadcrumbs") if intro is not None else None
    if isinstance(own, bool):
        return own
    return bool(site_param(params, "term" if kind == "term" else "list", "showBreadcrumbs"))
