"""First contact: the first mistakes a user makes end at once, in one line naming the cause and the fix.

A wrong secret, a scope the client lacks, a dead port, a host that does not resolve, a timeout of 0 and
every bad setting: each stops the run before any contract test, with a non-zero exit that is not
"contract violated" (1), a JUnit file saying the same (never an empty one), and nothing blamed on the
target. Each case runs the suite in a child process, as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.suite.exit_codes import Exit
from selfcheck.suite_run import FAMILIES, ROOT, SuiteRun, suite_env


def _stopped(run: SuiteRun, code: Exit, line: str) -> None:
    """The run stopped before any test with ``code``, said ``line`` once in the summary, and wrote it to
    JUnit as the only case; nothing was blamed on the target."""
    assert run.returncode == code, run.output[-3000:]
    assert line in run.output, run.output[-3000:]
    for noise in ("INTERNALERROR", "Traceback", "_pytest.outcomes", "dropped the connection"):
        assert noise not in run.output, run.output[-3000:]
    cases = run.cases()
    assert len(cases) == 1, [c.get("name") for c in cases]
    problem = cases[0].find("error")
    assert problem is not None and line in (problem.text or ""), problem


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"TOKEN_API_CLIENT_SECRET": "wrong-secret"},
            "credentials rejected: 400 invalid_client; check TOKEN_API_CLIENT_ID and TOKEN_API_CLIENT_SECRET",
        ),
        (
            {"TOKEN_API_SCOPE": "/admin.all"},
            "scope '/admin.all' refused: 400 invalid_scope; set TOKEN_API_SCOPE",
        ),
    ],
    ids=["wrong-secret", "unknown-scope"],
)
def test_a_served_mock_refusing_the_client_stops_the_run(
    suite_by_url: Callable[..., SuiteRun], env: dict[str, str], line: str
) -> None:
    with running_mock() as url:
        run = suite_by_url(url, env=env, timeout=120)
    _stopped(run, Exit.TARGET_UNUSABLE, f"preflight: {line}")


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "http://127.0.0.1:9",
            "cannot connect to 127.0.0.1:9: connection refused; is the server running on that port?",
        ),
        ("https://no-such-host.invalid", "cannot resolve no-such-host.invalid: "),
    ],
    ids=["dead-port", "name-not-resolved"],
)
def test_a_target_that_cannot_be_reached_stops_the_run(
    suite_by_url: Callable[..., SuiteRun], url: str, line: str
) -> None:
    run = suite_by_url(url, timeout=120)
    _stopped(run, Exit.TARGET_UNUSABLE, f"preflight: {line}")


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("TOKEN_API_TIMEOUT", "0", "TOKEN_API_TIMEOUT='0': expected seconds above 0 and at most 600"),
        ("TOKEN_API_TIMEOUT", "abc", "TOKEN_API_TIMEOUT='abc': expected seconds above 0"),
        ("TOKEN_API_MAX_REQUESTS", "abc", "TOKEN_API_MAX_REQUESTS='abc': expected a whole number 1 or more"),
        ("TOKEN_API_MAX_REQUESTS", "-5", "TOKEN_API_MAX_REQUESTS='-5': expected a whole number 1 or more"),
        ("TOKEN_API_MAX_WAIT", "abc", "TOKEN_API_MAX_WAIT='abc': expected seconds 0 or more"),
        (
            "TOKEN_API_PROFILE",
            "nonsense",
            "TOKEN_API_PROFILE='nonsense': expected one of quick, ci, live, dev, deep",
        ),
        ("TOKEN_API_EXAMPLE_DB", "reddis://host", "TOKEN_API_EXAMPLE_DB='reddis://host': unknown scheme"),
        ("TOKEN_API_ALLOW_BURST", "maybe", "TOKEN_API_ALLOW_BURST='maybe': expected one of 1, true"),
        ("TOKEN_API_SPEC", "absent.yaml", "TOKEN_API_SPEC=absent.yaml: spec "),
        ("TOKEN_API_EXPECTED_FAILURES", "absent.yaml", "TOKEN_API_EXPECTED_FAILURES=absent.yaml"),
    ],
)
def test_a_bad_setting_stops_the_run_with_one_line(
    suite_by_url: Callable[..., SuiteRun], name: str, value: str, line: str
) -> None:
    run = suite_by_url("http://127.0.0.1:9", env={name: value}, timeout=120)
    _stopped(run, Exit.BAD_SETTING, line)
    assert f"ERROR: {line}" in run.output, run.output[-3000:]


def test_the_embedded_mock_under_xdist_is_checked_once_by_the_controller(tmp_path: Path) -> None:
    """``./run contract`` with a scope the mock's client lacks: the controller's preflight stops it,
    and no worker runs a test. (Not timed: two workers collect first, which a shared machine slows.)"""
    junit = tmp_path / "junit.xml"
    command = [sys.executable, "-m", "pytest", FAMILIES, "-p", "no:cacheprovider", "-n", "2",
               f"--junitxml={junit}"]  # fmt: skip
    env = suite_env("mock", TOKEN_API_SCOPE="/admin.all")
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    run = SuiteRun(done.returncode, done.stdout + done.stderr, junit)
    _stopped(run, Exit.TARGET_UNUSABLE, "scope '/admin.all' refused")
    assert " passed" not in run.output.splitlines()[-1], run.output[-2000:]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_", "CI"))}
    return subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract", "run", *args],
        cwd=ROOT,
        env={**child_env, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_under_ci_a_run_without_a_target_is_refused() -> None:
    done = _cli(CI="true")
    assert done.returncode == Exit.BAD_SETTING, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "token-contract: CI is set and no target is named: give --target URL (or TOKEN_API_TARGET), "
        "or --target mock to check the embedded mock on purpose"
    ]


def test_under_ci_the_embedded_mock_runs_when_named(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    done = _cli("--target", "mock", "--junitxml", str(junit), "--", "-k", "test_errors", "-n", "0", CI="true")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "target: embedded mock" in done.stdout
