"""Heading ids as Hugo's GitHub style makes them, de-duplicated per page."""

from __future__ import annotations

import unicodedata


def _is_letter_or_digit(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Go's unicode.IsLetter is category L*, unicode.IsDigit is Nd.
    return category.startswith("L") or category == "Nd"


_ASCII_KEPT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def github_id(text: str) -> str:
    """Hugo's `github` autoIDType: lower-case letters, digits and _; space and - become -."""
    text = text.strip()
    if text.isascii():
        return "".join("-" if ch in " -" else ch for ch in text if ch in _ASCII_KEPT
                       or ch in " -").lower()
    out = []
    for ch in text:
        if ch in (" ", "-"):
            out.append("-")
        elif ch == "_" or _is_letter_or_digit(ch):
            out.append(ch.lower())
    return "".join(out)


class IdRegistry:
    """Hands out unique ids in document order: `x`, then `x-1`, `x-2`, ..."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def reserve(self, anchor: str) -> None:
        """Mark an explicit id ({#id}) as taken."""
        self._used.add(anchor)

    def unique(self, base: str) -> str:
        """A free id derived from base (or `heading` when base is empty)."""
        base = base or "heading"
        candidate = base
        number = 1
        while candidate in self._used:
            candidate = f"{base}-{number}"
            number += 1
        self._used.add(candidate)
        return candidate
