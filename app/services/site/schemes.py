"""Blowfish's colour schemes (`params.colorScheme`) as the few colours this site's CSS uses.

Each Blowfish scheme is three ten-step palettes (neutral, primary, secondary; RGB triplets
from Blowfish's assets/css/schemes/*.css, v2.x). The site's styles read ten tokens per
appearance, picked from those palettes the way Blowfish's templates pick them: light pages
are white with neutral-700 text and primary-700 links, dark pages neutral-800 with
neutral-300 text and primary-400 links. Where a scheme's step is too faint for WCAG AA
(4.5:1 for text) against the backgrounds it is shown on, the next darker step (light) or
lighter step (dark) is taken instead; a scheme with no passing step is not shipped.

`css()` is the block at the top of static/css/site.css (written by
scripts/build_color_schemes.py; tests/test_color_schemes.py checks it is current).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

RGB = tuple[int, int, int]
STEPS = (50, 100, 200, 300, 400, 500, 600, 700, 800, 900)
DEFAULT = "blowfish"
AA = 4.5  # WCAG 2.1 AA, normal text
TINT = 1.04  # a background this close to white reads as white


def _palette(text: str) -> tuple[RGB, ...]:
    """Ten 'r,g,b' triplets separated by ';' (steps 50 to 900)."""
    out: list[RGB] = []
    for item in text.split(";"):
        r, g, b = (int(x) for x in item.split(","))
        out.append((r, g, b))
    assert len(out) == len(STEPS), text
    return tuple(out)


_SLATE = ("248,250,252;241,245,249;226,232,240;203,213,225;148,163,184;100,116,139;"
          "71,85,105;51,65,85;30,41,59;15,23,42")
_STONE = ("250,250,249;245,245,244;231,229,228;214,211,209;168,162,158;120,113,108;"
          "87,83,78;68,64,60;41,37,36;28,25,23")
_BLUE = ("239,246,255;219,234,254;191,219,254;147,197,253;96,165,250;59,130,246;"
         "37,99,235;29,78,216;30,64,175;30,58,138")
_CYAN = ("236,254,255;207,250,254;165,243,252;103,232,249;34,211,238;6,182,212;"
         "8,145,178;14,116,144;21,94,117;22,78,99")

# name: (neutral, primary, secondary)
_RAW: dict[str, tuple[str, str, str]] = {
    "blowfish": (_SLATE, _BLUE, _CYAN),
    "avocado": (_STONE,
                "247,254,231;236,252,203;217,249,157;190,242,100;163,230,53;132,204,22;"
                "101,163,13;77,124,15;63,98,18;54,83,20",
                "236,253,245;209,250,229;167,243,208;110,231,183;52,211,153;16,185,129;"
                "5,150,105;4,120,87;6,95,70;6,78,59"),
    # Blowfish's ocean has the same palettes as its default.
    "ocean": (_SLATE, _BLUE, _CYAN),
    "fire": (_STONE,
             "255,247,237;255,237,213;254,215,170;253,186,116;251,146,60;249,115,22;"
             "234,88,12;194,65,12;154,52,18;124,45,18",
             "255,241,242;255,228,230;254,205,211;253,164,175;251,113,133;244,63,94;"
             "225,29,72;190,18,60;159,18,57;136,19,55"),
    "forest": ("255,255,255;232,238,237;188,206,203;143,174,170;101,140,134;84,116,111;"
               "67,93,89;50,69,66;33,45,43;16,21,21",
               "255,255,255;255,255,255;205,252,247;132,249,235;59,245,223;20,243,217;"
               "11,212,188;9,173,153;7,134,119;5,95,84",
               "255,255,255;194,253,219;120,251,175;45,249,130;6,212,92;5,172,75;"
               "4,133,58;3,93,40;2,53,23;0,14,6"),
    "princess": ("255,255,255;238,232,238;206,188,206;174,143,174;140,101,140;116,84,116;"
                 "93,67,93;69,50,69;45,33,45;21,16,21",
                 "255,255,255;255,255,255;252,205,252;249,132,247;245,59,242;243,20,239;"
                 "212,11,208;173,9,170;134,7,132;95,5,94",
                 "255,255,255;227,194,253;192,120,251;157,45,249;119,6,212;97,5,172;"
                 "74,4,133;52,3,93;30,2,53;8,0,14"),
    "congo": ("250,250,250;244,244,245;228,228,231;212,212,216;161,161,170;113,113,122;"
              "82,82,91;63,63,70;39,39,42;24,24,27",
              "245,243,255;237,233,254;221,214,254;196,181,253;167,139,250;139,92,246;"
              "124,58,237;109,40,217;91,33,182;76,29,149",
              "253,244,255;250,232,255;245,208,254;240,171,252;232,121,249;217,70,239;"
              "192,38,211;162,28,175;134,25,143;112,26,117"),
    "slate": ("249,250,251;243,244,246;229,231,235;209,213,219;156,163,175;107,114,128;"
              "75,85,99;55,65,81;31,41,55;17,24,39",
              _SLATE,
              "249,250,251;243,244,246;229,231,235;209,213,219;156,163,175;107,114,128;"
              "75,85,99;55,65,81;31,41,55;17,24,39"),
    "github": ("248,250,252;241,245,249;226,232,240;203,213,225;148,163,184;100,116,139;"
               "71,85,105;51,57,65;20,25,31;15,23,42",
               "226,242,255;186,221,255;141,201,255;91,179,255;50,162,255;0,146,255;"
               "23,131,255;31,113,235;35,95,216;38,61,185",
               "255,236,241;255,208,218;253,157,166;249,117,130;255,79,98;255,57,73;"
               "255,48,72;237,36,65;224,27,58;209,4,45"),
    "one-light": ("248,248,248;241,241,241;226,226,226;203,203,203;188,188,188;100,100,100;"
                  "71,71,71;45,45,45;23,23,23;15,15,15",
                  "224,244,255;179,224,255;128,202,255;77,179,249;31,158,234;0,122,204;"
                  "0,110,184;0,94,163;0,79,143;0,57,111",
                  "225,244,238;182,227,212;135,209,184;88,190,157;55,175,137;32,160,119;"
                  "28,146,107;22,130,92;12,114,79;0,86,52"),
    "noir": ("255,255,255;255,255,255;214,219,222;172,183,188;129,146,154;92,107,115;"
             "74,86,92;56,65,70;38,44,47;19,23,24",
             "255,255,255;255,255,255;255,255,255;250,251,252;204,216,222;157,180,192;"
             "132,161,176;107,142,160;89,121,138;73,99,113",
             "255,255,255;255,255,255;182,240,255;105,225,255;28,209,255;0,165,207;"
             "0,132,166;0,100,125;0,67,85;0,35,44"),
    "autumn": ("255,255,255;214,251,252;142,245,247;70,239,243;15,217,222;10,147,150;"
               "7,110,112;5,72,74;2,35,35;0,0,0",
               "255,255,255;255,255,255;255,240,212;255,213,136;255,187,59;238,155,0;"
               "197,128,0;156,102,0;116,75,0;75,49,0",
               "255,255,255;255,246,241;254,194,166;252,142,91;251,91,15;187,62,3;"
               "147,49,2;107,35,2;67,22,1;26,9,0"),
    "neon": ("255,255,255;255,255,255;218,196,249;175,126,243;131,56,236;108,22,229;"
             "91,18,192;73,15,155;56,11,118;38,8,80",
             "255,255,255;255,230,241;255,153,197;255,77,154;255,0,110;214,0,92;"
             "173,0,75;133,0,57;92,0,40;51,0,22",
             "255,255,255;255,255,255;211,228,255;135,181,255;58,134,255;17,109,255;"
             "0,89,231;0,74,191;0,58,150;0,42,109"),
    "bloody": ("255,255,255;254,197,207;253,121,144;251,46,82;217,4,41;177,3,33;"
               "137,3,26;97,2,18;57,1,11;17,0,3",
               "255,255,255;255,255,255;230,233,238;186,193,206;141,153,174;117,132,157;"
               "97,111,136;80,92,113;63,72,89;46,53,65",
               "255,255,255;217,230,238;164,195,215;111,160,192;69,123,157;57,101,129;"
               "44,79,100;32,56,72;19,34,44;7,12,15"),
    "terminal": ("203,255,227;126,255,186;49,255,145;0,228,106;0,152,71;0,75,35;"
                 "0,50,23;0,24,11;0,24,11;0,0,0",
                 "255,255,255;236,255,227;184,255,150;132,255,74;80,252,0;56,176,0;"
                 "48,151,0;40,125,0;40,125,0;7,23,0",
                 "255,255,255;239,248,252;173,220,242;107,192,231;41,164,220;26,117,159;"
                 "22,101,137;19,85,115;19,85,115;4,20,28"),
}

WHITE: RGB = (255, 255, 255)
# Colours site.css sets whatever the scheme (messages, alerts, the comment form's error), by
# appearance: a scheme is shipped only when they too are readable on its backgrounds.
STATUS: Mapping[str, tuple[RGB, ...]] = MappingProxyType({
    "light": ((0x16, 0x65, 0x34), (0x92, 0x40, 0x0e), (0x99, 0x1b, 0x1b), (0xb4, 0x23, 0x18)),
    "dark": ((0x4a, 0xde, 0x80), (0xfb, 0xbf, 0x24), (0xf8, 0x71, 0x71), (0xfc, 0xa5, 0xa5)),
})


def luminance(rgb: RGB) -> float:
    """WCAG 2.1 relative luminance."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_colour(rgb: RGB) -> str:
    """#rrggbb."""
    return "#" + "".join(f"{v:02x}" for v in rgb)


