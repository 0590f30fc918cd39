"""The replay tool: one named edge case, one target, the full exchange printed, the verdict as exit code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.catalogue import CATALOGUE
from selfcheck.faults import faulty_app
from selfcheck.suite_run import ROOT

EXAMPLE = contract.load().request_examples()["clientCredentials"]


def _replay(name: str, target: str, **env: str) -> subprocess.CompletedProcess[str]:
    child_env = {
        "PATH": "/usr/bin:/bin",
        "TOKEN_API_CLIENT_ID": EXAMPLE["client_id"],
        "TOKEN_API_CLIENT_SECRET": EXAMPLE["client_secret"],
        "TOKEN_API_SCOPE": EXAMPLE["scope"],
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract", "replay", name, "--target", target],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_list_names_every_case() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert all(name in done.stdout for name in CATALOGUE)


@pytest.mark.parametrize("name", ["padded-refresh-token", "duplicate-grant-type", "refresh-token-4097"])
def test_a_case_passes_on_the_mock_and_prints_its_exchanges(name: str) -> None:
    done = _replay(name, "mock")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--- exchange 1" in done.stdout and "curl -sS" in done.stdout
    assert EXAMPLE["client_secret"] not in done.stdout


def test_a_case_fails_on_a_faulty_server_with_its_check() -> None:
    with running_mock(app=faulty_app("refresh-truncated")) as url:
        done = _replay("padded-refresh-token", url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL [no_truncation]" in done.stdout
    assert EXAMPLE["client_secret"] not in done.stdout + done.stderr


def test_a_burst_against_a_remote_target_needs_permission() -> None:
    with running_mock() as url:
        done = _replay("burst-429", url)
    assert done.returncode == 3 and "TOKEN_API_ALLOW_BURST" in done.stdout
