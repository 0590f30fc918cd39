"""The plugin under pytest-xdist: how many workers, and how a worker's counts reach the controller.

Each worker counts its own requests within its share of the budget; at its end it hands its counts
over (:func:`hand_over`), and the controller adds them to its own (:class:`XdistController`), checks
the target and makes first contact (the preflight) before any test is scheduled, and judges the run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest

from oauth2_token_contract.plugin.options import check_target
from oauth2_token_contract.plugin.preflight import first_contact
from oauth2_token_contract.plugin.stash import CONTEXT, PACER, PLAN_TEXT, RUN, STOPPED
from oauth2_token_contract.suite.errors import SettingError
from oauth2_token_contract.suite.settings import Settings

__all__ = ["XdistController", "hand_over", "is_worker", "pytest_xdist_auto_num_workers", "worker_count"]

_MOST_WORKERS = 4
_WORKER_OUTPUT = "token_contract_run"  # the key of a worker's counts in xdist's workeroutput


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (as ``./run contract`` runs): workers only where they pay for their start-up.

    A live service should see one client at a time, its request budget is then one pool, and progress
    lines show (xdist workers swallow them): one process. On the mock each worker imports and collects
    the suite and starts a mock of its own: measured on 2 cores (BENCHMARKS.md), two workers cost more
    CPU than they share out, and the quick profile's few examples leave nothing worth sharing; past
    ``_MOST_WORKERS`` their start-ups outweigh their share of the suite's tests.
    """
    cores = os.cpu_count() or 1
    if config.getoption("--target") != "mock" or cores <= 2 or _quick(config):
        return 0
    return min(cores, _MOST_WORKERS)


def _quick(config: pytest.Config) -> bool:
    """The run's profile is quick (the mock's default). Asked before pytest configures, so the
    settings are read here too; a bad one is said, once, when pytest configures."""
    try:
        named = Settings.from_env().profile
    except SettingError:
        return True
    return (config.getoption("hypothesis_profile", None) or named or "quick") == "quick"


def is_worker(config: pytest.Config) -> bool:
    """Only xdist's workers have ``workerinput``; PYTEST_XDIST_* may be inherited from an outer run."""
    return hasattr(config, "workerinput")


def worker_count(config: pytest.Config) -> int:
    """How many processes share the run's request budget."""
    return int(os.environ["PYTEST_XDIST_WORKER_COUNT"]) if is_worker(config) else 1


def hand_over(config: pytest.Config) -> None:
    """A worker's counts, into the output xdist carries back to the controller."""
    run = config.stash[RUN]
    config.workeroutput[_WORKER_OUTPUT] = {  # type: ignore[attr-defined]
        "pacer": config.stash[PACER].report(),
        "exercised": config.stash[CONTEXT].coverage.report(),
        "expected_used": [e.describe() for e in run.expected.used] if run.expected else [],
        "plan": config.stash.get(PLAN_TEXT, ""),
    }


class XdistController:
    """The controller's side of an xdist run, registered only when xdist is there (its hooks are)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.contacted = False

    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        """Refuse an unsafe target here (a worker's usage error would be lost as an internal error),
        and make first contact once, for the run, before any test is scheduled.

        A run stopped here (the preflight failed, or a worker found the budget too small) is left
        with nothing to schedule: each worker's collection, which xdist schedules from the list it
        hands this hook, is emptied.
        """
        if ids and not self.contacted:
            self.contacted = True
            first_contact(self.config, check_target(self.config), keep=False)
        if STOPPED in self.config.stash and isinstance(ids, list):
            ids.clear()

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        """Add a finished worker's counts to the controller's, which the summary and verdict read."""
        report = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
        if report is not None:
            self.config.stash[PACER].merge(report["pacer"])
            self.config.stash[CONTEXT].coverage.merge(report["exercised"])
            run = self.config.stash[RUN]
            if run.expected is not None:
                run.expected.mark_used(report["expected_used"])
            if report.get("plan"):
                self.config.stash[PLAN_TEXT] = report["plan"]
