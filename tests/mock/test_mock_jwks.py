"""JWT access tokens signed RS256 (the default) or ES256 with a published key, verified as a resource
server does it: PyJWT's ``PyJWKClient`` against the mock's ``/.well-known/jwks.json``; HS256 still a
choice, its key never published. RFC 9068's header and claims."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.settings import ConfigError
from tests.support.mock_http import TIMEOUT, TOKEN, basic

JWKS = "/.well-known/jwks.json"
SETTINGS = load_settings(spec="moov-published")
JWT_CLIENT = next(c for c in SETTINGS.clients.values() if c.token_format == "jwt")


def _jwt(url: str, scope: str = "/ping.read") -> str:
    response = httpx.post(
        url + TOKEN,
        data={"grant_type": "client_credentials", "scope": scope},
        headers={"Authorization": basic(JWT_CLIENT.client_id, JWT_CLIENT.client_secret)},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _verified(url: str, token: str, alg: str) -> dict:
    key = jwt.PyJWKClient(url + JWKS).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=[alg], audience="https://api.moov.io")


def test_the_shipped_jwt_client_signs_rs256_verified_through_the_jwks() -> None:
    with running_mock(rate_limit="off", spec="moov-published") as url:
        token = _jwt(url)
        claims = _verified(url, token, "RS256")
        header = jwt.get_unverified_header(token)
        keys = httpx.get(url + JWKS, timeout=TIMEOUT).json()["keys"]
        pinged = httpx.get(url + "/ping", headers={"Authorization": "Bearer " + token}, timeout=TIMEOUT)
    assert (header["alg"], header["typ"]) == ("RS256", "at+jwt")
    assert [k["kid"] for k in keys] == [header["kid"]]
    assert {k["kty"] for k in keys} == {"RSA"} and "d" not in keys[0]  # the public half only
    assert {"iss", "exp", "aud", "sub", "client_id", "iat", "jti", "scope"} <= set(claims)
    assert claims["sub"] == claims["client_id"] == JWT_CLIENT.client_id
    assert claims["iss"] == SETTINGS.jwt_issuer
    assert claims["exp"] - claims["iat"] == JWT_CLIENT.expires_in
    assert claims["scope"] == "/ping.read"
    assert pinged.status_code == 200  # the resource knows the JWT it issued


def test_es256_with_a_key_made_at_start(write_config) -> None:
    config = write_config(lambda data: data["jwt"].update(alg="ES256"))
    with running_mock(config, rate_limit="off", spec="moov-published") as url:
        token = _jwt(url)
        claims = _verified(url, token, "ES256")
        keys = httpx.get(url + JWKS, timeout=TIMEOUT).json()["keys"]
    assert claims["client_id"] == JWT_CLIENT.client_id
    assert (keys[0]["kty"], keys[0]["crv"], keys[0]["alg"]) == ("EC", "P-256", "ES256")


def test_a_configured_key_file_and_kid_are_used(write_config, tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "signing.pem").write_bytes(pem)
    config = write_config(lambda data: data["jwt"].update(alg="ES256", key_file="signing.pem", kid="qa-1"))
    with running_mock(config, rate_limit="off", spec="moov-published") as url:
        token = _jwt(url)
    assert jwt.get_unverified_header(token)["kid"] == "qa-1"
    claims = jwt.decode(token, private.public_key(), algorithms=["ES256"], audience="https://api.moov.io")
    assert claims["sub"] == JWT_CLIENT.client_id


def test_hs256_stays_a_choice_and_its_key_is_never_published(write_config) -> None:
    config = write_config(lambda data: data["jwt"].update(alg="HS256", key="k" * 32))
    with running_mock(config, rate_limit="off", spec="moov-published") as url:
        token = _jwt(url)
        keys = httpx.get(url + JWKS, timeout=TIMEOUT).json()
    assert keys == {"keys": []}
    assert (
        jwt.decode(token, "k" * 32, algorithms=["HS256"], audience="https://api.moov.io")["scope"]
        == "/ping.read"
    )


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"alg": "none"}, "jwt.alg must be one of"),
        ({"alg": "RS256", "key": "not-pem"}, "RS256 takes a PEM private key"),
        ({"alg": "HS256", "key": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"}, "not PEM"),
        ({"alg": "RS256", "key": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"}, "not a PEM"),
    ],
)
def test_a_bad_signing_config_fails_at_start_in_one_line(write_config, section: dict, says: str) -> None:
    from oauth2_token_contract.mock import create_app

    config = write_config(lambda data: data["jwt"].update(section))
    with pytest.raises(ConfigError, match=says):
        create_app(load_settings(config))
