"""Per attack family counts (cases tried / failed), printed as a table when a module ends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import nullcontext

import pytest

LISTED = 12  # failures listed per family under the table

class Tally:
    """Cases tried and failed per attack family; failures keep a short description."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.tried: dict[str, int] = defaultdict(int)
        self.failed: dict[str, list[str]] = defaultdict(list)
        self.notes: list[str] = []

    def record(self, family: str, case: str, problems: list[str] | None = None) -> None:
        """Count one case; `problems` (non-empty) marks it failed."""
        self.tried[family] += 1
        if problems:
            self.failed[family].append(f"{case}: {problems[0][:200]}")

    def table(self) -> str:
        """The summary table."""
        if not self.tried:
            return ""
        width = max(len(f) for f in self.tried) + 2
        lines = [f"== {self.title}: cases tried / failed per attack family ==",
                 f"{'family'.ljust(width)}{'tried':>7}{'failed':>8}"]
        for family in sorted(self.tried):
            lines.append(f"{family.ljust(width)}{self.tried[family]:>7}"
                         f"{len(self.failed[family]):>8}")
        total_failed = sum(len(v) for v in self.failed.values())
        lines.append(f"{'TOTAL'.ljust(width)}{sum(self.tried.values()):>7}{total_failed:>8}")
        for family in sorted(self.failed):
            items = self.failed[family]
            lines.extend(f"  FAILED [{family}] {item}" for item in items[:LISTED])
            if len(items) > LISTED:
                lines.append(f"  FAILED [{family}] ... and {len(items) - LISTED} more")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def report(request: pytest.FixtureRequest, tally: Tally) -> Iterator[None]:
    """Body of a module fixture: after the module, write the table to the terminal."""
    yield
    text = tally.table()
    if not text:
        return
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None:  # pragma: no cover - without the terminal plugin
        print(text)
        return
    with capture.global_and_fixture_disabled() if capture else nullcontext():
        reporter.write_line("")
        for line in text.splitlines():
            reporter.write_line(line)
