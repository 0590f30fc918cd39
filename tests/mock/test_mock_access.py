"""The access token store stays bounded, and a revoked grant's mark outlives every token it covers."""

from __future__ import annotations

import dataclasses

import httpx

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.access import GRANT_MARK, AccessRecord, AccessTokenStore
from oauth2_token_contract.mock.store import OTHER, REVOKED, UNKNOWN, RefreshRecord, RefreshTokenStore
from tests.support.mock_http import TIMEOUT, TOKEN

CAPACITY = 4


def small(capacity: int = CAPACITY) -> AccessTokenStore:
    return AccessTokenStore(dataclasses.replace(load_settings(), max_access_tokens=capacity))


def record(grant: str | None = None, expires_at: float = 100.0, client: str = "c") -> AccessRecord:
    return AccessRecord(client, "/a", 0, expires_at, grant, "Bearer")


def test_the_store_evicts_expired_then_oldest() -> None:
    store = small()
    store.add("expired", record(expires_at=5.0), 0.0)
    for n in range(CAPACITY + 2):
        store.add(f"t{n}", record(), 10.0)
    assert len(store) == CAPACITY
    assert store.check("expired", 10.0) is None
    assert store.check("t0", 10.0) is None
    assert store.check(f"t{CAPACITY + 1}", 10.0) is not None


def test_a_grant_mark_refuses_its_tokens_and_outlives_them_in_a_full_store() -> None:
    store = small()
    store.add("a", record("g"), 0.0)
    store.add("b", record("g"), 0.0)
    store.add("other", record("h"), 0.0)
    store.end_grant("g", "c", 100.0, 1.0)
    assert store.check("a", 1.0) is None and store.check("b", 1.0) is None
    assert store.check("other", 1.0) is not None
    for n in range(CAPACITY - 1):  # fill it: the oldest go, the mark after the tokens it covers
        store.add(f"n{n}", record(), 2.0)
        assert store.check("a", 2.0) is None and store.check("b", 2.0) is None


def test_a_marks_key_is_never_a_token() -> None:
    store = small()
    store.end_grant("g", "c", 100.0, 0.0)
    assert store.check(GRANT_MARK + "g", 0.0) is None
    assert store.revoke(GRANT_MARK + "g", "c", 0.0) == UNKNOWN


def test_revocation_outcomes() -> None:
    access, refresh = small(), RefreshTokenStore(load_settings())
    access.add("at", record("g"), 0.0)
    refresh.add("rt", RefreshRecord("c", frozenset({"/a"}), 100.0, "g"), 0.0)
    assert access.revoke("at", "d", 0.0) == OTHER
    assert refresh.revoke("rt", "d", 0.0, access, 50.0) == OTHER
    assert refresh.revoke("rt", "c", 0.0, access, 50.0) == REVOKED
    assert access.check("at", 0.0) is None  # its grant ended
    assert refresh.revoke("rt", "c", 0.0, access, 50.0) == UNKNOWN


def test_the_bound_holds_over_http(write_config) -> None:
    config = write_config(lambda data: data["store"].update(max_access_tokens=5))
    settings = load_settings(config, rate_limit="off")
    client = next(iter(settings.clients.values()))
    body = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    app = create_app(settings)
    with running_mock(app=app) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        for _ in range(20):
            assert http.post(TOKEN, json=body).status_code == 200
    assert len(app.state.components.access) == 5
