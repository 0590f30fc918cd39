"""Per-request faults through ``Prefer``: a delay, a reset, a close, a truncated or slow body, a gateway
status; bounded, journalled, leaving the server healthy, with both HTTP implementations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.forcing import MAX_DELAY_MS, SLOW_BODY_GAP, SLOW_BODY_PIECES
from tests.support.mock_http import TIMEOUT, TOKEN, error_of, journal

BROKEN = (httpx.ReadError, httpx.RemoteProtocolError)


@pytest.fixture(scope="module", params=["httptools", "h11"])
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    with running_mock(rate_limit="off", http=request.param) as url:
        yield url


@pytest.fixture
def lab(served: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served, timeout=TIMEOUT) as client:
        assert client.post("/__mock/reset").status_code == 204
        yield client


@pytest.fixture
def grant(body_creds):
    return {"grant_type": "client_credentials", **body_creds}


def healthy(http: httpx.Client, grant: dict[str, str]) -> None:
    """After a fault the server answers the next request as usual."""
    assert http.post(TOKEN, json=grant).status_code == 200


def test_a_delay_holds_the_answer(lab, grant):
    started = time.monotonic()
    response = lab.post(TOKEN, json=grant, headers={"Prefer": "delay=400"})
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4


def test_a_delay_longer_than_the_client_waits_is_a_timeout(lab, grant):
    with pytest.raises(httpx.ReadTimeout):
        lab.post(TOKEN, json=grant, headers={"Prefer": "delay=3000"}, timeout=0.3)
    healthy(lab, grant)
    # The request was processed before the delay: the journal has it, with what was asked.
    entry = journal(lab)[0]
    assert entry["status"] == 200
    assert entry["control"] == {"delay": 3000, "source": "prefer"}
    assert entry["outside_contract"] is False


@pytest.mark.parametrize("value", [str(MAX_DELAY_MS + 1), "-1", "1.5", "soon", "", "\u00b2", "9" * 40])
def test_a_delay_out_of_bounds_is_refused(lab, grant, value):
    response = lab.post(TOKEN, json=grant, headers={"Prefer": f"delay={value}".encode("latin-1")})
    assert response.status_code == 422
    assert response.json()["error"] == "mock_control_error"


def test_reset_resets_the_connection(lab, grant):
    with pytest.raises(httpx.ReadError):
        lab.post(TOKEN, json=grant, headers={"Prefer": "fault=reset"})
    healthy(lab, grant)


def test_close_closes_without_an_answer(lab, grant):
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        lab.post(TOKEN, json=grant, headers={"Prefer": "fault=close"})
    healthy(lab, grant)


def test_truncate_sends_half_the_body_then_closes(served, grant):
    with (
        httpx.Client(base_url=served, timeout=TIMEOUT) as http,
        http.stream("POST", TOKEN, json=grant, headers={"Prefer": "fault=truncate"}) as response,
    ):
        assert response.status_code == 200
        declared = int(response.headers["content-length"])
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError):
            read_into(received, response)
    assert 0 < len(received) == declared // 2


def read_into(buffer: bytearray, response: httpx.Response) -> None:
    """Reads the body into ``buffer`` as it comes, so what arrived before a failure is kept."""
    for chunk in response.iter_raw():
        buffer.extend(chunk)


def test_slow_body_dribbles_the_answer(lab, grant):
    started = time.monotonic()
    response = lab.post(TOKEN, json=grant, headers={"Prefer": "fault=slow-body"})
    assert response.status_code == 200
    assert response.json()["access_token"]
    assert time.monotonic() - started >= (SLOW_BODY_PIECES - 1) * SLOW_BODY_GAP * 0.9


def test_slow_body_trips_a_read_timeout_shorter_than_its_gaps(lab, grant):
    timeout = httpx.Timeout(5.0, read=SLOW_BODY_GAP / 2)
    with pytest.raises(httpx.ReadTimeout):
        lab.post(TOKEN, json=grant, headers={"Prefer": "fault=slow-body"}, timeout=timeout)
    healthy(lab, grant)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_status_stands_in_for_the_endpoint(lab, grant, status):
    response = lab.post(TOKEN, json=grant, headers={"Prefer": f"fault={status}"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    entry = journal(lab)[0]
    assert entry["status"] == status
    assert entry["outside_contract"] is True
    assert entry["control"] == {"fault": str(status), "source": "prefer"}


def refresh_grant(lab: httpx.Client, grant: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A refresh grant for a freshly issued refresh token, and a copy to use it again."""
    issued = lab.post(TOKEN, json=grant).json()
    refresh = {**grant, "grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    return refresh, dict(refresh)


def test_a_gateway_status_does_not_reach_the_endpoint(lab, grant):
    """The request never got to the endpoint: the refresh token it carried is still good."""
    refresh, again = refresh_grant(lab, grant)
    assert lab.post(TOKEN, json=refresh, headers={"Prefer": "fault=502"}).status_code == 502
    assert lab.post(TOKEN, json=again).status_code == 200


def test_a_reset_answer_was_still_processed(lab, grant):
    """The endpoint did its work, only the answer was lost: the refresh token is spent, as in the
    field when a connection drops after the server rotated the token."""
    refresh, again = refresh_grant(lab, grant)
    with pytest.raises(httpx.ReadError):
        lab.post(TOKEN, json=refresh, headers={"Prefer": "fault=reset"})
    assert error_of(lab.post(TOKEN, json=again)) == "invalid_grant"
    assert [entry["status"] for entry in journal(lab)] == [200, 200, 400]  # the lost answer was a 200


@pytest.mark.parametrize(
    ("prefer", "status"),
    [("code=429, delay=200", 429), ("code=400, example=invalidClient, fault=slow-body", 400)],
)
def test_faults_combine_with_a_documented_answer(lab, grant, prefer, status):
    response = lab.post(TOKEN, json=grant, headers={"Prefer": prefer})
    assert response.status_code == status


def test_truncate_combines_with_a_documented_answer(lab, grant):
    with pytest.raises(httpx.RemoteProtocolError):
        lab.post(TOKEN, json=grant, headers={"Prefer": "code=429; fault=truncate"})
    assert journal(lab)[0]["status"] == 429


@pytest.mark.parametrize("prefer", ["fault=truncate", "code=429, fault=truncate", "code=400, fault=close"])
def test_a_cut_answer_always_ends_in_a_close_never_a_reset(lab, grant, prefer):
    """``close`` and ``truncate`` promise FIN, and QA tells them from ``reset`` by it. Closing the socket
    at once reset up to one connection in four when the answer was forced (data still in flight); the
    close lingers instead."""
    for _ in range(100):
        with pytest.raises(httpx.RemoteProtocolError):  # EOF mid-answer; a reset is a ReadError
            lab.post(TOKEN, json=grant, headers={"Prefer": prefer})


@pytest.mark.parametrize(
    "prefer",
    ["fault=melt", "fault=", "fault=502, code=400", "fault=503; example=invalidClient", "delay=x"],
)
def test_a_bad_value_of_a_known_preference_is_422(lab, grant, prefer):
    response = lab.post(TOKEN, json=grant, headers={"Prefer": prefer})
    assert response.status_code == 422
    assert response.json()["error"] == "mock_control_error"
    assert journal(lab)[0]["outside_contract"] is True


def test_unknown_preferences_are_ignored(lab, grant):
    """RFC 7240 section 2: a preference the server does not know is ignored."""
    response = lab.post(TOKEN, json=grant, headers={"Prefer": "respond-async, wait=10, handling=lenient"})
    assert response.status_code == 200


def test_fault_names_are_case_insensitive(lab, grant):
    with pytest.raises(httpx.RemoteProtocolError):
        lab.post(TOKEN, json=grant, headers={"Prefer": "FAULT=Close"})


def test_wire_faults_need_the_mocks_own_server(grant):
    """Served in-process by another ASGI server, a wire fault cannot act: 422, nothing half done."""
    app = create_app(load_settings(rate_limit="off"))

    async def send() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            reset = await http.post(TOKEN, json=grant, headers={"Prefer": "fault=reset"})
            gateway = await http.post(TOKEN, json=grant, headers={"Prefer": "fault=503"})
            return reset, gateway

    reset, gateway = asyncio.run(send())
    assert reset.status_code == 422
    assert "own server" in reset.json()["error_description"]
    assert gateway.status_code == 503


def test_the_server_stays_healthy_after_many_faults(lab, grant):
    for fault in ["reset", "close", "truncate"] * 10:
        with pytest.raises(BROKEN):
            lab.post(TOKEN, json=grant, headers={"Prefer": f"fault={fault}"})
    for _ in range(5):
        healthy(lab, grant)
