"""The mock clock: ``POST /__mock/clock`` moves the mock's time forward, ``DELETE`` returns it to real
time; JWT claims, refresh-token lifetimes and rate windows all follow it."""

from __future__ import annotations

import math
import time

import httpx
import jwt
import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.mock.clock import MAX_OFFSET_SECONDS, MockClock
from tests.support.mock_http import TIMEOUT, TOKEN, basic, error_of

CLOCK = "/__mock/clock"


def advance(http: httpx.Client, seconds: float) -> dict:
    response = http.post(CLOCK, json={"advance_seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()


def test_advancing_moves_the_mock_time_forward(http):
    assert http.get(CLOCK).json()["offset_seconds"] == 0
    state = advance(http, 3600)
    assert state["offset_seconds"] == 3600
    assert abs(state["now"] - (time.time() + 3600)) < 5
    assert advance(http, 0.5)["offset_seconds"] == 3600.5  # steps add up


def test_jwt_claims_are_dated_by_the_mock_clock(http, jwt_client):
    advance(http, 7200)
    body = {"grant_type": "client_credentials", "client_id": jwt_client.client_id}
    body["client_secret"] = jwt_client.client_secret
    issued = http.post(TOKEN, json=body).json()
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert abs(claims["iat"] - (time.time() + 7200)) < 5
    assert claims["exp"] - claims["iat"] == jwt_client.expires_in


def test_a_refresh_token_expires_when_the_clock_passes_its_lifetime(http, token, opaque_client):
    issued = token(grant_type="client_credentials").json()
    kept = token(grant_type="client_credentials").json()
    advance(http, opaque_client.refresh_expires_in - 60)
    assert token(grant_type="refresh_token", refresh_token=kept["refresh_token"]).status_code == 200
    advance(http, 61)
    expired = token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert error_of(expired) == "invalid_grant"


def test_returning_to_real_time(http, token, opaque_client):
    advance(http, 10 * opaque_client.refresh_expires_in)
    issued = token(grant_type="client_credentials").json()  # lives until far in real time
    state = http.delete(CLOCK).json()
    assert state["offset_seconds"] == 0
    assert abs(state["now"] - time.time()) < 5
    assert token(grant_type="refresh_token", refresh_token=issued["refresh_token"]).status_code == 200


def test_rate_windows_refill_when_the_clock_moves(opaque_client):
    auth = {"Authorization": basic(opaque_client.client_id, opaque_client.client_secret)}
    grant = {"grant_type": "client_credentials"}
    with running_mock(rate_limit="2/hour") as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        assert [http.post(TOKEN, data=grant, headers=auth).status_code for _ in range(3)] == [200, 200, 429]
        advance(http, 3600)
        assert http.post(TOKEN, data=grant, headers=auth).status_code == 200
        # Spent in the mock's future, the budget is not held back an hour once time is real again.
        assert http.post(TOKEN, data=grant, headers=auth).status_code == 200
        assert http.post(TOKEN, data=grant, headers=auth).status_code == 429
        http.delete(CLOCK)
        assert http.post(TOKEN, data=grant, headers=auth).status_code == 200


def test_reset_returns_the_clock_to_real_time(http):
    advance(http, 100)
    assert http.post("/__mock/reset").status_code == 204
    assert http.get(CLOCK).json()["offset_seconds"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"advance_seconds": -1},
        {"advance_seconds": "60"},
        {"advance_seconds": True},
        {"advance_seconds": None},
        {"advance_seconds": 60, "extra": 1},
        {"seconds": 60},
        [60],
        {"advance_seconds": MAX_OFFSET_SECONDS + 1},
    ],
)
def test_bad_clock_moves_are_refused(http, body):
    response = http.post(CLOCK, json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "mock_control_error"
    assert http.get(CLOCK).json()["offset_seconds"] == 0


def test_the_clock_refuses_nan_and_bodies_that_are_not_json(http):
    for content in (b'{"advance_seconds": NaN}', b"not json", b'{"advance_seconds": Infinity}'):
        response = http.post(CLOCK, content=content, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, content


def test_the_offset_is_bounded_in_all(http):
    advance(http, MAX_OFFSET_SECONDS - 10)
    assert http.post(CLOCK, json={"advance_seconds": 11}).status_code == 422
    assert http.get(CLOCK).json()["offset_seconds"] == MAX_OFFSET_SECONDS - 10


def test_the_clock_unit():
    clock = MockClock()
    assert abs(clock.now() - time.time()) < 1
    clock.advance(10)
    assert abs(clock.now() - time.time() - 10) < 1
    for bad in (-1, math.nan, MAX_OFFSET_SECONDS):
        with pytest.raises(ValueError, match="clock"):
            clock.advance(bad)
    clock.reset()
    assert clock.offset == 0
