"""Fixtures for testing the suite itself: run it, as a user would, against a server by URL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from token_contract import contract

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
        child_env = {
            **os.environ,
            "TOKEN_API_TARGET": url,
            "TOKEN_API_CLIENT_ID": example["client_id"],
            "TOKEN_API_CLIENT_SECRET": example["client_secret"],
            "TOKEN_API_SCOPE": "/accounts.read /accounts.write",
            "TOKEN_API_MAX_REQUESTS": "20000",
            "TOKEN_API_PROFILE": "ci",
            **(env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            "tests/contract",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={tmp_path / 'junit.xml'}",
            *args,
        ]
        done = subprocess.run(
            command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout, check=False
        )
        return SuiteRun(done.returncode, done.stdout + done.stderr)

    return run
