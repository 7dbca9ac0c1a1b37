"""What needs the whole site: sections and parents, cascades, branch dates, ref targets."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.content.pages import SiteOptions, SourcePage
from app.content.refs import RefIndex, collect
from app.content.urls import term_slug, term_url

BRANCH_KINDS = frozenset({"home", "section", "taxonomy", "term"})


def section_paths(pages: Iterable[SourcePage]) -> set[str]:
    """Hugo paths that are list pages: branch bundles and every top-level folder."""
    found = {"/"}
    for page in pages:
        if page.kind in BRANCH_KINDS:
            found.add(page.hugo_path)
        parts = page.hugo_path.strip("/").split("/")
        if len(parts) > 1:
            found.add("/" + parts[0])
    return found


def parent_of(path: str, sections: set[str]) -> str:
    """The nearest section above a Hugo path ("" for the home page itself)."""
    if path == "/":
        return ""
    parts = path.strip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        candidate = "/" + "/".join(parts[:end])
        if candidate in sections:
            return candidate
    return "/"


def _ancestors(page: SourcePage, sections: set[str]) -> list[str]:
    """The page's own path (a branch) and its parents' up to the home page, nearest first."""
    chain = [page.hugo_path] if page.kind in BRANCH_KINDS else []
    path = page.parent_path
    while path:
        chain.append(path)
        path = parent_of(path, sections)
    return chain


def _cascade_entries(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def _matches(target: Any, page: SourcePage) -> bool:
    if not isinstance(target, Mapping):
        return True
    kind, path, lang = target.get("kind"), target.get("path"), target.get("lang")
    if kind and not fnmatch.fnmatch(page.kind, str(kind)):
        return False
    if path and not fnmatch.fnmatch(page.hugo_path, str(path)):
        return False
    return not (lang and not fnmatch.fnmatch(page.lang, str(lang)))


def apply_cascades(pages: list[SourcePage], sections: set[str]) -> None:
    """Front matter `cascade` values become params of the branch and everything under it."""
    by_path = {(p.lang, p.hugo_path): p for p in pages if p.kind in BRANCH_KINDS}
    for page in pages:
        for path in _ancestors(page, sections):
            owner = by_path.get((page.lang, path))
            for entry in _cascade_entries(owner.cascade if owner else None):
                target = entry.get("_target", entry.get("target"))
                if not _matches(target, page):
                    continue
                for key, value in entry.items():
                    if key not in ("_target", "target") and key not in page.params:
                        page.params[key] = value


def _newest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def branch_dates(pages: list[SourcePage]) -> None:
    """A branch page without dates takes the newest of its descendants', as Hugo does."""
    children: dict[tuple[str, str], list[SourcePage]] = {}
    for page in pages:
        if page.parent_path and not page.draft:
            children.setdefault((page.lang, page.parent_path), []).append(page)
    done: set[int] = set()

    def visit(page: SourcePage) -> None:
        if id(page) in done:
            return
        done.add(id(page))
        kids = children.get((page.lang, page.hugo_path), []) if page.kind in BRANCH_KINDS else []
        for kid in kids:
            visit(kid)
        if kids and page.date is None and page.lastmod is None and page.publish_date is None:
            page.date = _newest(k.date for k in kids)
            page.lastmod = _newest(k.lastmod for k in kids)
            page.publish_date = _newest(k.publish_date for k in kids)

    for page in pages:
        visit(page)


def ref_index(pages: Iterable[SourcePage], options: SiteOptions) -> RefIndex:
    """Every page (and taxonomy list) a reference may name."""
    triples: list[tuple[str, str, str]] = []
    others: list[tuple[str, str, str]] = []
    langs: set[str] = set()
    for page in pages:
        langs.add(page.lang)
        if page.draft:
            continue
        triples.append((page.lang, page.hugo_path, page.url_path))
        prefix = options.lang_prefix(page.lang)
        for plural, names in page.terms.items():
            for name in names:
                slug = term_slug(name)
                if slug:
                    others.append((page.lang, f"/{plural}/{slug}", term_url(plural, slug, prefix)))
    for lang in langs:
        prefix = options.lang_prefix(lang)
        others += [(lang, f"/{plural}", f"{prefix}/{plural}/") for plural in options.taxonomies]
        others.append((lang, "/", f"{prefix}/"))
    return RefIndex.build(triples, others)


def page_dir(page: SourcePage) -> str:
    """The folder of a page's file as a Hugo path: where its relative references start."""
    parts = [p.lower().replace(" ", "-") for p in page.rel_dir.split("/") if p]
    return "/" + "/".join(parts)


def link_site(pages: list[SourcePage], options: SiteOptions,
              collected: Mapping[str, list[tuple[str, str | None]]] | None = None) -> None:
    """Fill in, on every page, what only the whole site tells: parents, cascades, dates, refs.
    `collected` may give, by source path, what refs.collect found in a page's body (a page
    whose body was not read)."""
    sections = section_paths(pages)
    for page in pages:
        page.parent_path = parent_of(page.hugo_path, sections)
    apply_cascades(pages, sections)
    branch_dates(pages)
    index = ref_index(pages, options)
    for page in pages:
        found = collected.get(page.source_path) if collected is not None else None
        page.refs = index.resolve_all(collect(page.body) if found is None else found,
                                      page.lang, page_dir(page),
                                      options.ref_not_found_url)
