"""scripts/coverage_by_package.py: coverage.py's figures summed by package, least covered."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, write

SCRIPT = ROOT / "scripts" / "coverage_by_package.py"
PROGRAM = """\
from app import top
from app.deep import half, never
top.always(1)
half.branchy(True)
"""


def _clean_env() -> dict[str, str]:
    """This run's environment without the measuring of an outer coverage run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}


def _measure(root: Path) -> None:
    write(root, "app/__init__.py", "")
    write(root, "app/top.py", "def always(x):\n    return x + 1\n")
    write(root, "app/deep/__init__.py", "")
    write(root, "app/deep/half.py",
          "def branchy(flag):\n    if flag:\n        return 1\n    return 2\n")
    write(root, "app/deep/never.py",
          "def unused(a):\n    if a:\n        a += 1\n    return a\n")
    write(root, "prog.py", PROGRAM)
    subprocess.run([sys.executable, "-m", "coverage", "run", "--branch", "--source=app",
                    "prog.py"], cwd=root, env=_clean_env(), check=True)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=root, env=_clean_env(),
                          capture_output=True, text=True, check=False)


def _row(out: str, name: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.split()[:1] == [name])
    return line.split()[1:]


def test_packages_sum_their_modules_and_the_total_is_coverage_s(tmp_path: Path) -> None:
    _measure(tmp_path)
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # files, lines, missed, branches, partial, cover
    assert _row(out, "app") == ["2", "2", "0", "0", "0", "100.0%"]
    # half.py: 4 lines, 1 missed, 1 of 2 branches (partial); never.py: only its def ran.
    assert _row(out, "app.deep") == ["3", "8", "4", "4", "1", "41.7%"]
    total = subprocess.run([sys.executable, "-m", "coverage", "report", "--format=total",
                            "--precision=1"], cwd=tmp_path, env=_clean_env(),
                           capture_output=True, text=True, check=True).stdout.strip()
    assert _row(out, "TOTAL")[-1] == f"{total}%"
    least = out.split("least-covered modules", 1)[1]
    assert re.findall(r"^app/\S+", least, re.MULTILINE)[:2] == ["app/deep/never.py",
                                                               "app/deep/half.py"]


def test_without_coverage_data_it_says_what_to_run(tmp_path: Path) -> None:
    result = _run(tmp_path, "--data", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "run pytest with --cov first" in result.stderr
