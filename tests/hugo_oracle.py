"""Helpers for comparing imported pages with hugo-oracle.json, field by field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.models import Page
from app.render.pipeline import Rendered

LANG_ORDER = ["en", "fr", "de", "it", "pt-pt", "es", "pt-br", "ja", "zh-cn"]
TAXONOMIES = ("tags", "categories", "authors", "series")
_TOC_TOKEN = re.compile(r'<(/?)ul>|<a href="#([^"]*)">')
_CODE_RE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
RAW_SHORTCODE = re.compile(r"\{\{(?:<|%|&lt;)")


def iso(value: datetime | None) -> str | None:
    """A stored date as the oracle writes it."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def toc_entries(toc: str) -> list[tuple[int, str]]:
    """(nesting depth, id) of every link of a TOC, in order."""
    depth, out = 0, []
    for closing, anchor in _TOC_TOKEN.findall(toc or ""):
        if anchor:
            out.append((depth, anchor))
        elif closing:
            depth -= 1
        else:
            depth += 1
    return out


def lang_sorted(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(lang, url) pairs in the site's language order (es and pt-br share a weight)."""
    return sorted(items, key=lambda t: (LANG_ORDER.index(t[0]), t[0]))


def raw_shortcodes(html: str) -> list[str]:
    """Shortcode syntax left in a page outside <pre>/<code> (where examples are shown)."""
    visible = _CODE_RE.sub("", _SCRIPT_RE.sub("", html))
    return [visible[m.start() - 40: m.end() + 40] for m in RAW_SHORTCODE.finditer(visible)]


def _terms(page: Page, plural: str) -> list[Any]:
    return [link.term for link in page.terms if link.term.taxonomy == plural]


def ours(page: Page, rendered: Rendered, children: list[str],
         translations: list[tuple[str, str]], term_href: Callable[[Any], str]) -> dict[str, Any]:
    """The compared fields of an imported page."""
    values: dict[str, Any] = {
        "url": page.url_path, "title": page.title, "linkTitle": page.link_title,
        "kind": page.kind, "section": page.section, "weight": page.weight,
        "date": iso(page.date), "lastmod": iso(page.lastmod),
        "publishDate": iso(page.publish_date), "expiryDate": iso(page.expiry_date),
        "draft": page.draft, "aliases": sorted(a.path for a in page.aliases),
        "headings": [(h.level, h.id) for h in rendered.headings],
        "toc entries": toc_entries(rendered.toc), "toc html": rendered.toc,
        "translations": lang_sorted(translations), "childPaths": children,
        "wordCount": page.word_count, "readingTime": page.reading_time,
        "truncated": page.truncated,
    }
    for plural in TAXONOMIES:
        values[plural] = [term_href(t) for t in _terms(page, plural)]
        values[f"{plural} names"] = [t.title or t.name for t in _terms(page, plural)]
    return values


def expected(record: dict[str, Any]) -> dict[str, Any]:
    """The same fields from an oracle record."""
    values: dict[str, Any] = {
        "url": record["relpermalink"], "title": record["title"],
        "linkTitle": record["linkTitle"], "kind": record["kind"], "section": record["section"],
        "weight": record["weight"], "date": record["date"], "lastmod": record["lastmod"],
        "publishDate": record["publishDate"], "expiryDate": record["expiryDate"],
        "draft": record["draft"], "aliases": sorted(record["aliases"] or []),
        "headings": [(h["level"], h["id"]) for h in record["headings"]],
        "toc entries": toc_entries(record["tableOfContents"]),
        "toc html": record["tableOfContents"],
        "translations": lang_sorted((t["lang"], t["relpermalink"])
                                    for t in record["translations"]),
        "childPaths": record["childPaths"] if record["kind"] != "page" else [],
        "wordCount": record["wordCount"], "readingTime": record["readingTime"],
        "truncated": record["truncated"],
    }
    for plural in TAXONOMIES:
        values[plural] = [t["relpermalink"] for t in record[plural]]
        values[f"{plural} names"] = [t["name"] for t in record[plural]]
    return values


@dataclass
class Agreement:
    """Per field: how many pages agree, and examples of those that do not."""

    total: dict[str, int] = field(default_factory=dict)
    agree: dict[str, int] = field(default_factory=dict)
    misses: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)

    def add(self, where: str, mine: dict[str, Any], theirs: dict[str, Any]) -> None:
        """Count one page's fields."""
        for name, value in theirs.items():
            self.total[name] = self.total.get(name, 0) + 1
            if mine.get(name) == value:
                self.agree[name] = self.agree.get(name, 0) + 1
            else:
                self.misses.setdefault(name, []).append((where, mine.get(name), value))

    def ratio(self, name: str) -> float:
        """The share of pages that agree on a field."""
        return self.agree.get(name, 0) / self.total[name] if self.total.get(name) else 1.0

    def table(self) -> str:
        """A printable table: field, agreeing pages, total, percentage, first difference."""
        lines = [f"{'field':<18} {'agree':>6} {'of':>6} {'%':>7}  first difference",
                 "-" * 100]
        for name in self.total:
            miss = self.misses.get(name, [])
            first = f"{miss[0][0]}: ours={miss[0][1]!r:.60} hugo={miss[0][2]!r:.60}" if miss else ""
            lines.append(f"{name:<18} {self.agree.get(name, 0):>6} {self.total[name]:>6} "
                         f"{100 * self.ratio(name):>6.2f}%  {first}")
        return "\n".join(lines)
