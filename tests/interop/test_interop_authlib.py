"""Authlib fetches and refreshes tokens from the mock, with Basic and with body credentials.

Using the token: Authlib signs requests only for ``token_type`` ``bearer``, and this API answers
``opaque`` or ``jwt``. Both are bearer tokens in practice, so the recipe is a compliance hook that
rewrites ``token_type`` when the token arrives::

    def as_bearer(response):
        token = response.json()
        token["token_type"] = "Bearer"
        response._content = json.dumps(token).encode()   # requests; or build a new response
        return response

    session.register_compliance_hook("access_token_response", as_bearer)
    session.register_compliance_hook("refresh_token_response", as_bearer)

(or simply send ``Authorization: Bearer <access_token>`` yourself).
"""

from __future__ import annotations

import asyncio
import json

import pytest
import requests
from authlib.integrations.base_client import UnsupportedTokenTypeError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.requests_client import OAuth2Auth, OAuth2Session


def as_bearer(response: requests.Response) -> requests.Response:
    token = response.json()
    token["token_type"] = "Bearer"
    response._content = json.dumps(token).encode()
    return response


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_fetch_token_client_credentials(token_url, client, method):
    with OAuth2Session(client.client_id, client.client_secret, token_endpoint_auth_method=method) as session:
        token = session.fetch_token(token_url, grant_type="client_credentials", timeout=5)
    assert token["token_type"] == client.token_type
    assert token["expires_in"] == client.expires_in
    assert set(token["scope"].split()) == client.default_grant
    assert token["access_token"]


def test_fetch_with_scope_then_refresh(token_url, client):
    scope = sorted(client.scopes)[0]
    with OAuth2Session(client.client_id, client.client_secret, scope=scope) as session:
        first = session.fetch_token(token_url, grant_type="client_credentials", timeout=5)
        assert first["scope"] == scope
        second = session.refresh_token(token_url, refresh_token=first["refresh_token"], timeout=5)
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert session.token["access_token"] == second["access_token"]


def test_opaque_token_is_refused_for_signing_without_the_recipe(token_url, client):
    with OAuth2Session(client.client_id, client.client_secret) as session:
        token = session.fetch_token(token_url, grant_type="client_credentials", timeout=5)
    prepared = requests.Request("GET", "https://resource.example.invalid/").prepare()
    with pytest.raises(UnsupportedTokenTypeError, match="opaque"):
        OAuth2Auth(token)(prepared)


def test_compliance_hook_recipe_signs_requests(token_url, jwt_client):
    with OAuth2Session(jwt_client.client_id, jwt_client.client_secret) as session:
        session.register_compliance_hook("access_token_response", as_bearer)
        token = session.fetch_token(token_url, grant_type="client_credentials", timeout=5)
        prepared = session.token_auth(requests.Request("GET", "https://resource.example.invalid/").prepare())
    assert prepared.headers["Authorization"] == f"Bearer {token['access_token']}"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_async_httpx_client_fetches_and_refreshes(token_url, client, method):
    async def flow() -> tuple[dict, dict]:
        async with AsyncOAuth2Client(
            client.client_id, client.client_secret, token_endpoint_auth_method=method, timeout=5
        ) as oauth:
            first = await oauth.fetch_token(token_url, grant_type="client_credentials")
            second = await oauth.refresh_token(token_url, refresh_token=first["refresh_token"])
            return dict(first), dict(second)

    first, second = asyncio.run(flow())
    assert first["token_type"] == second["token_type"] == client.token_type
    assert second["refresh_token"] != first["refresh_token"]
