"""Grant types: the two valid ones work; everything near them is refused, exactly matched (RFC 6749 5.2)."""

from __future__ import annotations

import pytest
from hypothesis import given

from token_contract import strategies
from token_contract.checks import error_is, expect_status
from token_contract.client import TokenClient
from token_contract.flows import refresh_token_or_skip
from token_spec.names import Check


@given(media=strategies.media, placement=strategies.placements)
def test_client_credentials_is_granted(client: TokenClient, media: str, placement: str) -> None:
    expect_status(
        client.grant("client_credentials", media=media, placement=placement), 200, check=Check.GRANT_ACCEPTED
    )


@pytest.mark.needs_state
@given(media=strategies.media, placement=strategies.placements)
def test_refresh_token_is_granted(client: TokenClient, media: str, placement: str) -> None:
    token, _ = refresh_token_or_skip(client)
    exchange = client.grant("refresh_token", refresh_token=token, media=media, placement=placement)
    expect_status(exchange, 200, check=Check.GRANT_ACCEPTED)


@given(
    grant_type=strategies.grant_type_misspellings(),
    media=strategies.media,
)
def test_unknown_grant_type_is_unsupported(client: TokenClient, grant_type: str, media: str) -> None:
    """Case variants, misspellings and other grants: ``unsupported_grant_type``, never a token."""
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(exchange, "unsupported_grant_type", check=Check.GRANT_TYPE_MATCHED_EXACTLY)


@given(
    grant_type=strategies.grant_type_with_stray_characters(),
    media=strategies.media,
)
def test_grant_type_with_stray_characters_is_refused(
    client: TokenClient, grant_type: str, media: str
) -> None:
    """Whitespace or NUL around a valid grant type is not that grant type (no trimming)."""
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(exchange, "unsupported_grant_type", "invalid_request", check=Check.GRANT_TYPE_MATCHED_EXACTLY)


@pytest.mark.parametrize("media", ["json", "form"])
def test_missing_grant_type_is_invalid_request(client: TokenClient, media: str) -> None:
    error_is(
        client.post({"scope": " ".join(client.target.scopes)}, media=media),
        "invalid_request",
        check=Check.GRANT_TYPE_REQUIRED,
    )


@pytest.mark.parametrize("media", ["json", "form"])
def test_empty_grant_type_is_missing(client: TokenClient, media: str) -> None:
    """RFC 6749 section 3.1: an empty parameter is an omitted one."""
    error_is(client.post({"grant_type": ""}, media=media), "invalid_request", check=Check.GRANT_TYPE_REQUIRED)


@given(value=strategies.non_string_json())
def test_grant_type_of_wrong_json_type_is_refused(client: TokenClient, value: object) -> None:
    exchange = client.post({"grant_type": value}, media="json")
    error_is(exchange, "invalid_request", "unsupported_grant_type", check=Check.GRANT_TYPE_IS_A_STRING)
