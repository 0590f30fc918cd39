"""Journal queries: filter by client, grant type, status and time, count, and wait (bounded) for a
matching request, so a test asserts without sleeping."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.journal import MAX_WAIT_SECONDS
from tests.support.mock_http import TIMEOUT, TOKEN

REQUESTS = "/__mock/requests"


def ask(http: httpx.Client, **query) -> dict:
    response = http.get(REQUESTS, params=query)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def traffic(http, token, jwt_client):
    """Three requests from the opaque client (200, 200 refresh, 400) and one from the JWT client."""
    issued = token(grant_type="client_credentials").json()
    token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    token(grant_type="client_credentials", scope="/not.allowed")
    body = {"grant_type": "client_credentials", "client_id": jwt_client.client_id}
    http.post(TOKEN, json={**body, "client_secret": jwt_client.client_secret})
    return issued


def test_filter_by_client_grant_type_and_status(http, traffic, opaque_client, jwt_client):
    assert ask(http)["count"] == 4
    mine = ask(http, client_id=opaque_client.client_id)
    assert mine["count"] == 3 == len(mine["requests"])
    assert {entry["client_id"] for entry in mine["requests"]} == {opaque_client.client_id}
    assert ask(http, client_id=jwt_client.client_id)["count"] == 1
    assert ask(http, grant_type="refresh_token")["count"] == 1
    assert ask(http, status=400)["requests"][0]["params"]["scope"] == "/not.allowed"
    both = ask(http, client_id=opaque_client.client_id, grant_type="client_credentials", status=200)
    assert both["count"] == 1


def test_exactly_once_is_a_count(http, token, opaque_client):
    """Did the client ask for a token exactly once?"""
    token(grant_type="client_credentials")
    query = {"client_id": opaque_client.client_id, "grant_type": "client_credentials"}
    assert ask(http, **query)["count"] == 1


def test_filter_by_time(http, token):
    token(grant_type="client_credentials")
    time.sleep(0.05)
    since = time.time()
    token(grant_type="client_credentials")
    later = ask(http, since=since)
    assert later["count"] == 1
    assert later["requests"][0]["time"] >= since


def test_entries_are_numbered_and_say_what_controlled_them(http, token, body_creds):
    token(grant_type="client_credentials")
    body = {"grant_type": "client_credentials", **body_creds}
    http.post(TOKEN, json=body, headers={"Prefer": "code=429, delay=1"})
    first, second = ask(http)["requests"]
    assert second["id"] == first["id"] + 1
    assert (first["control"], first["outside_contract"]) == (None, False)
    assert second["control"] == {"code": 429, "delay": 1, "source": "prefer"}


def test_wait_returns_as_soon_as_a_matching_request_arrives(http, mock_url, body_creds):
    def later() -> None:
        time.sleep(0.3)
        httpx.post(mock_url + TOKEN, json={"grant_type": "client_credentials", **body_creds}, timeout=TIMEOUT)

    sender = threading.Thread(target=later)
    started = time.monotonic()
    sender.start()
    found = ask(http, client_id=body_creds["client_id"], wait=10_000)
    sender.join()
    assert found["count"] == 1
    assert 0.25 < time.monotonic() - started < 5


def test_wait_gives_up_after_its_bound(http):
    started = time.monotonic()
    found = ask(http, client_id="nobody", wait=300)
    assert found == {"requests": [], "count": 0}
    assert 0.25 < time.monotonic() - started < 3


def test_wait_answers_at_once_when_an_entry_already_matches(http, token, opaque_client):
    token(grant_type="client_credentials")
    started = time.monotonic()
    assert ask(http, client_id=opaque_client.client_id, wait=10_000)["count"] == 1
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "query",
    [
        {"status": "abc"},
        {"status": "99"},
        {"since": "yesterday"},
        {"since": "nan"},
        {"wait": str(int(MAX_WAIT_SECONDS * 1000) + 1)},
        {"wait": "-1"},
        {"client": "x"},
    ],
)
def test_bad_questions_are_refused(http, query):
    response = http.get(REQUESTS, params=query)
    assert response.status_code == 422
    assert response.json()["error"] == "mock_control_error"


def test_waiters_are_capped(monkeypatch):
    monkeypatch.setattr("oauth2_token_contract.mock.journal.MAX_WAITERS", 1)
    app = create_app(load_settings(rate_limit="off"))
    with running_mock(app=app) as url:
        holder = threading.Thread(
            target=httpx.get, args=(url + REQUESTS,), kwargs={"params": {"wait": 1500}, "timeout": 5}
        )
        holder.start()
        time.sleep(0.3)
        refused = httpx.get(url + REQUESTS, params={"wait": 1000}, timeout=TIMEOUT)
        holder.join()
    assert refused.status_code == 409
    assert "wait" in refused.json()["error_description"]
