"""The site's menus (`[[menus.main]]`, per language) resolved to links, in Hugo's order.

An entry names its target with `pageRef` (a page or section, resolved to that page's URL in
the menu's language) or `url` (used as written); `name` defaults to the page's link title,
`identifier` to the name, and `parent` nests an entry under another's identifier. Hugo's
order: by weight with 0 last, then by name (case-insensitively), then by identifier.
`pre`, `post` and `params` hold theme HTML and are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, literal_column, select

from app.content.urls import escape_path
from app.models import Page
from app.services import DbSession
from app.services.site.queries import published


@dataclass(frozen=True)
class MenuItem:
    """One link of a menu, with the entries nested under it."""

    name: str
    url: str
    title: str = ""
    identifier: str = ""
    weight: int = 0
    children: tuple[MenuItem, ...] = ()


def page_ref_paths(ref: str) -> list[str]:
    """The Hugo paths a pageRef may name: `/docs/`, `docs/_index.md` -> `/docs`."""
    path = "/" + ref.strip().strip("/")
    for suffix in (".md", ".markdown", ".html"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    for tail in ("/_index", "/index"):
        if path.endswith(tail):
            path = path[: -len(tail)] or "/"
    return [path if path == "/" else path.rstrip("/")]


def _resolve_ref(session: DbSession, ref: str, lang: str, prefix: str) -> tuple[str, str] | None:
    """(URL, link title) of the page a pageRef names in `lang`, or None."""
    paths = page_ref_paths(ref)
    page = session.execute(
        select(Page.url_path, Page.link_title, Page.title)
        .where(Page.hugo_path.in_(paths), Page.lang == lang, published())
        .order_by(Page.kind == "page")  # a section's _index before a page of the same path
    ).first()
    if page is not None:
        return escape_path(page.url_path), page.link_title or page.title
    # A top-level folder without an _index.md still has a list page (app/blog/views.py).
    section = paths[0].strip("/")
    if section and "/" not in section and session.execute(
        select(Page.id).where(Page.section == section, Page.lang == lang, published()).limit(1)
    ).first():
        return escape_path(f"{prefix}/{section}/"), section.replace("-", " ").title()
    return None


_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _safe_url(url: str) -> str:
    """A url entry as written, unless it names a scheme that runs code (javascript:)."""
    url = url.strip()
    scheme = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" in scheme and not scheme.lower().startswith(_SAFE_SCHEMES):
        return ""
    return url


def _order(item: MenuItem) -> tuple[bool, int, str, str, str]:
    return (item.weight == 0, item.weight, item.name.lower(), item.name, item.identifier)


def _nest(items: list[tuple[MenuItem, str]]) -> list[MenuItem]:
    """Entries with a parent go under the entry with that identifier (unknown: top level)."""
    known = {item.identifier for item, _ in items}
    children: dict[str, list[MenuItem]] = {}
    for item, parent in items:
        if parent and parent in known and parent != item.identifier:
            children.setdefault(parent, []).append(item)

    def build(item: MenuItem, seen: frozenset[str]) -> MenuItem:
        kids = [build(kid, seen | {kid.identifier}) for kid in children.get(item.identifier, [])
                if kid.identifier not in seen]
        return MenuItem(item.name, item.url, item.title, item.identifier, item.weight,
                        tuple(sorted(kids, key=_order)))

    top = [item for item, parent in items if not (parent and parent in known
                                                  and parent != item.identifier)]
    built = [build(item, frozenset({item.identifier})) for item in top]
    return sorted((_prune(item) for item in built if _shown(item)), key=_order)


def _shown(item: MenuItem) -> bool:
    """A link, or a heading over links (an entry with neither a target nor children goes)."""
    return bool(item.url) or any(_shown(kid) for kid in item.children)


def _prune(item: MenuItem) -> MenuItem:
    kids = tuple(_prune(kid) for kid in item.children if _shown(kid))
    return MenuItem(item.name, item.url, item.title, item.identifier, item.weight, kids)


def resolve_menu(session: DbSession, entries: Iterable[Mapping[str, Any]], lang: str,
                 prefix: str) -> list[MenuItem]:
    """A menu's entries as links for `lang` (whose URLs start with `prefix`), nested and
    in Hugo's order. An entry whose pageRef names no published page, and that has no url
    to fall back on, is shown only as the heading of the entries under it, never as a
    broken link."""
    items: list[tuple[MenuItem, str]] = []
    for entry in entries:
        url, name = _safe_url(str(entry.get("url") or "")), str(entry.get("name") or "")
        if entry.get("page_ref"):
            found = _resolve_ref(session, str(entry["page_ref"]), lang, prefix)
            if found is not None:
                url, name = found[0], name or found[1]
        if not name:
            continue
        identifier = str(entry.get("identifier") or name)
        items.append((MenuItem(name, url, str(entry.get("title") or ""), identifier,
                               int(entry.get("weight") or 0)), str(entry.get("parent") or "")))
    return _nest(items)


def _front_matter_menus(params: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A page's `menu`/`menus` front matter as {menu name: its entry settings}."""
    raw = params.get("menus", params.get("menu"))
    if isinstance(raw, str):
        return {raw: {}}
    if isinstance(raw, list):
        return {str(name): {} for name in raw if isinstance(name, str)}
    if isinstance(raw, Mapping):
        return {str(name): (conf if isinstance(conf, Mapping) else {})
                for name, conf in raw.items()}
    return {}


# Pages that add themselves to a menu mention "menu" in their params. Written as a literal,
# word for word the condition of SQLite's partial index ix_pages_menu_params (migration
# 0015), so that the query reads only those pages instead of every page of the language.
MENU_PARAMS_PATTERN = "'%\"menu%'"


def page_entries(session: DbSession, name: str, lang: str) -> list[dict[str, Any]]:
    """The entries pages add to a menu from their front matter (`menu: main`, or
    `menu: {main: {weight: 10, parent: docs}}`): the page's URL, named by its link title,
    weighted by its own weight unless the entry sets one."""
    rows = session.execute(
        select(Page.url_path, Page.link_title, Page.title, Page.weight, Page.params)
        .where(Page.lang == lang, published(),
               func.lower(cast(Page.params, String)).like(literal_column(MENU_PARAMS_PATTERN)))
    ).all()
    entries = []
    for row in rows:
        menus = _front_matter_menus(row.params or {})
        if name not in menus:
            continue
        conf = {str(key).lower(): value for key, value in menus[name].items()}
        weight = conf.get("weight")
        entries.append({
            "name": str(conf.get("name") or row.link_title or row.title), "url":
            escape_path(row.url_path), "weight": weight if isinstance(weight, int) else row.weight,
            "identifier": str(conf.get("identifier") or ""),
            "parent": str(conf.get("parent") or ""), "title": str(conf.get("title") or "")})
    return entries


def section_links(session: DbSession, sections: Iterable[str], lang: str,
                  prefix: str) -> list[MenuItem]:
    """Links to the list pages of sections (a header without a configured menu)."""
    out = []
    for section in sections:
        found = _resolve_ref(session, section, lang, prefix)
        if found is not None:
            out.append(MenuItem(found[1] or section.title(), found[0]))
    return out
