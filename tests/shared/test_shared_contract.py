"""The contract suite, as a user runs it by URL, is green against shared state: one mock of two workers,
and two mock processes sharing one Redis with the suite's requests alternating between them.
"""

from __future__ import annotations

from pathlib import Path

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.spec import contract
from selfcheck.suite_run import SuiteRun, run_suite
from tests.shared.round_robin import RoundRobin

DEADLINE = 420.0


def suite_against(url: str, junit: Path) -> SuiteRun:
    """The contract families against ``url`` with the spec's example client, as tests/suite runs them."""
    example = contract.load().request_examples()["clientCredentials"]
    env = {
        "TOKEN_API_CLIENT_ID": example["client_id"],
        "TOKEN_API_CLIENT_SECRET": example["client_secret"],
        "TOKEN_API_SCOPE": "/accounts.read /accounts.write",
        "TOKEN_API_MAX_REQUESTS": "20000",
        "TOKEN_API_PROFILE": "ci",
    }
    return run_suite(url, junit, env=env, deadline=DEADLINE)


def _green(run: SuiteRun) -> None:
    assert run.returncode == 0, run.output[-4000:]
    assert run.cases(), "the suite ran no test"


def test_the_suite_is_green_against_2_workers_on_redis(serve, state_args, tmp_path: Path) -> None:
    with serve("--workers", "2", *state_args) as mock:
        _green(suite_against(mock.url, tmp_path / "junit.xml"))


def test_the_suite_is_green_against_two_mocks_sharing_redis_round_robin(
    serve, state_args, tmp_path: Path
) -> None:
    with serve(*state_args) as first, serve(*state_args) as second:
        front = RoundRobin([first.url, second.url])
        with running_mock(app=front) as url:
            _green(suite_against(url, tmp_path / "junit.xml"))
        assert min(front.served.values()) > 0.45 * sum(front.served.values()), front.served


def test_the_round_robin_front_really_splits_a_refresh_flow(redis_server, namespace) -> None:
    """The front itself: a token issued through one backend is refreshed through the other."""
    import httpx

    from tests.shared.conftest import token_body

    settings = load_settings(state=redis_server.url(), namespace=namespace)
    with running_mock(app=create_app(settings)) as a, running_mock(app=create_app(settings)) as b:
        front = RoundRobin([a, b])
        with running_mock(app=front) as url, httpx.Client(base_url=url, timeout=10) as http:
            issued = http.post("/oauth2/token", json=token_body(grant_type="client_credentials")).json()
            refresh = token_body(grant_type="refresh_token", refresh_token=issued["refresh_token"])
            assert http.post("/oauth2/token", json=refresh).status_code == 200
        assert front.served == {a: 1, b: 1}
