"""The refresh_token grant: rotation, single use, ownership, expiry and scope narrowing."""

from __future__ import annotations

import time

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from tests.support.mock_http import TIMEOUT, TOKEN, error_of


@pytest.fixture
def first(token):
    response = token(grant_type="client_credentials")
    assert response.status_code == 200
    return response.json()


def test_refresh_rotates_the_token(token, first):
    second = token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert body["scope"] == first["scope"]
    third = token(grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert third.status_code == 200


def test_refresh_token_is_single_use(token, first):
    assert token(grant_type="refresh_token", refresh_token=first["refresh_token"]).status_code == 200
    again = token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert error_of(again) == "invalid_grant"


def test_unknown_refresh_token_is_invalid_grant(token):
    assert error_of(token(grant_type="refresh_token", refresh_token="never-issued")) == "invalid_grant"


def test_missing_refresh_token_is_invalid_request(token):
    assert error_of(token(grant_type="refresh_token")) == "invalid_request"


def test_refresh_token_of_another_client_is_invalid_grant(http, first, jwt_client, token):
    body = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": jwt_client.client_id,
        "client_secret": jwt_client.client_secret,
    }
    assert error_of(http.post(TOKEN, json=body)) == "invalid_grant"
    # The attempt consumed nothing: the owner can still use it.
    assert token(grant_type="refresh_token", refresh_token=first["refresh_token"]).status_code == 200


def test_refresh_may_narrow_the_scope(token, first, opaque_client):
    narrow = sorted(opaque_client.scopes)[0]
    second = token(grant_type="refresh_token", refresh_token=first["refresh_token"], scope=narrow)
    assert second.status_code == 200
    assert second.json()["scope"] == narrow
    # The rotated refresh token keeps the original grant (RFC 6749 section 6).
    third = token(grant_type="refresh_token", refresh_token=second.json()["refresh_token"])
    assert third.json()["scope"] == first["scope"]


def test_refresh_never_widens_the_scope(token, opaque_client):
    narrow = sorted(opaque_client.scopes)[0]
    first = token(grant_type="client_credentials", scope=narrow).json()
    wide = " ".join(sorted(opaque_client.scopes))
    response = token(grant_type="refresh_token", refresh_token=first["refresh_token"], scope=wide)
    assert error_of(response) == "invalid_scope"
    # A refused refresh consumes nothing.
    assert token(grant_type="refresh_token", refresh_token=first["refresh_token"]).status_code == 200


def test_expired_refresh_token_is_invalid_grant(opaque_client):
    app = create_app(load_settings(rate_limit="off"))
    store = app.state.components.store
    creds = {"client_id": opaque_client.client_id, "client_secret": opaque_client.client_secret}
    with running_mock(app=app) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        refresh = http.post(TOKEN, json={"grant_type": "client_credentials", **creds}).json()["refresh_token"]
        record = store.get(refresh, time.time())
        assert record is not None
        store.consume(refresh)
        store.add(refresh, record._replace(expires_at=time.time() - 1), time.time())
        response = http.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": refresh, **creds})
    assert error_of(response) == "invalid_grant"


def test_refresh_tokens_outlive_access_tokens(default_settings):
    for client in default_settings.clients.values():
        assert client.refresh_expires_in > client.expires_in


def test_reset_forgets_refresh_tokens(http, first, token):
    assert http.post("/__mock/reset").status_code == 204
    assert (
        error_of(token(grant_type="refresh_token", refresh_token=first["refresh_token"])) == "invalid_grant"
    )


@pytest.fixture
def restricted(default_settings):
    return next(
        c
        for c in default_settings.clients.values()
        if c.grant_types < {"client_credentials", "refresh_token"}
    )


def test_grant_type_not_allowed_for_the_client_is_unauthorized_client(http, restricted):
    creds = {"client_id": restricted.client_id, "client_secret": restricted.client_secret}
    issued = http.post(TOKEN, json={"grant_type": "client_credentials", **creds})
    assert issued.status_code == 200
    assert "refresh_token" not in issued.json()  # configured not to get refresh tokens
    response = http.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": "whatever", **creds})
    assert error_of(response) == "unauthorized_client"