class SchemeError(ValueError):
    """A scheme whose palettes give no readable colour for a token."""


def _step(palette: tuple[RGB, ...], step: int) -> RGB:
    return palette[STEPS.index(step)]


def _readable(palette: tuple[RGB, ...], start: int, darker: bool, against: list[RGB],
              name: str) -> RGB:
    """The first step from `start` (towards 900 when `darker`, else towards 50) that has
    AA contrast against every colour in `against`."""
    index = STEPS.index(start)
    order = STEPS[index:] if darker else tuple(reversed(STEPS[:index + 1]))
    for step in order:
        colour = _step(palette, step)
        if all(contrast(colour, bg) >= AA for bg in against):
            return colour
    raise SchemeError(f"{name}: no step from {start} reaches {AA}:1")


def _tinted(palette: tuple[RGB, ...], start: int) -> RGB:
    """The first step from `start` towards 900 that is not (nearly) white."""
    for step in STEPS[STEPS.index(start):]:
        colour = _step(palette, step)
        if contrast(colour, WHITE) >= TINT:
            return colour
    raise SchemeError(f"no tinted step from {start}")


def _next(palette: tuple[RGB, ...], colour: RGB) -> int:
    """The step after the one whose colour is `colour`."""
    return STEPS[min(palette.index(colour) + 1, len(STEPS) - 1)]


