"""Reading served HTML in tests, as a reader's browser would see its structure."""

from __future__ import annotations

from bs4 import BeautifulSoup


def soup(data: bytes | str) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(data, "html.parser")
