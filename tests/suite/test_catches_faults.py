"""Pointed by URL at a server with one seeded fault, the suite fails and names that fault's check.

Each server is the real mock with one override (``tests.faults``); the suite runs in a child process
exactly as a user would point it at staging. The self-check brings the full corpus; these are the
ones a reader should see caught here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mocks import running_mock
from tests.faults import faulty_app
from tests.support.suite import SuiteRun
from token_spec import contract
from token_spec.names import Check

SECRET = contract.load().request_examples()["clientCredentials"]["client_secret"]

CASES = [
    # fault, the families to run (-k), the check that must name it
    ("token-type-bearer", "test_both_media_types", Check.TOKEN_RESPONSE_CONFORMS),
    ("no-cache-control", "test_both_media_types", Check.NO_STORE_ON_TOKENS),
    ("grant-type-case-insensitive", "test_grant_type_near_misses", Check.GRANT_TYPE_MATCHED_EXACTLY),
    ("refresh-truncated", "test_a_real_token_padded", Check.NO_TRUNCATION),
    ("refresh-widens-scope", "test_a_refresh_never_widens", Check.REFRESH_NEVER_WIDENS_SCOPE),
    ("retry-in-seconds", "test_a_burst_meets_429", Check.RETRY_IN_IS_ENOUGH),
]


@pytest.mark.parametrize(("fault", "selection", "check"), CASES, ids=[c[0] for c in CASES])
def test_suite_names_the_seeded_fault(
    suite_by_url: Callable[..., SuiteRun], fault: str, selection: str, check: Check
) -> None:
    with running_mock(app=faulty_app(fault)) as url:
        run = suite_by_url(url, "-k", selection, env={"TOKEN_API_ALLOW_BURST": "1"})
    assert run.returncode == 1, f"the suite did not fail on {fault}:\n{run.output[-3000:]}"
    assert f"contract check failed: {check}" in run.output, run.output[-3000:]
    assert "curl -sS" in run.output, "the failure carries no curl line"
    assert SECRET not in run.output, "the client secret leaked into the report"


def test_suite_passes_the_correct_mock_by_url(suite_by_url: Callable[..., SuiteRun]) -> None:
    """The same selections stay green on the unmodified mock: the failures above are the faults'."""
    with running_mock(rate_limit="20/second") as url:
        run = suite_by_url(
            url, "-k", " or ".join(sorted({c[1] for c in CASES})), env={"TOKEN_API_ALLOW_BURST": "1"}
        )
    assert run.returncode == 0, run.output[-3000:]
