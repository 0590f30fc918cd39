"""Another project's tests get the mock from the installed plugin alone: no conftest, no import of
ours in the test file, one server for the session, every test starting from a clean state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

A_CLIENT_LIBRARYS_TESTS = '''
import httpx


def get_token(url, client_id, secret, attempts=3):
    """The library under test: client_credentials, waiting out X-Retry-In."""
    for _ in range(attempts):
        body = {"grant_type": "client_credentials"}
        answer = httpx.post(url, data=body, auth=(client_id, secret), timeout=5)
        if answer.status_code != 429:
            return answer
        import time
        time.sleep(int(answer.headers["X-Retry-In"]) / 1000)
    return answer


def test_a_429_is_waited_out(token_mock):
    token_mock.controls.rule(times=1, code=429, retry_in=100)
    answer = get_token(token_mock.token_url, *token_mock.credentials)
    assert answer.status_code == 200, answer.text
    assert token_mock.controls.count(grant_type="client_credentials") == 2


def test_the_next_test_starts_clean(token_mock):
    assert token_mock.controls.rules() == []
    assert token_mock.controls.count() == 0
    token_mock.controls.rule(times=5, code=400, error="invalid_client")


def test_and_the_one_after_that(token_mock):
    assert token_mock.controls.rules() == []
    assert get_token(token_mock.token_url, *token_mock.credentials).status_code == 200


def test_one_server_for_the_session(token_mock, token_mock_url):
    assert token_mock.url == token_mock_url and token_mock_url.startswith("http://127.0.0.1:")
'''


def test_a_project_uses_token_mock_through_the_entry_point_alone(tmp_path: Path) -> None:
    project = tmp_path / "client-library"
    project.mkdir()
    (project / "test_client.py").write_text(A_CLIENT_LIBRARYS_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_"))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            "test_client.py",
        ],
        cwd=project,
        env={**env, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "4 passed" in output, output[-3000:]
    assert "token contract summary" not in output, "the plugin reported on tests that are not the suite's"
