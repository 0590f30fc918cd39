"""A fault that shows once and not on Hypothesis's replay is still reported as a check with its curl
line: Hypothesis wraps it in a ``Flaky`` exception group, which the report must see through."""

from __future__ import annotations

from collections.abc import Callable

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.mock.controls_client import MockControls
from oauth2_token_contract.plugin.failures import INTERMITTENT
from oauth2_token_contract.spec.names import Check
from selfcheck.suite_run import SuiteRun


def test_a_fault_that_does_not_replay_is_reported_as_intermittent(
    suite_by_url: Callable[..., SuiteRun],
) -> None:
    """One JSON refresh answered 502, every other one correctly: the generated-request test meets it
    once, and Hypothesis's replay of that example passes."""
    with running_mock() as url:
        with MockControls(url) as controls:
            controls.rule(grant_type="refresh_token", media="application/json", times=1, fault="502")
        run = suite_by_url(url, "-k", "test_generated_valid_requests_conform and json")
    assert run.returncode == 1, run.output[-3000:]
    assert "Exception Group" not in run.output, run.output[-3000:]
    failures = [
        case
        for case in run.cases()
        if case.find("failure") is not None and "schema" in case.get("classname", "")
    ]
    assert len(failures) == 1, run.output[-3000:]
    properties = {p.get("name"): p.get("value", "") for p in failures[0].iter("property")}
    assert properties.get("check") in {Check.STATUS_IS_DOCUMENTED, Check.NOT_A_SERVER_ERROR}, properties
    assert "curl -sS" in properties.get("curl", ""), properties
    assert INTERMITTENT.split(":")[0] in run.output, run.output[-3000:]
