"""Fixtures for testing the suite itself: run it, as a user would, against a server by URL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from token_contract import contract
from token_contract.selfcheck import suite_command, suite_env

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    output: str


@pytest.fixture
def run_suite(tmp_path: Path) -> Callable[..., SuiteRun]:
    """Run ``pytest tests/contract`` in a child process against ``url``; its output and exit code."""

    def run(url: str, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> SuiteRun:
        example = contract.load().request_examples()["clientCredentials"]
        defaults = {
            "TOKEN_API_CLIENT_ID": example["client_id"],
            "TOKEN_API_CLIENT_SECRET": example["client_secret"],
            "TOKEN_API_SCOPE": "/accounts.read /accounts.write",
            "TOKEN_API_MAX_REQUESTS": "20000",
        }
        child_env = suite_env(url, **{**defaults, **(env or {})})
        done = subprocess.run(suite_command(tmp_path / "junit.xml", *args), cwd=ROOT, env=child_env,
                              capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip
        return SuiteRun(done.returncode, done.stdout + done.stderr)

    return run