# The tokens, in the order they are written. Backgrounds: bg (page), bg-soft (code, quotes,
# forms, table of contents), accent-soft (tags, highlights). Text: fg (body), heading,
# muted (dates, captions, input borders), accent (links, buttons; the page background is the
# text colour on an accent button), code (inline code). border and accent-line (link
# underlines) are decoration.
TOKENS = ("bg", "bg-soft", "border", "fg", "heading", "muted", "accent", "accent-soft",
          "accent-line", "code", "code-bg")
# The light Pygments colours in site.css are readable (4.5:1) on this grey and anything
# lighter: a light scheme's code blocks are its bg-soft, mixed with white until that light.
PYGMENTS_LIGHT_BG: RGB = (0xf5, 0xf5, 0xf4)


def _code_bg(soft: RGB) -> RGB:
    for percent in range(0, 101, 5):
        mixed = tuple(round(c + (255 - c) * percent / 100) for c in soft)
        colour: RGB = (mixed[0], mixed[1], mixed[2])
        if luminance(colour) >= luminance(PYGMENTS_LIGHT_BG):
            return colour
    return WHITE


def _tokens(name: str, neutral: tuple[RGB, ...], primary: tuple[RGB, ...],
            secondary: tuple[RGB, ...], dark: bool) -> dict[str, RGB]:
    if dark:
        bg, soft, border = _step(neutral, 800), _step(neutral, 900), _step(neutral, 700)
        accent_soft, line = _step(primary, 900), _step(primary, 600)
        start = {"fg": 300, "heading": 50, "muted": 400, "accent": 400, "code": 400}
    else:
        # Some schemes' lightest steps are plain white: the first step with a visible tint.
        bg, soft, accent_soft = WHITE, _tinted(neutral, 100), _tinted(primary, 100)
        border = _step(neutral, max(200, _next(neutral, soft)))  # darker than bg-soft
        line = _step(primary, max(300, _next(primary, accent_soft)))
        start = {"fg": 700, "heading": 900, "muted": 500, "accent": 700, "code": 700}
    where = f"{name} ({'dark' if dark else 'light'})"
    darker = not dark
    tokens = {"bg": bg, "bg-soft": soft, "border": border, "accent-soft": accent_soft,
              "accent-line": line, "code-bg": soft if dark else _code_bg(soft)}
    for token, palette, against in (
        ("fg", neutral, [bg, soft, accent_soft]),
        ("heading", neutral, [bg, soft]),
        ("muted", neutral, [bg, soft]),
        ("accent", primary, [bg, soft, accent_soft]),
        ("code", secondary, [bg, soft]),
    ):
        tokens[token] = _readable(palette, start[token], darker, against, f"{where} {token}")
    for colour in STATUS["dark" if dark else "light"]:
        if min(contrast(colour, bg), contrast(colour, soft)) < AA:
            raise SchemeError(f"{where}: status colour {hex_colour(colour)} unreadable")
    return {token: tokens[token] for token in TOKENS}


