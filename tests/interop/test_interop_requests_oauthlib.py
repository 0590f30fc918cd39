"""requests-oauthlib's backend-application flow against the mock, Basic and body credentials.

oauthlib refuses plain ``http://`` unless ``OAUTHLIB_INSECURE_TRANSPORT=1`` (the mock is loopback
HTTP), and signs requests only for bearer-like token types. Recipe for using an ``opaque``/``jwt``
token: a compliance hook that rewrites ``token_type`` to ``Bearer`` when the token arrives::

    session.register_compliance_hook("access_token_response", as_bearer)
"""

from __future__ import annotations

import json

import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def as_bearer(response: requests.Response) -> requests.Response:
    token = response.json()
    token["token_type"] = "Bearer"
    response._content = json.dumps(token).encode()
    return response


def test_basic_credentials(token_url, client):
    session = OAuth2Session(client=BackendApplicationClient(client_id=client.client_id))
    token = session.fetch_token(
        token_url, auth=HTTPBasicAuth(client.client_id, client.client_secret), timeout=5
    )
    assert token["token_type"] == client.token_type
    assert set(token["scope"]) == client.default_grant  # oauthlib splits scope into a list


def test_body_credentials_with_include_client_id(token_url, client):
    session = OAuth2Session(client=BackendApplicationClient(client_id=client.client_id))
    token = session.fetch_token(
        token_url,
        client_id=client.client_id,
        client_secret=client.client_secret,
        include_client_id=True,
        timeout=5,
    )
    assert token["access_token"]
    assert token["expires_in"] == client.expires_in


def test_requested_scope_is_granted(token_url, client):
    scope = sorted(client.scopes)[:1]
    session = OAuth2Session(
        client=BackendApplicationClient(client_id=client.client_id, scope=scope), scope=scope
    )
    token = session.fetch_token(
        token_url, auth=HTTPBasicAuth(client.client_id, client.client_secret), timeout=5
    )
    assert token["scope"] == scope


def test_compliance_hook_recipe_signs_requests(token_url, client):
    session = OAuth2Session(client=BackendApplicationClient(client_id=client.client_id))
    session.register_compliance_hook("access_token_response", as_bearer)
    token = session.fetch_token(
        token_url, auth=HTTPBasicAuth(client.client_id, client.client_secret), timeout=5
    )
    _, headers, _ = session._client.add_token("https://resource.example.invalid/")
    assert headers["Authorization"] == f"Bearer {token['access_token']}"


def test_without_the_recipe_signing_is_refused(token_url, client):
    session = OAuth2Session(client=BackendApplicationClient(client_id=client.client_id))
    session.fetch_token(token_url, auth=HTTPBasicAuth(client.client_id, client.client_secret), timeout=5)
    with pytest.raises(ValueError, match=r"(?i)token type"):
        session._client.add_token("https://resource.example.invalid/")
