"""httpx-auth's client-credentials flow: fetches from the mock and sends ``Bearer <token>`` itself.

httpx-auth ignores ``token_type`` and always sends ``Authorization: Bearer <access_token>``, so the
API's ``opaque``/``jwt`` types need no recipe here.
"""

from __future__ import annotations

import httpx
import httpx_auth
import pytest


@pytest.fixture(autouse=True)
def empty_token_cache():
    httpx_auth.OAuth2.token_cache.clear()
    yield
    httpx_auth.OAuth2.token_cache.clear()


def test_client_credentials_token_reaches_the_resource(token_url, client):
    seen: list[str] = []

    def resource(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200)

    with httpx.Client(timeout=5) as token_client:
        auth = httpx_auth.OAuth2ClientCredentials(
            token_url, client_id=client.client_id, client_secret=client.client_secret, client=token_client
        )
        with httpx.Client(transport=httpx.MockTransport(resource), auth=auth) as api:
            assert api.get("https://resource.example.invalid/a").status_code == 200
            assert api.get("https://resource.example.invalid/b").status_code == 200
    assert seen[0] == seen[1]
    scheme, _, access_token = seen[0].partition(" ")
    assert scheme == "Bearer"
    assert access_token


def test_wrong_secret_is_reported(token_url, client):
    with httpx.Client(timeout=5) as token_client:
        auth = httpx_auth.OAuth2ClientCredentials(
            token_url, client_id=client.client_id, client_secret="wrong", client=token_client
        )
        with (
            httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)), auth=auth) as api,
            pytest.raises(httpx_auth.InvalidGrantRequest, match="invalid_client"),
        ):
            api.get("https://resource.example.invalid/")