def _build() -> Mapping[str, Mapping[str, Mapping[str, RGB]]]:
    out: dict[str, Mapping[str, Mapping[str, RGB]]] = {}
    for name, raw in _RAW.items():
        neutral, primary, secondary = (_palette(text) for text in raw)
        try:
            out[name] = MappingProxyType({
                "light": MappingProxyType(_tokens(name, neutral, primary, secondary, False)),
                "dark": MappingProxyType(_tokens(name, neutral, primary, secondary, True)),
            })
        except SchemeError:
            continue  # not readable in one appearance: not offered
    return MappingProxyType(out)


SCHEMES = _build()
NAMES = tuple(SCHEMES)


def scheme_name(value: object) -> str | None:
    """The shipped scheme named `value` (any case), or None when there is no such scheme."""
    name = str(value).strip().lower() if value is not None else ""
    return name if name in SCHEMES else None


def css() -> str:
    """The custom properties of every shipped scheme: --l-* (light) and --d-* (dark) on
    <html>, the default scheme's on :root, the others' on :root[data-scheme=NAME]."""
    lines = []
    for name, modes in SCHEMES.items():
        if name != DEFAULT and modes == SCHEMES[DEFAULT]:
            continue  # the default's colours under another name: :root has them
        selector = ":root" if name == DEFAULT else f':root[data-scheme="{name}"]'
        decls = "".join(f"--{mode[0]}-{token}:{hex_colour(rgb)};"
                        for mode in ("light", "dark") for token, rgb in modes[mode].items())
        lines.append(f"{selector}{{{decls}}}")
    return "\n".join(lines) + "\n"
