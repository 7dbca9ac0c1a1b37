"""The reader-facing interface text in the site's languages, kept as data (<lang>.json).

A language code is matched as written (`pt-br`), then by its base language (`pt`), then
English, key by key: a catalogue may leave a text out and English shows instead.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent
FALLBACK = "en"


@lru_cache(maxsize=64)
def _load(code: str) -> dict[str, Any]:
    path = FOLDER / f"{code}.json"
    if not code.replace("-", "").isalnum() or not path.is_file():
        return {}
    strings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return strings


@lru_cache(maxsize=64)
def catalogues(lang: str | None) -> tuple[dict[str, Any], ...]:
    """The catalogues that answer for a language, most specific first, English last."""
    code = (lang or FALLBACK).lower().replace("_", "-")
    names = [code, code.split("-")[0], FALLBACK]
    return tuple(_load(name) for name in dict.fromkeys(names) if _load(name))


def _lookup(lang: str | None, part: str, key: str) -> Any:
    for catalogue in catalogues(lang):
        value = catalogue.get(part, {}).get(key) if part else catalogue.get(key)
        if value:
            return value
    return None


def translate(lang: str | None, key: str, **values: object) -> str:
    """The interface text `key` in `lang`, with {placeholders} filled; the key if unknown."""
    text = _lookup(lang, "text", key)
    return str(text).format(**values) if text else key


def translate_count(lang: str | None, key: str, count: int) -> str:
    """"1 comment" / "4 comments" in `lang` (one form for 1, the other for any other)."""
    forms = _lookup(lang, "plural", key)
    if not forms:
        return str(count)
    return str(forms[0] if count == 1 else forms[1]).format(n=count)


def format_date(lang: str | None, value: datetime | None) -> str:
    """A long date as the language writes it: "3 August 2023", "3 août 2023", "2023年8月3日"."""
    if value is None:
        return ""
    pattern = _lookup(lang, "", "date_format") or "{day} {month} {year}"
    months = _lookup(lang, "", "months") or []
    month = months[value.month - 1] if len(months) == 12 else str(value.month)
    return str(pattern).format(day=value.day, month=month, mon=value.month, year=value.year)
