"""The plugin's command line and markers: ``--target``, the ``token_mock`` fixture's shared mock, and
what a contract test may be marked with."""

from __future__ import annotations

import os

import pytest

from oauth2_token_contract.plugin.stash import SETTINGS
from oauth2_token_contract.suite.errors import TargetError
from oauth2_token_contract.suite.targets import TargetPlan, plan

__all__ = ["MARKERS", "check_target", "pytest_addoption"]

MARKERS = (
    "token_contract: a test of the contract suite (its family is its module's name, test_FAMILY)",
    "checks(*names): the contract checks this test exercises (spec.names.Check members)",
    "cost(fixed=1, per_example=1): requests a test spends, for the run's plan",
    "thorough: a variant another item's check already covers; left out of a reduced plan",
    "needs_state: the test needs a stateful target (tokens issued, stored and refreshed)",
    "needs_controls: the test needs the embedded mock's QA controls",
    "burst: the test provokes 429 on purpose (live targets: only with TOKEN_API_ALLOW_BURST=1)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("token-contract")
    group.addoption(
        "--target",
        default=os.environ.get("TOKEN_API_TARGET", "mock"),
        help="mock (default), prism, a name from targets.yaml, or an http(s):// URL [TOKEN_API_TARGET]",
    )
    group.addoption(
        "--token-mock-url",
        default=os.environ.get("TOKEN_MOCK_URL") or None,
        help="a running (shared) mock for token_mock, instead of one per session [TOKEN_MOCK_URL]",
    )
    group.addoption(
        "--token-mock-controls-token",
        default=os.environ.get("TOKEN_MOCK_CONTROLS_TOKEN") or None,
        help="the controls token that mock asks for [TOKEN_MOCK_CONTROLS_TOKEN]",
    )


def check_target(config: pytest.Config) -> TargetPlan:
    """The plan for ``--target``; a target that cannot be used is the user's error, said as such."""
    try:
        return plan(config.getoption("--target"), config.stash[SETTINGS])
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from exc
