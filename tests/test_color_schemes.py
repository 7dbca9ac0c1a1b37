"""Blowfish's look from hugo.toml: params.colorScheme picks the palette (<html data-scheme>,
all schemes' colours in site.css), defaultAppearance and autoSwitchAppearance the theme a
reader who has not chosen gets. Every shipped scheme is readable (WCAG AA), light and dark."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.services.site import schemes
from app.services.site.schemes import AA, contrast
from tests.conftest import write
from tests.html import soup

ROOT = Path(__file__).resolve().parents[1]
SITE_CSS = ROOT / "static" / "css" / "site.css"


def _import(runner: FlaskCliRunner, root: Path, params: str) -> None:
    write(root, "hugo.toml", f'title = "Look"\n[params]\n{params}\n')
    write(root, "content/posts/hello.md", "---\ntitle: Hello\ndate: 2024-01-02\n---\nWords.\n")
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output


def _html_attrs(app: Flask, path: str = "/posts/hello/") -> dict[str, str]:
    response = app.test_client().get(path)
    assert response.status_code == 200
    html = soup(response.data).select_one("html")
    assert html is not None
    return {k: v for k, v in html.attrs.items() if k.startswith("data-")}


def test_the_default_look_is_blowfish_following_the_system(app: Flask) -> None:
    response = app.test_client().get("/")
    html = soup(response.data).select_one("html")
    assert html is not None
    assert html["data-scheme"] == "blowfish"
    assert html["data-default-theme"] == "system"
    assert not html.has_attr("data-theme")  # the reader's system decides (the CSS)


@pytest.mark.parametrize("written", ["avocado", "ocean", "Fire", "one-light"])
def test_the_chosen_scheme_is_on_every_page(app: Flask, runner: FlaskCliRunner,
                                            tmp_path: Path, written: str) -> None:
    _import(runner, tmp_path / "site", f'colorScheme = "{written}"')
    for path in ("/", "/posts/hello/", "/tags/", "/no-such-page/"):
        response = app.test_client().get(path)
        html = soup(response.data).select_one("html")
        assert html is not None and html["data-scheme"] == written.lower(), path


def test_an_unknown_scheme_falls_back_to_blowfish_with_a_warning(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    _import(runner, tmp_path / "site", 'colorScheme = "no-such-scheme"')
    with caplog.at_level(logging.WARNING, logger="app.services.site.settings"):
        attrs = _html_attrs(app)
    assert attrs["data-scheme"] == "blowfish"
    assert any("no-such-scheme" in r.getMessage() and "blowfish" in r.getMessage()
               for r in caplog.records), caplog.text


@pytest.mark.parametrize(("params", "default", "theme"), [
    ('defaultAppearance = "dark"', "dark", "dark"),  # dark unless the reader chose light
    ('defaultAppearance = "dark"\nautoSwitchAppearance = true', "dark", "dark"),
    ('defaultAppearance = "light"\nautoSwitchAppearance = false', "light", "light"),
    ('defaultAppearance = "light"\nautoSwitchAppearance = true', "system", None),
    ('autoSwitchAppearance = false', "light", "light"),
    ('defaultAppearance = "sepia"', "system", None),  # not an appearance: Blowfish's light
])
def test_default_appearance(app: Flask, runner: FlaskCliRunner, tmp_path: Path,
                            params: str, default: str, theme: str | None) -> None:
    _import(runner, tmp_path / "site", params)
    attrs = _html_attrs(app)
    assert attrs["data-default-theme"] == default
    assert attrs.get("data-theme") == theme


# --- what site.css ships ---------------------------------------------------------------

def _rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _shipped() -> dict[str, dict[str, dict[str, tuple[int, int, int]]]]:
    """{scheme: {"l"|"d": {token: rgb}}} as site.css has it (a scheme equal to the default
    has no rule of its own)."""
    css = SITE_CSS.read_text()
    found: dict[str, dict[str, dict[str, tuple[int, int, int]]]] = {}
    for selector, body in re.findall(r'^(:root(?:\[data-scheme="[\w-]+"\])?)\{(--l-[^}]*)\}',
                                     css, re.MULTILINE):
        name = selector.split('"')[1] if '"' in selector else schemes.DEFAULT
        modes: dict[str, dict[str, tuple[int, int, int]]] = {"l": {}, "d": {}}
        for mode, token, value in re.findall(r"--([ld])-([\w-]+):(#[0-9a-f]{6})", body):
            modes[mode][token] = _rgb(value)
        found[name] = modes
    return found


def test_site_css_has_the_current_scheme_block() -> None:
    result = subprocess.run([sys.executable, "scripts/build_color_schemes.py", "--check"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = _shipped()
    assert {"blowfish", "avocado", "fire", "congo"} <= set(shipped)
    for name in schemes.NAMES:  # each offered scheme has its colours, or the default's
        assert name in shipped or schemes.SCHEMES[name] == schemes.SCHEMES[schemes.DEFAULT]


def _pygments(css: str, dark: bool) -> set[str]:
    """The text colours of the code highlighting rules, light or dark."""
    start = css.index(".highlight {")
    dark_at = css.index(':root:not([data-theme="light"]) .highlight', start)
    part = css[dark_at:css.index("}\n}", dark_at)] if dark else css[start:dark_at]
    colours = set()
    for rule in re.findall(r"\{([^}]*)\}", part):
        if "background" in rule:  # a token with its own background (an error)
            continue
        colours |= set(re.findall(r"(?:^|;)\s*color: (#[0-9A-Fa-f]{3,6})\b", rule))
    return colours - {"#BBB", "#bbb"}  # .w: whitespace, never visible text


@pytest.mark.parametrize("mode", ["l", "d"])
def test_every_shipped_scheme_is_readable(mode: str) -> None:
    """WCAG AA (4.5:1) for every text colour on every background it is shown on."""
    css = SITE_CSS.read_text()
    code_colours = [_rgb(c) for c in _pygments(css, dark=mode == "d")]
    problems = []
    for name, modes in _shipped().items():
        t = modes[mode]
        pairs = [(text, bg) for text in ("fg", "heading", "muted", "accent", "code")
                 for bg in ("bg", "bg-soft")]
        pairs += [("fg", "code-bg")]
        pairs += [("fg", "accent-soft"), ("accent", "accent-soft"), ("bg", "accent")]
        for text, bg in pairs:
            ratio = contrast(t[text], t[bg])
            if ratio < AA:
                problems.append(f"{name} {mode}: {text} on {bg} {ratio:.2f}")
        for colour in code_colours:
            ratio = contrast(colour, t["code-bg"])
            if ratio < AA:
                problems.append(f"{name} {mode}: code colour {colour} on code-bg {ratio:.2f}")
    assert not problems, "\n".join(problems)
