"""The mock's bounds, each proven against a real server on loopback.

* a request head over ``MAX_HEADER_BYTES`` is refused as soon as it passes the cap, not buffered;
* a body over the cap is refused at once, from its Content-Length or while its chunks arrive;
* a client that stalls (head or body) is answered 400 after ``READ_TIMEOUT`` and does not block others;
  a silent connection is closed after the keep-alive timeout;
* the refresh token store and the rate limiter's keys stay bounded however many clients come.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.bounds import MAX_HEADER_BYTES, READ_TIMEOUT, TIMEOUT_KEEP_ALIVE
from tests.hardening.rawhttp import connect, exchange, read_answer, request_bytes, token_request
from tests.support.mock_http import TIMEOUT, TOKEN, basic

SETTINGS = load_settings()
CLIENT = next(iter(SETTINGS.clients.values()))
CAP = SETTINGS.max_body_bytes
# Generous: how long past a server-side timeout we wait before calling the server stuck.
GRACE = 5.0


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running_mock(rate_limit="off") as base_url:
        yield base_url


def _error(answer) -> tuple[int | None, str | None]:
    try:
        body = answer.json()
    except ValueError:
        return answer.status, None
    return answer.status, body.get("error_description") if isinstance(body, dict) else None


def _valid_answer(url: str) -> int | None:
    return exchange(url, token_request(CLIENT.client_id, CLIENT.client_secret)).status


# -- the request head --------------------------------------------------------------------------------
def test_a_head_just_under_the_cap_is_served(url: str) -> None:
    pad = MAX_HEADER_BYTES - 1024
    data = token_request(CLIENT.client_id, CLIENT.client_secret).replace(
        b"\r\n", b"\r\nX-Pad: " + b"p" * pad + b"\r\n", 1
    )
    assert exchange(url, data).status == 200


@pytest.mark.parametrize("size", [MAX_HEADER_BYTES + 1, 4 * MAX_HEADER_BYTES, 1024 * 1024])
def test_a_head_over_the_cap_is_refused_with_400(url: str, size: int) -> None:
    data = request_bytes(headers=[("X-Big", "b" * size)], body=b"{}")
    assert _error(exchange(url, data)) == (400, "the request headers are too large")


def test_a_huge_header_is_cut_off_not_buffered(url: str) -> None:
    """64 MiB of one header, sent in pieces: the server closes long before it has all arrived."""
    piece, total, sent = b"h" * 65536, 64 * 1024 * 1024, 0
    with connect(url) as sock:
        sock.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nX-Huge: ")
        try:
            while sent < total:
                sock.sendall(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert sent < total, "the server read a 64 MiB header to the end"
    assert _valid_answer(url) == 200


def test_many_headers_count_towards_the_cap(url: str) -> None:
    headers = [(f"X-H{n}", "v" * 100) for n in range(MAX_HEADER_BYTES // 100)]
    assert _error(exchange(url, request_bytes(headers=headers)))[0] == 400


# -- the body ----------------------------------------------------------------------------------------
def test_a_declared_huge_body_is_refused_before_it_is_sent(url: str) -> None:
    head = request_bytes(headers=[("Content-Type", "application/json")], content_length=False)
    head = head[:-2] + b"Content-Length: 1073741824\r\n\r\n"
    with connect(url) as sock:
        sock.sendall(head + b"{" + b" " * 1023)
        answer = read_answer(sock)
    assert answer.status == 400
    assert answer.json()["error"] == "invalid_request"


def test_a_chunked_body_is_refused_once_it_passes_the_cap(url: str) -> None:
    """Chunks of 8 KiB with no end: the answer comes after the cap, while the body is unfinished."""
    head = request_bytes(
        headers=[("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
        content_length=False,
    )
    chunk = b"2000\r\n" + b" " * 0x2000 + b"\r\n"
    with connect(url) as sock:
        sock.sendall(head + b'5\r\n{"a":\r\n')
        for _ in range(CAP // 0x2000 + 2):
            sock.sendall(chunk)
        answer = read_answer(sock)
    assert (answer.status, answer.json()["error"]) == (400, "invalid_request")


def test_an_answer_before_the_body_ended_is_followed_by_a_lingering_close(url: str) -> None:
    """After the early 400 the server sends FIN and drops the rest unread, instead of keeping the
    connection and parsing the body until the read deadline (5 s); a client still sending is not
    reset before it has read the answer."""
    head = request_bytes(headers=[("Content-Type", "application/json")], content_length=False)
    head = head[:-2] + b"Content-Length: 1073741824\r\n\r\n"
    with connect(url, timeout=3.0) as sock:
        sock.sendall(head + b"{" + b" " * 1023)
        answer = read_answer(sock)
        assert (answer.status, answer.json()["error"]) == (400, "invalid_request")
        sock.sendall(b" " * 65536)  # more body after the answer: dropped, not a reset
        assert sock.recv(1) == b"", "the server kept the connection open after its early answer"


def test_a_body_at_the_cap_is_read(url: str) -> None:
    body = json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT.client_id,
            "client_secret": CLIENT.client_secret,
        }
    ).encode()
    body = body[:-1] + b" " * (CAP - len(body)) + b"}"
    assert len(body) == CAP
    data = request_bytes(headers=[("Content-Type", "application/json")], body=body)
    assert exchange(url, data).status == 200


# -- slow and stalled clients ------------------------------------------------------------------------
def test_stalled_clients_time_out_without_blocking_others(url: str) -> None:
    """20 connections stall (10 mid-body, 10 mid-head); a valid request is served meanwhile."""
    mid_body = request_bytes(headers=[("Content-Type", "application/json")], content_length=False)
    mid_body = mid_body[:-2] + b'Content-Length: 100\r\n\r\n{"grant_type":'
    mid_head = b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Ty"
    stalled: list[socket.socket] = []
    try:
        for n in range(20):
            sock = connect(url, timeout=READ_TIMEOUT + GRACE)
            stalled.append(sock)
            sock.sendall(mid_body if n % 2 else mid_head)
        started = time.monotonic()
        assert _valid_answer(url) == 200
        still_waiting = time.monotonic() - started < READ_TIMEOUT
        answers = [read_answer(sock) for sock in stalled]
    finally:
        for sock in stalled:
            sock.close()
    assert still_waiting, "the valid request was not served while the stalled ones hung"
    assert {_error(a) for a in answers} == {(400, "the request did not arrive in time")}


def test_a_trickling_client_is_cut_off_at_the_read_deadline(url: str) -> None:
    """One byte every 200 ms keeps no timer from firing but the deadline for the whole request."""
    data = request_bytes(headers=[("Content-Type", "application/json")], body=b"{}" * 100)
    started = time.monotonic()
    with connect(url, timeout=READ_TIMEOUT + GRACE) as sock:
        sock.setblocking(False)
        answer_ready = False
        for byte in data:
            if time.monotonic() - started > READ_TIMEOUT + GRACE:
                break
            try:
                sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                answer_ready = True
                break
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    answer_ready = True
                    break
            except BlockingIOError:
                pass
            time.sleep(0.2)
        sock.setblocking(True)
        assert answer_ready, "the trickle was never cut off"
        answer = read_answer(sock)
    assert _error(answer) == (400, "the request did not arrive in time")


def test_a_silent_connection_is_closed(url: str) -> None:
    with connect(url, timeout=TIMEOUT_KEEP_ALIVE + GRACE) as sock:
        assert read_answer(sock).closed == "closed"


# -- bounded state -----------------------------------------------------------------------------------
def test_the_refresh_token_store_stays_bounded(tmp_path) -> None:
    config = tmp_path / "clients.yaml"
    config.write_text(
        SETTINGS.source.read_text().replace("max_refresh_tokens: 10000", "max_refresh_tokens: 50")
    )
    app = create_app(load_settings(config, rate_limit="off"))
    store = app.state.components.store
    body = {
        "grant_type": "client_credentials",
        "client_id": CLIENT.client_id,
        "client_secret": CLIENT.client_secret,
    }
    with running_mock(app=app) as base, httpx.Client(base_url=base, timeout=10) as http:
        refresh_tokens = [http.post("/oauth2/token", json=body).json()["refresh_token"] for _ in range(400)]
        assert len(set(refresh_tokens)) == 400
        assert len(store) == 50
        # The newest are the ones kept: the last still refreshes, the first is gone.
        refresh = {**body, "grant_type": "refresh_token"}
        assert (
            http.post("/oauth2/token", json={**refresh, "refresh_token": refresh_tokens[-1]}).status_code
            == 200
        )
        first = http.post("/oauth2/token", json={**refresh, "refresh_token": refresh_tokens[0]})
        assert (first.status_code, first.json()["error"]) == (400, "invalid_grant")


def test_the_limiter_forgets_clients_whose_window_closed() -> None:
    """2000 distinct claimed client ids (unknown, over-long) leave no key behind once their window closes."""
    app = create_app(load_settings(rate_limit="1/second"))
    storage = app.state.components.limiter.windows
    with running_mock(app=app) as base, httpx.Client(base_url=base, timeout=10) as http:
        for n in range(2000):
            claimed = f"flood-{n:05d}-" + "x" * 400  # over maxLength: the key is truncated, not grown
            header = "Basic " + base64.b64encode(f"{claimed}:s".encode()).decode()
            status = http.post(
                "/oauth2/token", json={"grant_type": "client_credentials"}, headers={"Authorization": header}
            ).status_code
            assert status in {400, 429}
        assert 0 < len(storage) <= 2000
        # the key is a prefix and the client id, cut at the spec's 255
        assert max(len(key) for key in storage) <= len("client:") + 255
        # Closed windows are swept a few at a time on later hits, not on a clock.
        time.sleep(1.2)
        deadline = time.monotonic() + GRACE
        while len(storage) > 1 and time.monotonic() < deadline:
            http.post("/oauth2/token", json={"grant_type": "client_credentials"})
            time.sleep(0.1)
        assert len(storage) <= 1, f"{len(storage)} limiter keys outlived their window"


def test_an_early_answer_says_connection_close_and_the_client_goes_on(url: str) -> None:
    """An oversized body is answered before it ends, so its connection cannot be reused: the answer
    says ``Connection: close`` (RFC 9112 section 9.6), and the next request on the same client,
    which then opens a fresh connection, is answered."""
    oversized = b'{"grant_type":"refresh_token","refresh_token":"' + b"x" * (2 * CAP) + b'"}'
    auth = {"Authorization": basic(CLIENT.client_id, CLIENT.client_secret)}
    with httpx.Client(base_url=url, timeout=TIMEOUT, headers=auth) as http:
        for _ in range(20):
            early = http.post(TOKEN, content=oversized, headers={"Content-Type": "application/json"})
            assert (early.status_code, early.json()["error"]) == (400, "invalid_request")
            assert early.headers.get("connection") == "close"
            assert http.post(TOKEN, json={"grant_type": "client_credentials"}).status_code == 200
