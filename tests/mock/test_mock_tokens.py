"""Issuing tokens: client credentials by Basic or body, JSON or form, scopes, headers, JWTs."""

from __future__ import annotations

import os

import jwt
import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.mock.tokens import TokenMinter
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TOKEN, basic

SPEC = contract.load()
BASE64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_basic_credentials_form_body(http, basic_auth, opaque_client):
    response = http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=basic_auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == opaque_client.token_type
    assert body["expires_in"] == opaque_client.expires_in
    assert set(body["scope"].split(" ")) == opaque_client.default_grant
    assert body["access_token"]
    assert body["refresh_token"]


def test_body_credentials_json(token, opaque_client):
    response = token(grant_type="client_credentials")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("name", sorted(SPEC.response_headers(200)))
def test_token_responses_are_not_cached(token, name):
    response = token(grant_type="client_credentials")
    assert response.headers[name] == SPEC.header_example(200, name)


def test_seed_example_body_with_refresh_token_is_accepted(http):
    """The seed's client_credentials example also carries a refresh_token: ignored."""
    example = dict(SPEC.request_examples()["clientCredentials"])
    example["refresh_token"] = SPEC.request_examples()["refreshToken"]["refresh_token"]
    response = http.post(TOKEN, json=example)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == example["scope"]


def test_tokens_are_unique_and_within_the_spec_length(token):
    seen: set[str] = set()
    for _ in range(20):
        body = token(grant_type="client_credentials").json()
        for name in ("access_token", "refresh_token"):
            assert 0 < len(body[name]) <= SPEC.issued_token_max_length
            assert body[name] not in seen
            seen.add(body[name])


def test_requested_scope_subset_is_granted(token, opaque_client):
    wanted = sorted(opaque_client.scopes)[0]
    assert token(grant_type="client_credentials", scope=wanted).json()["scope"] == wanted


def test_scope_outside_the_allowed_set_is_invalid_scope(token):
    response = token(grant_type="client_credentials", scope="/not.granted")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_empty_scope_means_the_allowed_set(http, basic_auth, opaque_client):
    response = http.post(TOKEN, data={"grant_type": "client_credentials", "scope": ""}, headers=basic_auth)
    assert set(response.json()["scope"].split(" ")) == opaque_client.default_grant


def test_jwt_client_gets_verifiable_claims(write_config, jwt_client):
    def configure(data):
        data["jwt"].update(key="k" * 32, audience="https://api.example.invalid")

    with running_mock(write_config(configure), rate_limit="off") as url:
        import httpx

        scope = sorted(jwt_client.scopes)[0]
        response = httpx.post(
            url + TOKEN,
            data={"grant_type": "client_credentials", "scope": scope},
            headers={"Authorization": basic(jwt_client.client_id, jwt_client.client_secret)},
            timeout=5,
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == jwt_client.token_type
    claims = jwt.decode(
        body["access_token"], "k" * 32, algorithms=["HS256"], audience="https://api.example.invalid"
    )
    assert claims["sub"] == jwt_client.client_id
    assert claims["scope"] == scope
    assert claims["exp"] - claims["iat"] == body["expires_in"] == jwt_client.expires_in
    assert claims["iss"]
    assert claims["jti"]
    assert len(body["access_token"]) <= SPEC.issued_token_max_length


def test_jwt_ids_are_unique(http, jwt_client):
    headers = {"Authorization": basic(jwt_client.client_id, jwt_client.client_secret)}
    tokens = [
        http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=headers).json()["access_token"]
        for _ in range(5)
    ]
    ids = {jwt.decode(t, options={"verify_signature": False})["jti"] for t in tokens}
    assert len(ids) == 5


def test_random_text_is_base64url_of_the_asked_length_and_never_repeats_across_batches() -> None:
    minter = TokenMinter(load_settings())
    texts = [minter.random_text(43) for _ in range(500)]  # ~5 batches of 4096 characters
    assert all(len(text) == 43 and set(text) <= BASE64URL for text in texts)
    assert len(set(texts)) == len(texts)
    assert len(minter.random_text(5000)) == 5000  # longer than a batch


def test_a_forked_child_draws_other_tokens_than_its_parent() -> None:
    minter = TokenMinter(load_settings())
    minter.random_text(43)  # the parent holds a batch the child must not reuse
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(writer, minter.random_text(43).encode())
        os._exit(0)
    os.close(writer)
    try:
        child = os.read(reader, 100).decode()
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    assert len(child) == 43
    assert child != minter.random_text(43)
