"""Known failures, kept honest: an expected-failures file turns a documented failure into an expected
one, and an entry that no longer fails (the target was fixed) into a failure of the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.known_failures import ExpectedFailures, load_expected
from selfcheck.faults import faulty_app
from selfcheck.suite_run import SuiteRun

SELECTION = ("-k", "test_both_media_types_and_both_credential_places_work")
EXPECTED = """\
expected_failures:
  - check: token_response_conforms
    cause: token_type
    reason: answers token_type Bearer until TICKET-123 is done
"""


@pytest.fixture
def expected_file(tmp_path: Path) -> Path:
    path = tmp_path / "expected.yaml"
    path.write_text(EXPECTED, encoding="utf-8")
    return path


def test_a_known_failure_is_expected(suite_by_url: Callable[..., SuiteRun], expected_file: Path) -> None:
    with running_mock(app=faulty_app("token-type-bearer")) as url:
        run = suite_by_url(url, *SELECTION, env={"TOKEN_API_EXPECTED_FAILURES": str(expected_file)})
    assert run.returncode == 0, run.output[-3000:]
    assert "4 xfailed" in run.output, run.output[-3000:]
    assert "until TICKET-123 is done" in run.output


def test_a_fixed_one_fails_the_run_as_stale(
    suite_by_url: Callable[..., SuiteRun], expected_file: Path
) -> None:
    with running_mock() as url:
        run = suite_by_url(url, *SELECTION, env={"TOKEN_API_EXPECTED_FAILURES": str(expected_file)})
    assert run.returncode == 1, run.output[-3000:]
    assert "did not happen" in run.output and "TICKET-123" in run.output
    stale = [c for c in run.cases() if c.get("name") == "expected-failures"]
    assert stale and stale[0].find("failure") is not None


def test_an_unexpected_failure_beside_the_known_one_still_fails(
    suite_by_url: Callable[..., SuiteRun], expected_file: Path
) -> None:
    with running_mock(app=faulty_app("no-cache-control")) as url:
        run = suite_by_url(url, *SELECTION, env={"TOKEN_API_EXPECTED_FAILURES": str(expected_file)})
    assert run.returncode == 1, run.output[-3000:]
    assert f"contract check failed: {Check.NO_STORE_ON_TOKENS}" in run.output


def test_an_entry_covers_its_check_and_cause_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "expected.yaml"
    path.write_text(EXPECTED, encoding="utf-8")
    expected = load_expected({"TOKEN_API_EXPECTED_FAILURES": str(path)})
    assert isinstance(expected, ExpectedFailures)
    assert expected.cover([(str(Check.TOKEN_RESPONSE_CONFORMS), "token_type is 'Bearer'", "")])
    assert expected.cover([(str(Check.TOKEN_RESPONSE_CONFORMS), "expires_in is a string", "")]) is None
    assert expected.cover([(str(Check.NO_STORE_ON_TOKENS), "token_type", "")]) is None
    assert expected.stale() == []
    path.write_text("expected_failures:\n  - check: no_such_check\n    reason: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no check is named"):
        load_expected({"TOKEN_API_EXPECTED_FAILURES": str(path)})
