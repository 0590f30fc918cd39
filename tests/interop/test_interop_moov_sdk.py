"""Moov's official Python SDK (``moovio-sdk``, generated from Moov's published OpenAPI document) gets
tokens from the mock serving the published contract, and meets its refusals as its own typed errors.

Under the documentation-page contract the same SDK refuses every token: its model accepts only
``token_type: "Bearer"``, and that page says ``opaque`` or ``jwt``.
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


def _basic(url: str, client: ClientConfig, secret: str | None = None) -> Moov:
    security = components.Security(username=client.client_id, password=secret or client.client_secret)
    return Moov(security=security, server_url=url, timeout_ms=10_000)


def test_client_credentials_with_basic(published_url: str, seed_client: ClientConfig) -> None:
    with _basic(published_url, seed_client) as moov:
        token = moov.authentication.create_access_token(grant_type=CC, scope="/accounts.read").result
    assert token.token_type == components.TokenType.BEARER
    assert token.access_token and token.refresh_token
    assert token.scope == "/accounts.read"


def test_client_credentials_with_body_credentials(published_url: str, seed_client: ClientConfig) -> None:
    with Moov(server_url=published_url, timeout_ms=10_000) as moov:
        token = moov.authentication.create_access_token(
            grant_type=CC,
            client_id=seed_client.client_id,
            client_secret=seed_client.client_secret,
            scope="/accounts.read /accounts.write",
        ).result
    assert token.token_type == components.TokenType.BEARER
    assert set(token.scope.split()) == {"/accounts.read", "/accounts.write"}


def test_refresh_with_basic_and_with_body_credentials(published_url: str, seed_client: ClientConfig) -> None:
    with _basic(published_url, seed_client) as moov:
        first = moov.authentication.create_access_token(grant_type=CC, scope="/accounts.read").result
        second = moov.authentication.create_access_token(
            grant_type=REFRESH, refresh_token=first.refresh_token
        ).result
    assert second.access_token != first.access_token
    with Moov(server_url=published_url, timeout_ms=10_000) as moov:
        third = moov.authentication.create_access_token(
            grant_type=REFRESH,
            refresh_token=second.refresh_token,
            client_id=seed_client.client_id,
            client_secret=seed_client.client_secret,
        ).result
    assert third.token_type == components.TokenType.BEARER
    assert third.scope == "/accounts.read"


def test_a_wrong_secret_is_the_sdks_typed_error(published_url: str, seed_client: ClientConfig) -> None:
    with (
        _basic(published_url, seed_client, secret="not-the-secret") as moov,
        pytest.raises(errors.GenericError) as raised,
    ):
        moov.authentication.create_access_token(grant_type=CC, scope="/accounts.read")
    assert raised.value.data.error == "invalid_client"
    assert raised.value.raw_response.status_code == 400


def test_an_unknown_scope_is_the_sdks_per_field_error(published_url: str, seed_client: ClientConfig) -> None:
    with _basic(published_url, seed_client) as moov, pytest.raises(errors.AuthTokenRequestError) as raised:
        moov.authentication.create_access_token(grant_type=CC, scope="/admin.all")
    assert raised.value.data.scope
    assert raised.value.raw_response.headers.get("x-request-id")


def test_under_the_documentation_page_the_sdk_refuses_opaque(seed_client: ClientConfig) -> None:
    """Why the README says this SDK needs the published contract: ``opaque`` is not its Bearer."""
    with (
        running_mock(rate_limit="off") as url,
        _basic(url, seed_client) as moov,
        pytest.raises(errors.ResponseValidationError) as raised,
    ):
        moov.authentication.create_access_token(grant_type=CC, scope="/accounts.read")
    assert "token_type" in str(raised.value)
