"""A request budget that runs out is a skip that says so, wherever in a test it runs out."""

from __future__ import annotations

from collections.abc import Callable

from mocks import running_mock
from tests.support.suite import SuiteRun


def test_a_budget_spent_inside_a_stateful_flow_is_a_skip_not_a_failure(
    suite_by_url: Callable[..., SuiteRun],
) -> None:
    """Hypothesis replays the example that met the spent budget; the replay must not turn it into a
    ``Flaky`` failure."""
    with running_mock() as url:
        run = suite_by_url(url, "-k", "test_refresh_flow", env={"TOKEN_API_MAX_REQUESTS": "20"})
    assert run.returncode == 0, run.output[-3000:]
    assert "1 skipped" in run.output, run.output[-3000:]
    assert "request budget spent: 20 of TOKEN_API_MAX_REQUESTS=20" in run.output, run.output[-3000:]
