"""The skipped tests of a run, listed with their reasons; in CI only expected ones may skip.

Under ``CI=true`` (set by ``.ci/run``) the end of the run lists every skipped test and why,
and the run fails when a test skipped that ``tests/ci_expected_skips.txt`` does not expect
for this stage (``BLOG_CI_STAGE``; without it, ``postgres`` or ``sqlite`` after
``BLOG_TEST_DB``). A skip in CI is then a decision written down, never a silent gap.
Outside CI nothing changes: pytest's ``-ra`` summary shows the skips as before.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ALLOW_LIST = Path(__file__).with_name("ci_expected_skips.txt")


@dataclass(frozen=True)
class Expected:
    """One allow-list line: on these stages, tests matching ``pattern`` skip for ``reason``."""

    stages: frozenset[str]
    pattern: re.Pattern[str]
    reason: str
    line: int

    def allows(self, stage: str, nodeid: str, reason: str) -> bool:
        return (stage in self.stages and self.pattern.fullmatch(nodeid) is not None
                and self.reason in reason)


@dataclass(frozen=True)
class Skip:
    """A test (or a whole module, skipped at collection) that did not run, and why."""

    nodeid: str
    reason: str


def in_ci() -> bool:
    """True under CI=true (as .ci/run sets it)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def ci_stage() -> str:
    """The CI stage whose expected skips apply."""
    default = "postgres" if os.environ.get("BLOG_TEST_DB") == "postgres" else "sqlite"
    return os.environ.get("BLOG_CI_STAGE") or default


def _id_pattern(text: str) -> re.Pattern[str]:
    """A test id pattern where only ``*`` is a wildcard (ids hold ``[`` and ``]``)."""
    return re.compile(".*".join(re.escape(part) for part in text.split("*")))


def parse_allow_list(text: str, source: str = "ci_expected_skips.txt") -> list[Expected]:
    """``stages | test id pattern | reason text`` lines; lines starting with ``#`` are notes."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{source}:{number}: expected 'stages | test id | reason': {raw!r}")
        stages = frozenset(s.strip() for s in parts[0].split(",") if s.strip())
        entries.append(Expected(stages, _id_pattern(parts[1]), parts[2], number))
    return entries


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        message = str(longrepr[2])
    else:
        message = str(longrepr)
    return message.removeprefix("Skipped: ")


class SkipLedger:
    """A pytest plugin: collects the skips of a session and judges them by the allow-list."""

    def __init__(self, stage: str, allowed: list[Expected]) -> None:
        self.stage = stage
        self.allowed = allowed
        self.skips: list[Skip] = []

    def expected_by(self, skip: Skip) -> Expected | None:
        return next((e for e in self.allowed if e.allows(self.stage, skip.nodeid, skip.reason)),
                    None)

    def unexpected(self) -> list[Skip]:
        return [skip for skip in self.skips if self.expected_by(skip) is None]

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skips.append(Skip(report.nodeid, _reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.unexpected() and session.exitstatus in (pytest.ExitCode.OK,
                                                        pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        unexpected = self.unexpected()
        verdict = f"{len(unexpected)} NOT EXPECTED, the run fails" if unexpected else "all expected"
        terminalreporter.section(
            f"skipped tests, CI stage '{self.stage}': {len(self.skips)}, {verdict}")
        for skip in self.skips:
            entry = self.expected_by(skip)
            mark = f"expected, {ALLOW_LIST.name}:{entry.line}" if entry else "NOT EXPECTED"
            terminalreporter.write_line(f"{skip.nodeid}\n    {skip.reason}  [{mark}]")
        if unexpected:
            terminalreporter.write_line(
                "A skip CI did not expect fails the run: make the test run here, or add "
                f"'{self.stage} | <test id> | <reason>' to tests/{ALLOW_LIST.name}.")


def pytest_configure(config: pytest.Config) -> None:
    if in_ci():
        allowed = parse_allow_list(ALLOW_LIST.read_text(encoding="utf-8"), ALLOW_LIST.name)
        config.pluginmanager.register(SkipLedger(ci_stage(), allowed), "ci-skip-ledger")
