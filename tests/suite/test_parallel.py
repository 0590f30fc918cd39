"""The suite on two xdist workers, as ``./run contract`` runs it: one summary for the whole run, one budget.

Each worker counts its own requests; the controller must print their sum, and the workers together
must keep within ``TOKEN_API_MAX_REQUESTS`` (counted here by the server, not by the suite).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from typing import Any

import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.errors import BudgetExhausted
from oauth2_token_contract.suite.pacing import Pacer
from selfcheck.suite_run import FAMILIES as FAMILIES_DIR
from selfcheck.suite_run import ROOT, suite_env

# Two small families, with Hypothesis's smallest profile.
SELECTION = ("-k", "test_errors or test_grant_types")
FAMILIES = {"errors", "grant_types"}
BUDGET = 120
EXAMPLE = contract.load().request_examples()["clientCredentials"]
ROW = re.compile(r"^(\w+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)/(\d+)$", re.MULTILINE)
SENT = re.compile(r"^requests sent: (\d+)(?: of a budget of (\d+))?$", re.MULTILINE)


def _run_on_two_workers(target: str, **env: str) -> tuple[int, str]:
    """``pytest -n 2`` on the selected families in a child process; its exit code and output."""
    command = [sys.executable, "-m", "pytest", FAMILIES_DIR, "-p", "no:cacheprovider", "-n", "2",
               "-v", "-rs", *SELECTION]  # fmt: skip
    child_env = suite_env(target, TOKEN_API_PROFILE="live", **env)
    done = subprocess.run(command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _summary(output: str) -> tuple[dict[str, list[int]], tuple[int, int | None]]:
    """The summary's rows (family: tests, requests, 429 waited, skipped, failed) and its sent line."""
    assert "token contract summary" in output, f"no summary printed:\n{output[-3000:]}"
    section = output.split("token contract summary", 1)[1]
    rows = {m[1]: [int(n) for n in m.groups()[1:]] for m in ROW.finditer(section)}
    sent = SENT.search(section)
    assert sent is not None, f"no 'requests sent' line:\n{section}"
    return rows, (int(sent[1]), int(sent[2]) if sent[2] else None)


def test_two_workers_print_one_summary_for_the_whole_run() -> None:
    code, output = _run_on_two_workers("mock")
    assert code == 0, output[-3000:]
    assert "[gw0]" in output and "[gw1]" in output, "one worker ran everything: nothing was merged"
    rows, (sent, budget) = _summary(output)
    assert set(rows) == FAMILIES, rows
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None, output[-3000:]
    assert sum(row[0] for row in rows.values()) == int(passed[1]), "tests column is not every worker's sum"
    preflight = re.search(r"^preflight: (\d+) request", output, re.MULTILINE)  # the controller's own
    assert preflight is not None, output[-3000:]
    assert sum(row[1] for row in rows.values()) + int(preflight[1]) == sent > 0
    assert budget is None


class CountingServer:
    """ASGI: the mock (limiting off), counting every request that reaches it."""

    def __init__(self) -> None:
        self.app = create_app(load_settings(rate_limit="off"))
        self.requests = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self._lock:
                self.requests += 1
        await self.app(scope, receive, send)


def test_two_workers_share_the_request_budget() -> None:
    server = CountingServer()
    with running_mock(app=server) as url:
        code, output = _run_on_two_workers(
            url,
            TOKEN_API_CLIENT_ID=EXAMPLE["client_id"],
            TOKEN_API_CLIENT_SECRET=EXAMPLE["client_secret"],
            TOKEN_API_SCOPE=EXAMPLE["scope"],
            TOKEN_API_MAX_REQUESTS=str(BUDGET),
        )
    assert code == 0, output[-3000:]
    assert 0 < server.requests <= BUDGET, f"{server.requests} requests for a budget of {BUDGET}"
    assert f"plan: budget {BUDGET}" in output, "the run was not planned against the budget"
    _, (sent, budget) = _summary(output)
    assert (sent, budget) == (server.requests, BUDGET)


def test_an_unsafe_target_is_a_usage_error_on_two_workers() -> None:
    """A worker's usage error would reach the user as an INTERNALERROR; the controller says why."""
    code, output = _run_on_two_workers("http://example.invalid", TOKEN_API_CLIENT_ID="a",
                                       TOKEN_API_CLIENT_SECRET="b")  # fmt: skip
    assert code == 4, output[-3000:]
    assert "refusing plain http:// to example.invalid" in output


def test_a_worker_report_is_plain_data_the_controller_sums() -> None:
    worker = Pacer(budget=None)
    worker.share_budget(BUDGET, 2)
    worker.family = "errors"
    worker.spend()
    worker.honour(0.0)
    wire = json.loads(json.dumps(worker.report()))  # what crosses execnet must survive plain JSON
    controller = Pacer(budget=None)
    controller.merge(wire)
    controller.merge(wire)
    assert (controller.sent, controller.run_budget) == (2, BUDGET)
    assert (controller.stats["errors"].requests, controller.stats["errors"].honoured_429) == (2, 2)


def test_a_worker_stops_at_its_share_and_says_so() -> None:
    worker = Pacer(budget=None)
    worker.share_budget(5, 2)
    worker.spend()
    worker.spend()
    with pytest.raises(BudgetExhausted, match="2 of 2, this worker's share of TOKEN_API_MAX_REQUESTS=5"):
        worker.spend()


@pytest.mark.parametrize(
    ("target", "profile", "distributed"),
    [
        ("mock", "ci", (os.cpu_count() or 1) > 2),
        ("mock", "quick", False),
        ("http://127.0.0.1:9", "ci", False),
    ],
)
def test_n_auto_distributes_the_embedded_mock_only_where_workers_pay(
    target: str, profile: str, distributed: bool
) -> None:
    """``./run contract`` passes ``-n auto``: workers on the mock with more than two cores and a profile
    past quick (BENCHMARKS.md: on two cores they cost more than they share), one process otherwise."""
    command = [sys.executable, "-m", "pytest", FAMILIES_DIR, "-p", "no:cacheprovider", "-n", "auto",
               "-k", "no_test_has_this_name"]  # fmt: skip
    env = suite_env(target, TOKEN_API_CLIENT_ID="a", TOKEN_API_CLIENT_SECRET="b", TOKEN_API_PROFILE=profile)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 5, output[-3000:]  # nothing selected, and nothing else went wrong
    assert ("created: " in output) is distributed, output[-3000:]
