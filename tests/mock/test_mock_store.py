"""The refresh token store stays bounded: expired entries go first, then the oldest."""

from __future__ import annotations

import dataclasses

import httpx

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from tests.support.mock_http import TIMEOUT, TOKEN, error_of

CAPACITY = 4


def small_store() -> RefreshTokenStore:
    return RefreshTokenStore(dataclasses.replace(load_settings(), max_refresh_tokens=CAPACITY))


def test_store_evicts_the_oldest_when_full():
    store = small_store()
    for n in range(CAPACITY + 3):
        store.add(f"t{n}", RefreshRecord("c", frozenset(), 100.0), now=0.0)
    assert len(store) == CAPACITY
    assert store.get("t0", 0.0) is None
    assert store.get(f"t{CAPACITY + 2}", 0.0) is not None


def test_store_drops_expired_before_the_oldest_live():
    store = small_store()
    store.add("expired", RefreshRecord("c", frozenset(), 5.0), now=0.0)
    for n in range(CAPACITY - 1):
        store.add(f"live{n}", RefreshRecord("c", frozenset(), 100.0), now=0.0)
    store.add("new", RefreshRecord("c", frozenset(), 100.0), now=10.0)
    assert len(store) == CAPACITY
    assert all(store.get(f"live{n}", 10.0) for n in range(CAPACITY - 1))
    assert store.get("expired", 10.0) is None


def test_expired_entry_is_not_returned():
    store = small_store()
    store.add("t", RefreshRecord("c", frozenset(), 5.0), now=0.0)
    assert store.get("t", 5.0) is None
    assert len(store) == 0


def test_used_tokens_behind_a_long_lived_one_do_not_pile_up():
    """A refresh loop consumes a token per new one while an old token stays live at the front."""
    store = small_store()
    store.add("long-lived", RefreshRecord("c", frozenset(), 1e12), now=0.0)
    for n in range(1000):
        store.add(f"r{n}", RefreshRecord("c", frozenset(), 1e12), now=0.0)
        assert store.consume(f"r{n}") is not None
    assert len(store) == 1
    assert len(store._order) <= 2 * CAPACITY  # the issue-order index is rebuilt, not grown
    assert store.get("long-lived", 0.0) is not None


def test_a_token_issued_again_keeps_its_newest_record():
    store = small_store()
    store.add("t", RefreshRecord("first", frozenset(), 100.0), now=0.0)
    store.add("t", RefreshRecord("second", frozenset(), 100.0), now=0.0)
    for n in range(CAPACITY - 1):  # fills the store: the first entry for "t" reaches the old end
        store.add(f"x{n}", RefreshRecord("c", frozenset(), 100.0), now=0.0)
    record = store.get("t", 0.0)
    assert record is not None and record.client_id == "second"


def test_bounded_over_http(write_config, body_creds):
    def configure(data):
        data["store"]["max_refresh_tokens"] = CAPACITY

    with (
        running_mock(write_config(configure), rate_limit="off") as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as http,
    ):
        issued = [
            http.post(TOKEN, json={"grant_type": "client_credentials", **body_creds}).json()["refresh_token"]
            for _ in range(CAPACITY + 2)
        ]
        oldest = http.post(
            TOKEN, json={"grant_type": "refresh_token", "refresh_token": issued[0], **body_creds}
        )
        newest = http.post(
            TOKEN, json={"grant_type": "refresh_token", "refresh_token": issued[-1], **body_creds}
        )
    assert error_of(oldest) == "invalid_grant"
    assert newest.status_code == 200
