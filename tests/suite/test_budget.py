"""A budget that runs out is never a green run: the tests it stops skip saying so, the checks they
declared stay applicable, and the run fails naming them, unless TOKEN_API_ALLOW_PARTIAL=1.

The target answers every other request with a 429 and a 1 ms X-Retry-In: each request the plan
counted costs two, so the plan (sound for an ordinary target) runs out halfway. This is how a target
with a tight rate limit spends a staging job's budget.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis.errors import Flaky

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.plugin.failures import budget_spent
from oauth2_token_contract.plugin.stash import PACER
from oauth2_token_contract.suite.errors import BudgetExhausted
from oauth2_token_contract.suite.pacing import Pacer
from selfcheck.suite_run import SuiteRun

BUDGET = 200
SELECTION = ("-k", "test_errors or test_grant_types or test_encodings")


class EveryOther429:
    """ASGI: the mock (limiting off), with every other request answered 429, X-Retry-In 1 ms."""

    def __init__(self) -> None:
        self.app = create_app(load_settings(rate_limit="off"))
        self.count = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        with self._lock:
            self.count += 1
            limited = scope["type"] == "http" and self.count % 2 == 0
        if not limited:
            return await self.app(scope, receive, send)
        headers = [(b"x-retry-in", b"1"), (b"content-type", b"application/json"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})
        return None


def _run(suite_by_url: Callable[..., SuiteRun], **env: str) -> SuiteRun:
    with running_mock(app=EveryOther429()) as url:
        return suite_by_url(url, *SELECTION, env={"TOKEN_API_MAX_REQUESTS": str(BUDGET), **env})


def test_a_budget_spent_early_fails_the_run_naming_the_checks_left(
    suite_by_url: Callable[..., SuiteRun], tmp_path: Path
) -> None:
    run = _run(suite_by_url)
    assert run.returncode == 1, run.output[-3000:]
    assert f"request budget spent: {BUDGET} of TOKEN_API_MAX_REQUESTS={BUDGET}" in run.output
    assert "judged nothing" in run.output, run.output[-3000:]
    coverage = [c for c in run.cases() if c.get("name") == "coverage"]
    assert coverage and coverage[0].find("failure") is not None, "JUnit has no failing coverage entry"
    unexercised = [p.get("value") for p in coverage[0].iter("property") if p.get("name") == "unexercised"]
    assert unexercised, ET.tostring(coverage[0]).decode()[:2000]
    failed_checks = [c for c in run.cases() if c.find("failure") is not None and c.get("name") != "coverage"]
    assert not failed_checks, "a 429 waited out turned into a contract failure"


def test_partial_coverage_passes_only_when_allowed_and_says_so(suite_by_url: Callable[..., SuiteRun]) -> None:
    run = _run(suite_by_url, TOKEN_API_ALLOW_PARTIAL="1")
    assert run.returncode == 0, run.output[-3000:]
    assert "partial coverage allowed (TOKEN_API_ALLOW_PARTIAL=1)" in run.output


def test_a_spent_budget_is_found_inside_groups_and_hypothesis_replays(pytestconfig: pytest.Config) -> None:
    """Hypothesis replays the example that met the spent budget: its ``Flaky`` error, and a
    ``BudgetExhausted`` inside an exception group, both read as the budget, not as failures."""
    nested = ExceptionGroup(
        "examples", [ValueError("other"), BudgetExhausted("request budget spent: 3 of 3")]
    )
    assert budget_spent(nested, pytestconfig) == "request budget spent: 3 of 3"
    assert budget_spent(ValueError("no"), pytestconfig) is None
    pacer = Pacer(budget=1)
    pacer.spend()
    saved = pytestconfig.stash[PACER]
    pytestconfig.stash[PACER] = pacer
    try:
        assert "in a Hypothesis replay" in (budget_spent(Flaky("replay drew less"), pytestconfig) or "")
    finally:
        pytestconfig.stash[PACER] = saved
