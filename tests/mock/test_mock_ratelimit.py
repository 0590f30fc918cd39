"""Rate limiting: 429 with the spec's retry header, per client, and a wait that is enough."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN, basic

SPEC = contract.load()
TIGHT = 3
MAX_BURST = 500


@pytest.fixture(scope="module")
def tight_url() -> Iterator[str]:
    with running_mock(rate_limit=f"{TIGHT}/second") as url:
        yield url


@pytest.fixture
def tight(tight_url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tight_url, timeout=TIMEOUT) as client:
        assert client.post("/__mock/reset").status_code == 204
        yield client


def grant(http: httpx.Client, client) -> httpx.Response:
    headers = {"Authorization": basic(client.client_id, client.client_secret)}
    return http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=headers)


def burst_until_429(http: httpx.Client, client, limit: int = MAX_BURST) -> httpx.Response:
    for _ in range(limit):
        response = grant(http, client)
        if response.status_code == 429:
            return response
        assert response.status_code == 200, response.text
    pytest.fail(f"no 429 within {limit} requests")


def test_over_budget_is_429_with_retry_in(tight, opaque_client):
    response = burst_until_429(tight, opaque_client, TIGHT * 3)
    value = response.headers[SPEC.retry_header]
    assert re.fullmatch(SPEC.retry_pattern, value)
    assert 0 < int(value) <= 1000
    assert response.json()["error"] == "rate_limited"
    assert response.json()["error_description"]
    assert response.headers["content-type"] == "application/json"


def test_waiting_retry_in_is_enough(tight, opaque_client):
    for _ in range(3):
        response = burst_until_429(tight, opaque_client, TIGHT * 3)
        time.sleep(int(response.headers[SPEC.retry_header]) / 1000)
        assert grant(tight, opaque_client).status_code == 200


def test_budgets_are_per_client(tight, opaque_client, jwt_client):
    burst_until_429(tight, opaque_client, TIGHT * 3)
    assert grant(tight, jwt_client).status_code == 200


def test_requests_without_a_client_id_are_limited_per_peer(tight):
    statuses = [
        tight.post(TOKEN, data={"grant_type": "client_credentials"}).status_code for _ in range(TIGHT * 3)
    ]
    assert 429 in statuses
    assert set(statuses) <= {400, 429}


def test_wrong_secrets_do_not_spend_the_clients_budget(tight, opaque_client):
    """Knowing a client id is not enough to spend its budget: a request that does not authenticate
    counts against its peer, so the real client still gets its tokens (see ``mock.ratelimit``)."""
    headers = {"Authorization": basic(opaque_client.client_id, "wrong")}
    statuses = [
        tight.post(TOKEN, data={"grant_type": "client_credentials"}, headers=headers).status_code
        for _ in range(TIGHT * 3)
    ]
    assert statuses[:TIGHT] == [400] * TIGHT
    assert 429 in statuses  # the peer's budget is spent...
    assert grant(tight, opaque_client).status_code == 200  # ...the client's is not


def test_unknown_client_ids_share_their_peers_budget(tight):
    """Made-up ids do not each get a budget (nor a limiter key) of their own."""
    statuses = [
        tight.post(TOKEN, data={"grant_type": "client_credentials", "client_id": f"made-up-{n}"}).status_code
        for n in range(TIGHT * 3)
    ]
    assert statuses[:TIGHT] == [400] * TIGHT
    assert set(statuses[TIGHT:]) == {429}


def test_a_valid_client_over_budget_is_refused_whatever_its_request(tight, opaque_client):
    """Once authenticated, every request counts against the client, malformed grants included."""
    headers = {"Authorization": basic(opaque_client.client_id, opaque_client.client_secret)}
    statuses = [
        tight.post(TOKEN, data={"grant_type": "password"}, headers=headers).status_code
        for _ in range(TIGHT * 3)
    ]
    assert statuses[:TIGHT] == [400] * TIGHT
    assert 429 in statuses
    assert grant(tight, opaque_client).status_code == 429


def test_rate_limit_off_never_limits(http, opaque_client):
    """The shared mock runs with ``--rate-limit off``."""
    assert all(grant(http, opaque_client).status_code == 200 for _ in range(TIGHT * 5))


def test_default_budget_reaches_429_within_a_few_hundred(opaque_client):
    with running_mock() as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        response = burst_until_429(http, opaque_client, MAX_BURST)
    assert int(response.headers[SPEC.retry_header]) > 0


def test_per_client_budget_from_config(write_config, opaque_client, jwt_client):
    def configure(data):
        data["defaults"]["rate_limit"] = "off"
        data["clients"][0]["rate_limit"] = f"{TIGHT}/minute"

    with running_mock(write_config(configure)) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        response = burst_until_429(http, opaque_client, TIGHT * 3)
        assert 1000 < int(response.headers[SPEC.retry_header]) <= 60_000
        assert all(grant(http, jwt_client).status_code == 200 for _ in range(TIGHT * 3))
