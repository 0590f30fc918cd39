"""Pointed by URL at a server with one seeded fault, the suite fails and names that fault's check.

Each server is the real mock with one override (``selfcheck.faults``); the suite runs in a child process
exactly as a user would point it at staging. The self-check brings the full corpus; these are the
ones a reader should see caught here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable

import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from selfcheck.faults import FAULTS, faulty_app
from selfcheck.suite_run import SuiteRun

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


def test_two_faults_are_two_causes_each_with_a_line_that_replays_it(
    suite_by_url: Callable[..., SuiteRun],
) -> None:
    """A server answering ``token_type: Bearer`` that also accepts any secret: the summary names both
    causes, and each cause's curl line, pasted into a shell that exports the secret, shows it again."""
    both = {**FAULTS["token-type-bearer"].overrides, **FAULTS["secret-not-checked"].overrides}
    with running_mock(app=create_app(load_settings(), **both)) as url:
        run = suite_by_url(url, env={"TOKEN_API_ALLOW_BURST": "1"})
        assert run.returncode == 1, run.output[-3000:]
        summary = run.output[run.output.index("failures by cause") :]
        causes = re.findall(r"^  \d+ test\(s\): (\w+): (.*)\n    (curl .*)$", summary, flags=re.M)
        by_check = {check: (cause, line) for check, cause, line in causes}
        assert {Check.TOKEN_RESPONSE_CONFORMS, Check.CLIENT_AUTHENTICATED} <= set(by_check), summary
        assert SECRET not in run.output, "the client secret leaked into the report"
        for check, shows in (
            (Check.TOKEN_RESPONSE_CONFORMS, '"token_type":"Bearer"'),
            (Check.CLIENT_AUTHENTICATED, " 200 "),
        ):
            line = by_check[check][1]
            replayed = subprocess.run(
                ["bash", "-c", line],
                env={**os.environ, "TOKEN_API_CLIENT_SECRET": SECRET},
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert shows in replayed.stdout, f"{check}: {line}\n{replayed.stdout}{replayed.stderr}"
