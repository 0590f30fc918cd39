"""Fixtures for testing the suite itself: run it, as a user would, against a server by URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oauth2_token_contract.spec import contract
from selfcheck.suite_run import SuiteRun, run_suite


@pytest.fixture
def suite_by_url(tmp_path: Path) -> Callable[..., SuiteRun]:
    """The contract families in a child process against ``url`` with the spec's example client."""

    def run(url: str, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> SuiteRun:
        example = contract.load().request_examples()["clientCredentials"]
        defaults = {
            "TOKEN_API_CLIENT_ID": example["client_id"],
            "TOKEN_API_CLIENT_SECRET": example["client_secret"],
            "TOKEN_API_SCOPE": "/accounts.read /accounts.write",
            "TOKEN_API_MAX_REQUESTS": "20000",
            "TOKEN_API_PROFILE": "ci",
        }
        junit = tmp_path / "junit.xml"
        return run_suite(url, junit, *args, env={**defaults, **(env or {})}, deadline=timeout)

    return run
