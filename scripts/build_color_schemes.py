"""Write the colour-scheme block at the top of static/css/site.css from
app/services/site/schemes.py (Blowfish's palettes): run after changing a palette or a rule.

    .venv/bin/python scripts/build_color_schemes.py [--check]

--check changes nothing and exits 1 when the block is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.site.schemes import css  # noqa: E402

SITE_CSS = ROOT / "static" / "css" / "site.css"
BEGIN = "/* == colour schemes (scripts/build_color_schemes.py writes this block) == */\n"
END = "/* == end colour schemes == */\n"


def with_block(text: str) -> str:
    """site.css with its scheme block replaced by the current one."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + css() + text[end:]


def main(argv: list[str]) -> int:
    text = SITE_CSS.read_text()
    new = with_block(text)
    if "--check" in argv:
        if new != text:
            print("static/css/site.css: the colour-scheme block is out of date")
            return 1
        return 0
    if new != text:
        SITE_CSS.write_text(new)
        print("static/css/site.css: colour-scheme block written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
