"""Redis lost during a run: answers that say so (503, journalled outside the contract), never a wrong
200, and the mock back on its own when Redis returns.

Each test runs its own redis-server (the session's stays up for the others): paused with SIGSTOP (a
hung engine: the mock's socket timeout answers), then killed and started again on the same port (a
restart: its data, kept nowhere, is gone, and so are the tokens it held).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from oauth2_token_contract.mock import MockControls
from tests.shared.conftest import EXAMPLE, token_body
from tests.support.redis_server import RedisServer

TIMEOUT = 15.0
RECOVERY = 15.0


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        if server.process is not None:
            os.killpg(server.process.pid, signal.SIGCONT)  # a paused server must run to stop
        server.stop()


def _token(http: httpx.Client, **fields: str) -> httpx.Response:
    return http.post("/oauth2/token", json=token_body(**fields))


def _recovered(http: httpx.Client) -> httpx.Response:
    """The first answer that is not a 503, asked for at most every 0.1 s for RECOVERY seconds."""
    deadline = time.monotonic() + RECOVERY
    while time.monotonic() < deadline:
        answer = _token(http, grant_type="client_credentials")
        if answer.status_code != 503:
            return answer
        time.sleep(0.1)
    raise AssertionError("the mock did not recover after Redis came back")


def _unavailable(answer: httpx.Response) -> bool:
    return answer.status_code == 503 and answer.json()["error"] == "temporarily_unavailable"


def test_redis_paused_then_stopped_and_restarted_during_a_run(
    serve, own_redis: RedisServer, tmp_path: Path
) -> None:
    state = ["--state", own_redis.url(), "--rate-limit", "off"]
    with serve(*state) as mock, httpx.Client(base_url=mock.url, timeout=TIMEOUT) as http:
        first = _token(http, grant_type="client_credentials").json()["refresh_token"]

        # A hung engine: the request that would rotate the token is answered 503, and rotates nothing.
        assert own_redis.process is not None
        os.killpg(own_redis.process.pid, signal.SIGSTOP)
        assert _unavailable(_token(http, grant_type="refresh_token", refresh_token=first))
        os.killpg(own_redis.process.pid, signal.SIGCONT)
        assert _recovered(http).status_code == 200
        rotated = _token(http, grant_type="refresh_token", refresh_token=first)
        assert rotated.status_code == 200, "the token was consumed by a request answered 503"
        assert (
            _token(http, grant_type="refresh_token", refresh_token=first).json()["error"] == "invalid_grant"
        )
        second = rotated.json()["refresh_token"]

        # A lost engine: every answer is 503, the controls' too, none a 200.
        own_redis.stop()
        lost = [_token(http, grant_type="client_credentials") for _ in range(10)]
        lost += [_token(http, grant_type="refresh_token", refresh_token=second) for _ in range(10)]
        assert all(_unavailable(answer) for answer in lost), [a.status_code for a in lost]
        assert http.get("/__mock/requests").status_code == 503

        # Back, empty (nothing persisted): the mock answers again, and the token Redis lost is refused.
        own_redis.start()
        assert _recovered(http).status_code == 200
        gone = _token(http, grant_type="refresh_token", refresh_token=second)
        assert gone.json()["error"] == "invalid_grant"

        # What the outage forced is in the journal, flagged as the mock's fault, outside the contract.
        with MockControls(mock.url) as controls:
            forced = controls.requests(status=503)
        assert len(forced) >= len(lost)
        assert all(entry["fault"] == "state_unavailable" and entry["outside_contract"] for entry in forced)
    stderr = (tmp_path / "mock-0" / "stderr.txt").read_text()
    assert "Traceback" not in stderr
    assert stderr.count("lost: ConnectionError") >= 1  # said once per outage, not once per request
    assert "is back" in stderr


def test_two_workers_answer_no_200_while_redis_is_down_and_recover(serve, own_redis: RedisServer) -> None:
    with serve("--workers", "2", "--state", own_redis.url(), "--rate-limit", "off") as mock:
        with httpx.Client(base_url=mock.url, timeout=TIMEOUT) as http:
            assert _token(http, grant_type="client_credentials").status_code == 200
        own_redis.stop()
        for _ in range(20):  # a fresh connection each: both workers answer
            with httpx.Client(base_url=mock.url, timeout=TIMEOUT) as fresh:
                assert _unavailable(_token(fresh, grant_type="client_credentials"))
        own_redis.start()
        for _ in range(10):
            with httpx.Client(base_url=mock.url, timeout=TIMEOUT) as fresh:
                assert _recovered(fresh).status_code == 200


def test_a_scenario_is_loaded_again_once_when_redis_comes_back_empty(
    serve, own_redis: RedisServer, tmp_path: Path
) -> None:
    """The scenario is part of the state at start: a Redis back empty gets it again, from one process."""
    scenario = tmp_path / "scenario.yaml"
    answer = {"code": 429, "retry_in": 1500}
    rule = {"match": {"client_id": EXAMPLE.client_id}, "times": 1000, "answer": answer}
    scenario.write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    state = ["--workers", "2", "--state", own_redis.url(), "--rate-limit", "off", "--scenario", str(scenario)]
    with serve(*state) as mock, httpx.Client(base_url=mock.url, timeout=TIMEOUT) as http:
        assert _token(http, grant_type="client_credentials").status_code == 429
        own_redis.stop()
        own_redis.start()
        for _ in range(10):  # a fresh connection each: both workers find the state empty
            with httpx.Client(base_url=mock.url, timeout=TIMEOUT) as fresh:
                assert _recovered(fresh).status_code == 429
        with MockControls(mock.url) as controls:
            assert len(controls.rules()) == 1
