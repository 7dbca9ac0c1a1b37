"""A small set of line icons drawn for this project, by the names Blowfish content uses."""

from __future__ import annotations

from markupsafe import escape

_BRANCH = (
    '<circle cx="6" cy="5" r="2"/><circle cx="6" cy="19" r="2"/><circle cx="18" cy="6" r="2"/>'
    '<path d="M6 7v10M18 8c0 5-7 4-11 9"/>'
)
_PLAY = '<rect x="2.5" y="5" width="19" height="14" rx="4"/><path d="M10 9v6l5-3z"/>'
_BUBBLE = '<path d="M4 5h16v11H10l-5 4v-4H4z"/>'
_XMARK = '<path d="M6 6l12 12M18 6L6 18"/>'
_CIRCLE_INFO = '<circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 8h.01"/>'

# Inner SVG markup (24x24 grid, stroked with currentColor) by Blowfish icon name.
ICONS: dict[str, str] = {
    "triangle-exclamation": '<path d="M12 3L2 20h20L12 3z"/><path d="M12 10v4M12 17h.01"/>',
    "circle-info": _CIRCLE_INFO,
    "info": _CIRCLE_INFO,
    "circle-question": (
        '<circle cx="12" cy="12" r="9"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 '
        '1.7M12 17h.01"/>'
    ),
    "check": '<path d="M5 12.5l4.5 4.5L19 7"/>',
    "circle-check": '<circle cx="12" cy="12" r="9"/><path d="M8 12.5l3 3 5-6"/>',
    "xmark": _XMARK,
    "x-twitter": _XMARK,
    "chevron-down": '<path d="M6 9l6 6 6-6"/>',
    "chevron-right": '<path d="M9 6l6 6-6 6"/>',
    "code": '<path d="M8 7l-5 5 5 5M16 7l5 5-5 5"/>',
    "star": (
        '<path d="M12 2.5l2.5 6.6 7 .3-5.5 4.4 1.9 6.8L12 16.7l-5.9 3.9 1.9-6.8-5.5-4.4 '
        '7-.3z"/>'
    ),
    "sun": (
        '<circle cx="12" cy="12" r="4"/><path d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 '
        '1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>'
    ),
    "moon": '<path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z"/>',
    "fire": (
        '<path d="M12 22c4 0 7-2.7 7-6.8 0-3.8-2.6-6.3-4.4-8.7-.6 2.2-1.7 3.4-3 4.1.3-3.5-1.2-'
        '6.6-4-8.6.2 3.6-2.6 5.9-3.6 8.5C3.4 14.5 5.5 22 12 22z"/>'
    ),
    "lightbulb": (
        '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2.1h5c0-.9.4-1.6 '
        '1-2.1A6 6 0 0 0 12 3z"/>'
    ),
    "heart": (
        '<path d="M12 20s-8-4.8-8-10.5A4.5 4.5 0 0 1 12 7a4.5 4.5 0 0 1 8 2.5C20 15.2 12 20 '
        '12 20z"/>'
    ),
    "bug": (
        '<rect x="7" y="7" width="10" height="13" rx="5"/><path d="M12 11v9M3 13h4M17 13h4M4 '
        '7l3 2M20 7l-3 2M4 20l3-2M20 20l-3-2M9 7a3 3 0 0 1 6 0"/>'
    ),
    "fork": _BRANCH,
    "code-fork": _BRANCH,
    "code-branch": _BRANCH,
    "git": _BRANCH,
    "github": _BRANCH,
    "gitlab": _BRANCH,
    "gitea": _BRANCH,
    "forgejo": _BRANCH,
    "codeberg": _BRANCH,
    "gist": '<path d="M14 3H6v18h12V7z"/><path d="M14 3v4h4M10 12l-2 2 2 2M14 12l2 2-2 2"/>',
    "file": '<path d="M14 3H6v18h12V7z"/><path d="M14 3v4h4"/>',
    "link": (
        '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 '
        '3a4 4 0 0 0 5.7 5.7l1-1"/>'
    ),
    "envelope": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>',
    "image": (
        '<rect x="3" y="4" width="18" height="16" rx="2"/><circle cx="9" cy="10" r="2"/>'
        '<path d="M21 16l-5-5-9 9"/>'
    ),
    "youtube": _PLAY,
    "vimeo": _PLAY,
    "video": _PLAY,
    "twitter": _BUBBLE,
    "x": _XMARK,
    "comment": _BUBBLE,
    "instagram": (
        '<rect x="3" y="3" width="18" height="18" rx="5"/><circle cx="12" cy="12" r="4"/>'
        '<path d="M17.5 6.5h.01"/>'
    ),
    "huggingface": (
        '<circle cx="12" cy="12" r="9"/><path d="M8 14c1 1.5 2.3 2 4 2s3-.5 4-2M9 9.5h.01M15 '
        '9.5h.01"/>'
    ),
    "ansible": '<circle cx="12" cy="12" r="9"/><path d="M8.5 16.5L12 7l3.5 9.5M9.7 13.5h4.6"/>',
}


def icon_svg(name: str) -> str:
    """An inline SVG for a known icon name, else a text span with the name."""
    inner = ICONS.get(name.strip().lower())
    if inner is None:
        return f'<span class="sc-icon-name">{escape(name)}</span>'
    return (
        '<svg class="sc-svg" viewBox="0 0 24 24" width="1em" height="1em" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f'aria-hidden="true" focusable="false">{inner}</svg>'
    )


def has_icon(name: str) -> bool:
    """True when the set has an SVG for ``name``."""
    return name.strip().lower() in ICONS
