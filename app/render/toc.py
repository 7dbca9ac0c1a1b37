"""Hugo's table of contents: the same tree and the same markup as .TableOfContents."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TocEntry:
    """A heading in the TOC tree; an entry with no id and no title is a placeholder."""

    id: str = ""
    level: int = 0
    title: str = ""  # inline HTML, sanitized
    children: list[TocEntry] = field(default_factory=list)

    def is_zero(self) -> bool:
        """True for Hugo's placeholder entries that stand in for skipped levels."""
        return not self.id and not self.title


def build_tree(headings: list[tuple[int, str, str]]) -> list[TocEntry]:
    """Arrange (level, id, title) headings into rows as Hugo's Builder.AddAt does."""
    rows: list[TocEntry] = []
    row = -1
    for level, anchor, title in headings:
        if level == 1 or row == -1:
            row += 1
        entry = TocEntry(anchor, level, title)
        while len(rows) <= row:
            rows.append(TocEntry())
        depth = level - 1
        if depth == 0:
            rows[row] = entry
            continue
        parent = rows[row]
        for _ in range(1, depth):
            if not parent.children:
                parent.children.append(TocEntry())
            parent = parent.children[-1]
        parent.children.append(entry)
    return rows


def _write_list(out: list[str], level: int, indent: int, entries: list[TocEntry],
                start: int, stop: int) -> None:
    if level < start:
        for entry in entries:
            _write_list(out, level + 1, indent, entry.children, start, stop)
        return
    if stop != -1 and level > stop:
        return
    if entries:
        out.append("\n" + "  " * (indent + 1) + "<ul>\n")
    for entry in entries:
        out.append("  " * (indent + 2) + "<li>")
        if not entry.is_zero():
            out.append(f'<a href="#{entry.id}">{entry.title}</a>')
        _write_list(out, level + 1, indent + 2, entry.children, start, stop)
        out.append("</li>\n")
    if entries:
        out.append("  " * (indent + 1) + "</ul>\n" + "  " * indent)


def toc_html(headings: list[tuple[int, str, str]], start: int = 2, stop: int = 3) -> str:
    """`<nav id="TableOfContents">` exactly as Hugo renders it for these headings."""
    out = ['<nav id="TableOfContents">']
    _write_list(out, 1, 0, build_tree(headings), start, stop)
    out.append("</nav>")
    return "".join(out)
