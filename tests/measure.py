"""Tests marked ``unmeasured`` run with coverage paused (when a run measures it, as CI's
first stage does with ``--cov``).

For passes whose point is volume or a time bound, not reach: the same code runs measured in
smaller tests, and tracing it here would only slow the run (two to four times) or, for a
time-bounded case, change what it tests. The pause covers the test's setup too, so a
module-scoped fixture doing the bulk work (a corpus import) is paused as well.
"""

from __future__ import annotations

from collections.abc import Iterator

import coverage
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _paused_if_marked(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _paused_if_marked(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    return (yield from _paused_if_marked(item))


def _paused_if_marked(item: pytest.Item) -> Iterator[None]:
    cov = coverage.Coverage.current() if item.get_closest_marker("unmeasured") else None
    if cov is None:
        return (yield)
    cov.stop()
    try:
        return (yield)
    finally:
        cov.start()
