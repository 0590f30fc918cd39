"""Encodings: JSON and form alike, Content-Type parameters, form decoding, duplicates, empties,
unknown parameters, malformed bodies, and where the credentials go (RFC 6749 sections 2.3, 3.1, 3.2)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_contract import strategies
from token_contract.checks import error_is, expect_status, granted, require
from token_contract.client import FORM, JSON, TokenClient, basic_header
from token_spec.names import Check


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("placement", ["basic", "body"])
def test_both_media_types_and_both_credential_places_work(
    client: TokenClient, media: str, placement: str
) -> None:
    exchange = expect_status(
        client.grant(media=media, placement=placement), 200, check=Check.ENCODING_ACCEPTED
    )
    content_type = exchange.header("content-type") or ""
    require(
        content_type.startswith("application/json"),
        Check.TOKEN_IS_JSON,
        f"answered as {content_type!r}",
        exchange,
    )


@given(media=strategies.media, parameter=strategies.charset_parameters())
def test_content_type_parameters_are_accepted(client: TokenClient, media: str, parameter: str) -> None:
    content_type = f"{JSON if media == 'json' else FORM}; {parameter}"
    exchange = client.post({"grant_type": "client_credentials"}, media=media, content_type=content_type)
    expect_status(exchange, 200, check=Check.CHARSET_ACCEPTED)


@pytest.mark.parametrize("space", ["+", "%20"])
def test_form_scope_spaces_decode(client: TokenClient, space: str) -> None:
    """In a form ``+`` and ``%20`` are both a space: two scopes, both granted."""
    scopes = client.target.scopes[:2]
    if len(scopes) < 2:
        pytest.skip(f"{client.target.name}: TOKEN_API_SCOPE names fewer than two scopes")
    body = "grant_type=client_credentials&scope=" + space.join(quote(s, safe="") for s in scopes)
    exchange = client.send(
        body.encode(),
        headers=[
            ("Content-Type", FORM),
            ("Authorization", basic_header(client.target.client_id, client.target.client_secret)),
        ],
    )
    expect_status(exchange, 200, check=Check.FORM_SPACE_DECODED)
    got = granted(exchange, " ".join(scopes), client.target.scopes)
    require(
        got == set(scopes), Check.FORM_SPACE_DECODED, f"asked for {scopes}, granted {sorted(got)}", exchange
    )


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("parameter", ["grant_type", "scope"])
def test_duplicate_parameters_are_refused(client: TokenClient, media: str, parameter: str) -> None:
    """RFC 6749 section 3.2: parameters must not be included more than once."""
    value = "client_credentials" if parameter == "grant_type" else client.target.scopes[0]
    pairs = [("grant_type", "client_credentials"), (parameter, value)]
    if parameter == "scope":
        pairs.append(("scope", value))
    error_is(client.post(pairs, media=media), "invalid_request", check=Check.DUPLICATE_PARAMETER_REFUSED)


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("parameter", ["scope", "refresh_token", "client_id", "client_secret"])
def test_empty_parameters_are_omitted(client: TokenClient, media: str, parameter: str) -> None:
    """RFC 6749 section 3.1: an empty value is treated as if the parameter were absent."""
    exchange = client.post([("grant_type", "client_credentials"), (parameter, "")], media=media)
    expect_status(exchange, 200, check=Check.EMPTY_PARAMETER_OMITTED)


@given(extra=strategies.unknown_parameters(), media=strategies.media)
def test_unknown_parameters_are_ignored(client: TokenClient, extra: dict[str, str], media: str) -> None:
    exchange = client.post({"grant_type": "client_credentials", **extra}, media=media)
    expect_status(exchange, 200, check=Check.UNKNOWN_PARAMETER_IGNORED)


@given(body=strategies.malformed_json())
def test_malformed_json_is_invalid_request(client: TokenClient, body: bytes) -> None:
    exchange = client.send(body, headers=[("Content-Type", JSON)])
    error_is(exchange, "invalid_request", check=Check.MALFORMED_BODY_REFUSED)


@given(bad=strategies.invalid_utf8(), media=strategies.media)
def test_invalid_utf8_is_invalid_request(client: TokenClient, bad: bytes, media: str) -> None:
    if media == "json":
        body = b'{"grant_type": "client_credentials", "scope": "' + bad + b'"}'
    else:
        body = b"grant_type=client_credentials&scope=" + bad
    exchange = client.send(body, headers=[("Content-Type", JSON if media == "json" else FORM)])
    error_is(exchange, "invalid_request", "invalid_scope", check=Check.INVALID_UTF8_REFUSED)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/jsonx", None],
)
def test_unsupported_content_type_is_invalid_request(client: TokenClient, content_type: str | None) -> None:
    headers = [("Authorization", basic_header(client.target.client_id, client.target.client_secret))]
    if content_type:
        headers.append(("Content-Type", content_type))
    exchange = client.send(json.dumps({"grant_type": "client_credentials"}).encode(), headers=headers)
    error_is(exchange, "invalid_request", check=Check.CONTENT_TYPE_ENFORCED)


@pytest.mark.parametrize("media", ["json", "form"])
def test_secret_in_both_places_is_invalid_request(client: TokenClient, media: str) -> None:
    """RFC 6749 section 2.3: one authentication method per request."""
    target = client.target
    exchange = client.post(
        {"grant_type": "client_credentials", "client_secret": target.client_secret},
        media=media,
        placement="basic",
    )
    error_is(exchange, "invalid_request", check=Check.ONE_AUTH_METHOD)


@pytest.mark.parametrize("media", ["json", "form"])
def test_body_client_id_beside_basic_is_accepted(client: TokenClient, media: str) -> None:
    exchange = client.post(
        {"grant_type": "client_credentials", "client_id": client.target.client_id},
        media=media,
        placement="basic",
    )
    expect_status(exchange, 200, check=Check.CLIENT_ID_BESIDE_BASIC)


@pytest.mark.parametrize("media", ["json", "form"])
def test_no_credentials_is_invalid_client(client: TokenClient, media: str) -> None:
    error_is(
        client.post({"grant_type": "client_credentials"}, media=media, placement=None),
        "invalid_client",
        check=Check.CLIENT_AUTHENTICATED,
    )


@given(placement=strategies.placements, media=strategies.media, tamper=st.sampled_from(["secret", "id"]))
def test_wrong_credentials_are_invalid_client(
    client: TokenClient, placement: str, media: str, tamper: str
) -> None:
    target = client.target
    cid, secret = target.client_id, target.client_secret
    if tamper == "secret":
        secret = secret[:-1] + ("x" if secret[-1:] != "x" else "y")
    else:
        cid = cid + "-unknown"
    exchange = client.post(
        {"grant_type": "client_credentials"},
        media=media,
        placement=placement,
        client_id=cid,
        client_secret=secret,
    )
    error_is(exchange, "invalid_client", check=Check.CLIENT_AUTHENTICATED)


def test_basic_credentials_are_form_url_decoded(client: TokenClient) -> None:
    """RFC 6749 section 2.3.1: id and secret are form-url-encoded before Basic; a server decodes them.

    Every character percent-encoded is still the same id and secret.
    """
    target = client.target
    encoded = "".join(f"%{b:02X}" for b in target.client_id.encode())
    encoded += ":" + "".join(f"%{b:02X}" for b in target.client_secret.encode())
    header = "Basic " + base64.b64encode(encoded.encode()).decode()
    exchange = client.send(
        b'{"grant_type":"client_credentials"}', headers=[("Content-Type", JSON), ("Authorization", header)]
    )
    expect_status(exchange, 200, check=Check.BASIC_FORM_URL_DECODED)
