"""Moov's official Python SDK (``moovio-sdk``) through a token's whole life, against the mock serving
the published contract: a token with ``/ping.read``, ``moov.ping.ping`` with it as a bearer token,
``revoke_access_token`` of the access token (ping refused), then of the refresh token (the refresh
refused, as the SDK's typed per-field error). The SDK expects the published 204 for a revocation:
RFC 7009's 200 would be its "Unexpected response received".
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moovio_sdk import Moov
from moovio_sdk.models import components, errors

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.settings import ClientConfig

PUBLISHED = "moov-published"
CC = components.GrantType.CLIENT_CREDENTIALS
REFRESH = components.GrantType.REFRESH_TOKEN


@pytest.fixture(scope="module")
def published_url() -> Iterator[str]:
    with running_mock(rate_limit="off", spec=PUBLISHED) as url:
        yield url


@pytest.fixture(scope="module")
def seed_client() -> ClientConfig:
    return next(iter(load_settings(spec=PUBLISHED).clients.values()))


def _basic(url: str, client: ClientConfig) -> Moov:
    security = components.Security(username=client.client_id, password=client.client_secret)
    return Moov(security=security, server_url=url, timeout_ms=10_000)


def _ping(url: str, token: str) -> None:
    with Moov(server_url=url, timeout_ms=10_000) as moov:
        moov.ping.ping(http_headers={"Authorization": f"Bearer {token}"})


def test_the_sdk_pings_revokes_and_is_refused(published_url: str, seed_client: ClientConfig) -> None:
    with _basic(published_url, seed_client) as moov:
        token = moov.authentication.create_access_token(grant_type=CC, scope="/ping.read").result
        assert token.scope == "/ping.read"
        _ping(published_url, token.access_token)

        revoked = moov.authentication.revoke_access_token(
            token=token.access_token, token_type_hint=components.TokenTypeHint.ACCESS_TOKEN
        )
        assert revoked.headers.get("x-request-id")
        with pytest.raises(errors.APIError) as refused:
            _ping(published_url, token.access_token)
        assert refused.value.raw_response.status_code == 401
        assert 'error="invalid_token"' in refused.value.raw_response.headers["www-authenticate"]

        moov.authentication.revoke_access_token(token=token.refresh_token)
        with pytest.raises(errors.AuthTokenRequestError) as refresh_refused:
            moov.authentication.create_access_token(grant_type=REFRESH, refresh_token=token.refresh_token)
        assert refresh_refused.value.data.refresh_token
        assert refresh_refused.value.raw_response.status_code == 422


def test_the_sdk_revokes_with_body_credentials_and_an_unknown_token(
    published_url: str, seed_client: ClientConfig
) -> None:
    with Moov(server_url=published_url, timeout_ms=10_000) as moov:
        moov.authentication.revoke_access_token(
            token="never-issued", client_id=seed_client.client_id, client_secret=seed_client.client_secret
        )
        with pytest.raises(errors.GenericError) as refused:
            moov.authentication.revoke_access_token(
                token="never-issued", client_id=seed_client.client_id, client_secret="not-the-secret"
            )
    assert refused.value.data.error == "invalid_client"


def test_a_token_without_the_scope_is_the_sdks_403(published_url: str, seed_client: ClientConfig) -> None:
    with _basic(published_url, seed_client) as moov:
        token = moov.authentication.create_access_token(grant_type=CC, scope="/accounts.read").result
    with pytest.raises(errors.APIError) as refused:
        _ping(published_url, token.access_token)
    assert refused.value.raw_response.status_code == 403
