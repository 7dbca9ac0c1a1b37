"""scripts/vendor: pinned npm tarballs, checked by sha512, only the listed files, loud failures.

Run on a copy of the script with a one-package manifest (KaTeX, the smallest) in a temporary
tree; needs npm and the npm registry (or npm's cache), else skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NPM = shutil.which("npm")
pytestmark = pytest.mark.skipif(NPM is None, reason="npm is not installed")


def _tree(tmp_path: Path, integrity: str | None = None) -> Path:
    manifest = json.loads((ROOT / "scripts" / "vendor.json").read_text(encoding="utf-8"))
    katex = manifest["packages"]["katex"]
    katex["files"] = {"package/dist/katex.min.css": "katex.min.css",
                      "package/dist/fonts/KaTeX_Main-Regular.woff2": "fonts/Main.woff2"}
    if integrity is not None:
        katex["integrity"] = integrity
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "vendor", tmp_path / "scripts" / "vendor")
    (tmp_path / "scripts" / "vendor.json").write_text(
        json.dumps({"packages": {"katex": katex}}), encoding="utf-8")
    return tmp_path


def _run(tree: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, str(tree / "scripts" / "vendor"), *args], cwd=tree,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_installs_the_listed_files_then_does_nothing(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    first = _run(tree)
    assert first.returncode == 0, first.stderr
    vendor = tree / "static" / "vendor"
    assert sorted(p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()
                  and not p.name.startswith(".")) == ["katex/fonts/Main.woff2",
                                                      "katex/katex.min.css"]
    assert len(list(vendor.glob(".installed-*"))) == 1
    # Installed: no npm needed any more (it is not on this PATH).
    again = _run(tree, path="/nonexistent")
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""


def test_a_tarball_with_another_checksum_is_refused(tmp_path: Path) -> None:
    tree = _tree(tmp_path, integrity="sha512-" + "A" * 86 + "==")
    result = _run(tree)
    assert result.returncode == 1
    assert "checksum" in result.stderr and "--relock" in result.stderr
    assert not (tree / "static" / "vendor" / "katex").exists()
    assert not list((tree / "static" / "vendor").glob(".installed-*"))


def test_without_npm_it_stops_and_says_so(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    result = _run(tree, path="/nonexistent")
    assert result.returncode == 1 and "npm is not installed" in result.stderr
