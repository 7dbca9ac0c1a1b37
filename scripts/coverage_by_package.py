"""Branch coverage of app/ per package, and the least-covered modules, from a .coverage file.

Run after a measured test run (`.ci/run` stage 1: `pytest --cov`):

    .venv/bin/python scripts/coverage_by_package.py [--data .coverage] [--least 12]

A package is the folder a module sits in (``app/render/shortcodes/hugo.py`` counts towards
``app.render.shortcodes``; ``app/models.py`` towards ``app``). Cover is coverage.py's own
figure: covered lines plus covered branches over all lines plus all branches.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import coverage


@dataclass
class Tally:
    """Lines and branches of one module or package."""

    files: int = 0
    statements: int = 0
    missing: int = 0
    branches: int = 0
    partial: int = 0
    missing_branches: int = 0

    def add(self, other: Tally) -> None:
        self.files += other.files
        self.statements += other.statements
        self.missing += other.missing
        self.branches += other.branches
        self.partial += other.partial
        self.missing_branches += other.missing_branches

    @property
    def percent(self) -> float:
        total = self.statements + self.branches
        covered = (self.statements - self.missing) + (self.branches - self.missing_branches)
        return 100.0 * covered / total if total else 100.0


def per_module(data_file: Path) -> dict[str, Tally]:
    """Module path (relative to the repository) -> its tally, from coverage's JSON report."""
    cov = coverage.Coverage(data_file=str(data_file))
    cov.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        cov.json_report(outfile=str(out))
        report = json.loads(out.read_text(encoding="utf-8"))
    modules = {}
    for name, entry in report["files"].items():
        summary = entry["summary"]
        modules[PurePosixPath(name).as_posix()] = Tally(
            files=1, statements=summary["num_statements"], missing=summary["missing_lines"],
            branches=summary.get("num_branches", 0),
            partial=summary.get("num_partial_branches", 0),
            missing_branches=summary.get("missing_branches", 0))
    return modules


def package_of(module: str) -> str:
    """``app/render/shortcodes/hugo.py`` -> ``app.render.shortcodes``."""
    return str(PurePosixPath(module).parent).replace("/", ".")


def per_package(modules: dict[str, Tally]) -> dict[str, Tally]:
    """Tallies summed by package."""
    packages: dict[str, Tally] = {}
    for module, tally in modules.items():
        packages.setdefault(package_of(module), Tally()).add(tally)
    return dict(sorted(packages.items()))


def table(rows: dict[str, Tally], title: str, with_total: bool = True) -> list[str]:
    """A fixed-width table of tallies, with a total line unless told not to."""
    width = max([len(title), *map(len, rows)])
    head = f"{title:<{width}}  files  lines  missed  branches  partial  cover"
    lines = [head, "-" * len(head)]
    total = Tally()
    for name, tally in rows.items():
        total.add(tally)
        lines.append(f"{name:<{width}}  {tally.files:>5}  {tally.statements:>5}  "
                     f"{tally.missing:>6}  {tally.branches:>8}  {tally.partial:>7}  "
                     f"{tally.percent:>5.1f}%")
    if not with_total:
        return lines
    lines.append("-" * len(head))
    lines.append(f"{'TOTAL':<{width}}  {total.files:>5}  {total.statements:>5}  "
                 f"{total.missing:>6}  {total.branches:>8}  {total.partial:>7}  "
                 f"{total.percent:>5.1f}%")
    return lines


def least_covered(modules: dict[str, Tally], count: int) -> dict[str, Tally]:
    """The ``count`` modules with the lowest cover (then the most missed lines)."""
    ranked = sorted(modules.items(), key=lambda item: (item[1].percent, -item[1].missing))
    return dict(ranked[:count])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=Path(".coverage"),
                        help="the coverage data file (default: .coverage)")
    parser.add_argument("--least", type=int, default=12,
                        help="how many least-covered modules to list (default: 12)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no coverage data at {args.data}: run pytest with --cov first", file=sys.stderr)
        return 2
    modules = per_module(args.data)
    print("\n".join(table(per_package(modules), "branch coverage by package")))
    print()
    print("\n".join(table(least_covered(modules, args.least), "least-covered modules",
                          with_total=False)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
