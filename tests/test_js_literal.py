"""Chart.js configs as Blowfish's chart shortcode holds them (JS object literal members) read as
plain data into JSON (app/render/shortcodes/js_literal.py), or refused when they are code."""

from __future__ import annotations

import json

import pytest

from app.render.shortcodes.js_literal import parse_object_body, to_script_json
from tests.shared import CORPUS_CONTENT, require

BAR = """
type: 'bar',
data: {
  labels: ['January', "February", `March`],
  datasets: [{
    label: 'My First Dataset', // trailing comment
    data: [65, 59.5, -8, .5, 1e3, 0x10, +2],
    backgroundColor: [
      'rgba(255, 99, 132, 0.2)',
    ],
    /* a block
       comment */
    borderWidth: 1
  }]
},
options: { scales: { y: { beginAtZero: true } }, responsive: true, x: null, 'quoted-key': 1, 2: 3 }
"""


def test_a_blowfish_style_config_becomes_data() -> None:
    assert parse_object_body(BAR) == {
        "type": "bar",
        "data": {
            "labels": ["January", "February", "March"],
            "datasets": [{
                "label": "My First Dataset",
                "data": [65, 59.5, -8, 0.5, 1000.0, 16, 2],
                "backgroundColor": ["rgba(255, 99, 132, 0.2)"],
                "borderWidth": 1,
            }],
        },
        "options": {"scales": {"y": {"beginAtZero": True}}, "responsive": True, "x": None,
                    "quoted-key": 1, "2": 3},
    }


def test_strings_and_their_escapes() -> None:
    assert parse_object_body(r"""a: 'it\'s', b: "tab\tnew\nline", c: '\u00e9\x41\u{1F600}',
        d: 'back\\slash', e: "line\
continued", f: '"', g: "'" """) == {
        "a": "it's", "b": "tab\tnew\nline", "c": "éA😀", "d": "back\\slash",
        "e": "linecontinued", "f": '"', "g": "'"}


def test_a_whole_literal_in_braces_and_a_final_semicolon() -> None:
    assert parse_object_body("{type: 'pie', data: {}};") == {"type": "pie", "data": {}}
    assert parse_object_body("") == {}


@pytest.mark.parametrize("code", [
    "type: 'bar', options: {onClick: function (e) { alert(1) }}",
    "type: 'bar', options: {onClick: (e) => e}",
    "type: 'bar', data: {labels: months}",
    "type: 'bar', data: {labels: Utils.months({count: 7})}",
    "type: 'line', data: {datasets: [{data: [new Date(), 1]}]}",
    "type: 'bar', data: {...base}",
    "type: 'bar', data: {labels: [`${x}`]}",
    "type: 'bar', data: {x: undefined}",
    "type: 'bar', data: {x: NaN}",
    "type: 'bar', data: {x: -Infinity}",
    "type: 'bar', data: {x: 1e999}",
    "type: 'bar', data: {x: [1,,2]}",
    "type: 'bar', data: {x: 'unclosed}",
    "type: 'bar', data: {x: 'line\nbreak'}",
    "type: 'bar' /* unclosed",
    "type: 'bar'}); alert(1); ({x: 1",
    "type: 'bar', data: {x: 1} y: 2",
    "type 'bar'",
    "[1, 2]",
    "x: " + "[" * 100 + "]" * 100,
])
def test_code_is_refused(code: str) -> None:
    assert parse_object_body(code) is None


def test_json_for_a_script_element_cannot_end_it() -> None:
    text = to_script_json({"a": "</script><!-- & \u2028", "b": [1.5, None, True]})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028", "b": [1.5, None, True]}


def test_every_chart_of_the_blowfish_example_site_reads() -> None:
    """All 36 chart shortcodes of the corpus (9 languages) are plain data."""
    import re

    content = require(CORPUS_CONTENT)
    block = re.compile(r"\{\{<\s*chart\s*>\}\}(.*?)\{\{<\s*/chart\s*>\}\}", re.S)
    configs = [m.group(1) for path in sorted(content.rglob("*.md"))
               for m in block.finditer(path.read_text(encoding="utf-8"))]
    assert len(configs) == 36
    for config in configs:
        data = parse_object_body(config)
        assert data is not None and data["type"] in {"bar", "line", "doughnut"}, config
