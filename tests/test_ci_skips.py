"""CI lists every skipped test with its reason and fails on a skip it did not expect."""

from __future__ import annotations

import pytest

from tests.ci_skips import ALLOW_LIST, parse_allow_list

SKIPPING_TESTS = """
import pytest

def test_runs():
    pass

def test_needs_two_hosts():
    pytest.skip("multi-host test runs with BLOG_TEST_DB=postgres (as in CI)")

def test_lost_its_data():
    pytest.skip("some file is missing")

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A small suite laid out like ours: tests/test_multihost.py with one unexpected skip."""
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_multihost.py").write_text(SKIPPING_TESTS)
    return pytester


def run(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str,
        **env: str) -> pytest.RunResult:
    for name in ("CI", "BLOG_CI_STAGE", "BLOG_TEST_DB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return suite.runpytest("-p", "tests.ci_skips", "-p", "no:cacheprovider", *args)


def test_outside_ci_a_skip_is_only_reported(suite, monkeypatch) -> None:
    result = run(suite, monkeypatch, "-rs")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert "skipped tests, CI stage" not in result.stdout.str()
    result.stdout.fnmatch_lines(["SKIPPED * some file is missing"])


def test_in_ci_an_unexpected_skip_fails_the_run_and_is_named(suite, monkeypatch) -> None:
    result = run(suite, monkeypatch, CI="true", BLOG_CI_STAGE="sqlite")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*skipped tests, CI stage 'sqlite': 2, 1 NOT EXPECTED, the run fails*",
        "tests/test_multihost.py::test_needs_two_hosts",
        "    multi-host test runs with BLOG_TEST_DB=postgres (as in CI)  "
        "[[]expected, ci_expected_skips.txt:*]",
        "tests/test_multihost.py::test_lost_its_data",
        "    some file is missing  [[]NOT EXPECTED]",
        "A skip CI did not expect fails the run*",
    ])
    assert "test_known_bug" not in result.stdout.str()  # an xfail is not a skip


def test_a_skip_expected_on_one_stage_is_unexpected_on_another(suite, monkeypatch) -> None:
    result = run(suite, monkeypatch, "-k", "two_hosts", CI="true", BLOG_TEST_DB="postgres")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*CI stage 'postgres': 1, 1 NOT EXPECTED*"])
    passing = run(suite, monkeypatch, "-k", "two_hosts", CI="true", BLOG_CI_STAGE="sqlite")
    assert passing.ret == pytest.ExitCode.OK
    passing.stdout.fnmatch_lines(["*CI stage 'sqlite': 1, all expected*"])


def test_a_failing_run_keeps_its_own_exit_status(suite, monkeypatch) -> None:
    (suite.path / "tests" / "test_broken.py").write_text("def test_x():\n    assert False\n")
    result = run(suite, monkeypatch, CI="true")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1, skipped=2, xfailed=1)


def test_the_allow_list_parses_and_names_its_stages() -> None:
    entries = parse_allow_list(ALLOW_LIST.read_text(encoding="utf-8"))
    assert entries and all(e.stages <= {"sqlite", "slow", "postgres"} for e in entries)
    nul = next(e for e in entries if "NUL in a name" in e.reason)
    # Only "*" is a wildcard: the brackets of a parametrised id are matched as written.
    assert nul.allows("sqlite", "tests/test_hostile_content.py::test_hostile_file"
                      "[bundle-file-nul-name]", "the file system refuses a NUL in a name: x")
    assert not nul.allows("sqlite", "tests/test_hostile_content.py::test_hostile_filee", "")


def test_a_malformed_allow_list_line_is_an_error_with_its_line() -> None:
    with pytest.raises(ValueError, match=r"skips.txt:2: expected 'stages \| test id \| reason'"):
        parse_allow_list("# note\nsqlite | tests/x.py::*\n", "skips.txt")
