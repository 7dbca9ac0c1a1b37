"""Identicons drawn locally from a keyed hash: no request to any other host, no email hash."""

from __future__ import annotations

import functools
import hashlib


@functools.lru_cache(maxsize=4096)
def identicon_svg(key: str, size: int = 40, label: str = "") -> str:
    """A 5x5 mirrored pattern in one colour, as inline SVG, from an opaque key."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = digest[0] * 360 // 256
    colour = f"hsl({hue} 55% 45%)"
    cells = []
    for row in range(5):
        for col in range(3):
            if digest[1 + row * 3 + col] & 1:
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    aria = f'role="img" aria-label="{label}"' if label else 'aria-hidden="true"'
    return (
        f'<svg class="avatar" {aria} width="{size}" height="{size}" viewBox="-0.5 -0.5 6 6" '
        f'xmlns="http://www.w3.org/2000/svg"><rect x="-0.5" y="-0.5" width="6" height="6" '
        f'fill="hsl({hue} 40% 92%)"/><g fill="{colour}">{"".join(cells)}</g></svg>'
    )
