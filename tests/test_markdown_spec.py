"""Every CommonMark 0.31.2 and GFM extension example, through the page renderer.

Compared as the reference README describes: block structure and text, with Goldmark's
typographer output folded back (Hugo turns the typographer on; the spec was written without
it). An example that still differs must be listed in KNOWN with the reason, and is expected
to fail: fixing one without taking it off the list fails too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.render.pipeline import render_html
from tests.markdown_shape import examples, shape
from tests.shared import SHARED, require

REFERENCE = SHARED / "reference" / "commonmark"
SPEC = REFERENCE / "spec-0.31.2.txt"
GFM = REFERENCE / "gfm-extensions.txt"
FLOOR = 0.99

# (file name, example number) -> why the page renderer differs from the reference.
KNOWN: dict[tuple[str, int], str] = {
    ("spec-0.31.2.txt", 12): "the renderer's defaults are Blowfish's markup.toml, which turns on "
    "Goldmark's passthrough: `\\(\\)` is kept as written for KaTeX, as Hugo with that config does",
}


def _load(path: Path) -> list[dict[str, str | int]]:
    """The examples, or none when the file is not there (test_agreement_... says so)."""
    return examples(path) if path.is_file() else []


def _agrees(example: dict[str, str | int]) -> bool:
    html = render_html(str(example["markdown"])).html
    ours = shape(html, fold_typographer=True)
    theirs = shape(str(example["html"]), fold_typographer=True)
    return ours == theirs


def _params() -> list[object]:
    params: list[object] = []
    for path in (SPEC, GFM):
        for example in _load(path):
            key = (path.name, int(example["number"]))
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[key])] if key in KNOWN else []
            params.append(pytest.param(example, id=f"{path.stem}-{key[1]}", marks=marks))
    return params


@pytest.mark.parametrize("example", _params())
def test_example_renders_as_the_spec_says(example: dict[str, str | int]) -> None:
    html = render_html(str(example["markdown"])).html
    assert shape(html, fold_typographer=True) == shape(str(example["html"]),
                                                       fold_typographer=True), (
        f"section {example['section']!r}\n--- markdown\n{example['markdown']}"
        f"--- expected\n{example['html']}--- rendered\n{html}")


@pytest.mark.parametrize("path", [SPEC, GFM], ids=["commonmark", "gfm"])
def test_agreement_is_at_least_the_floor(path: Path) -> None:
    found = examples(require(path))
    agreeing = sum(_agrees(example) for example in found)
    print(f"{path.name}: {agreeing} of {len(found)} examples agree "
          f"({100 * agreeing / len(found):.1f}%)")
    assert len(found) == {"spec-0.31.2.txt": 655, "gfm-extensions.txt": 23}[path.name]
    assert agreeing / len(found) >= FLOOR
    assert len(found) - agreeing == sum(1 for key in KNOWN if key[0] == path.name)
