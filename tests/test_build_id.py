"""The build id: vendored libraries count by their manifest and installed files, not bytes."""

from __future__ import annotations

from pathlib import Path

from app.web.assets import build_id


def _tree(root: Path) -> Path:
    (root / "static" / "css").mkdir(parents=True)
    (root / "static" / "css" / "site.css").write_text("body{}")
    (root / "static" / "vendor" / "lib").mkdir(parents=True)
    (root / "static" / "vendor" / "lib" / "lib.min.js").write_text("var a=1;")
    (root / "scripts").mkdir()
    (root / "scripts" / "vendor.json").write_text('{"packages": {"lib": {"version": "1.0.0"}}}')
    return root


def test_a_vendored_version_change_changes_the_build_id(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    before = build_id(root)
    (root / "scripts" / "vendor.json").write_text('{"packages": {"lib": {"version": "1.0.1"}}}')
    assert build_id(root) != before


def test_vendored_bytes_are_not_read_but_own_assets_are(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    before = build_id(root)
    # Same size, other bytes: the manifest pins the content, so this is not read.
    (root / "static" / "vendor" / "lib" / "lib.min.js").write_text("var b=2;")
    assert build_id(root) == before
    # A vendored file added or resized (an install that differs) still counts.
    (root / "static" / "vendor" / "lib" / "lib.min.js").write_text("var b=22;")
    resized = build_id(root)
    assert resized != before
    # The site's own assets count by their bytes.
    (root / "static" / "css" / "site.css").write_text("body{a}")
    assert build_id(root) != resized
    (root / "static" / "css" / "site.css").write_text("body{b}")
    assert len({build_id(root), resized}) == 2
