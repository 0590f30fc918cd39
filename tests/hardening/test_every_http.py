"""The bounds hold with every HTTP implementation (``--http httptools`` and ``--http h11``), and past
the connection cap the answer is the contract's 429 with ``X-Retry-In``, never uvicorn's 503.

* a stalled head or body is answered 400 at the read deadline, and a silent connection is closed;
* a request arriving on a connection past the cap gets 429, ``Connection: close``, then a close;
  once the crowd leaves, requests are served again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.mock.bounds import OVER_CAPACITY_RETRY_MS, READ_TIMEOUT, TIMEOUT_KEEP_ALIVE
from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from tests.hardening.rawhttp import connect, exchange, read_answer, request_bytes, token_request

CLIENT = next(iter(load_settings().clients.values()))
SPEC = contract.load()
GRACE = 5.0
CAP = 4


@pytest.fixture(scope="module", params=["httptools", "h11"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with running_mock(rate_limit="off", http=request.param) as base_url:
        yield base_url


@pytest.fixture(scope="module", params=["httptools", "h11"])
def capped_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with running_mock(rate_limit="off", http=request.param, max_connections=CAP) as base_url:
        yield base_url


def _valid(url: str) -> int | None:
    return exchange(url, token_request(CLIENT.client_id, CLIENT.client_secret)).status


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_stalled_request_meets_the_read_deadline(url: str, where: str) -> None:
    mid_body = request_bytes(headers=[("Content-Type", "application/json")], content_length=False)
    mid_body = mid_body[:-2] + b'Content-Length: 100\r\n\r\n{"grant_type":'
    stall = b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Ty" if where == "head" else mid_body
    started = time.monotonic()
    with connect(url, timeout=READ_TIMEOUT + GRACE) as sock:
        sock.sendall(stall)
        answer = read_answer(sock)
    waited = time.monotonic() - started
    assert answer.status == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": "the request did not arrive in time",
    }
    assert READ_TIMEOUT - 0.5 < waited < READ_TIMEOUT + GRACE
    assert _valid(url) == 200


def test_a_silent_connection_is_closed(url: str) -> None:
    started = time.monotonic()
    with connect(url, timeout=TIMEOUT_KEEP_ALIVE + GRACE) as sock:
        assert read_answer(sock).closed == "closed"
    assert time.monotonic() - started < TIMEOUT_KEEP_ALIVE + GRACE


def test_past_the_connection_cap_the_answer_is_429(capped_url: str) -> None:
    crowd: list[socket.socket] = []
    try:
        for _ in range(CAP):  # idle keep-alive connections take the server's slots
            crowd.append(connect(capped_url))
        time.sleep(0.2)
        started = time.monotonic()
        answer = exchange(capped_url, token_request(CLIENT.client_id, CLIENT.client_secret))
        took = time.monotonic() - started
    finally:
        for sock in crowd:
            sock.close()
    assert answer.status == 429
    assert answer.headers[SPEC.retry_header.lower()] == str(OVER_CAPACITY_RETRY_MS)
    assert answer.headers["connection"] == "close"
    assert answer.json() == next(iter(SPEC.response_examples(429).values()))
    assert took < 1.0  # answered at once, not after a timeout
    deadline = time.monotonic() + GRACE
    while _valid(capped_url) != 200:
        assert time.monotonic() < deadline, "the server did not recover once the crowd left"
        time.sleep(0.1)


def test_never_503_however_many_come(capped_url: str) -> None:
    """Three times the cap at once: every answer is a 200 or the 429, none is uvicorn's 503."""
    data = token_request(CLIENT.client_id, CLIENT.client_secret)
    socks = [connect(capped_url) for _ in range(3 * CAP)]
    try:
        for sock in socks:
            sock.sendall(data)
        statuses = [read_answer(sock).status for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert set(statuses) <= {200, 429}, statuses
    assert 429 in statuses
