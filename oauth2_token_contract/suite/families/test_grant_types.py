"""Grant types: the refresh grant works in every media type and credential place (the client
credentials grant's own test is in the encodings family); everything near the two is refused,
matched exactly (RFC 6749 sections 4.4, 5.2 and 6)."""

from __future__ import annotations

import pytest
from hypothesis import given

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import CheckContext, error_is, expect_status
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.flows import Preconditions, RefreshTokenSource

pytestmark = pytest.mark.token_contract

MEDIA = ["json", "form"]
PLACEMENTS = ["basic", "body"]
thorough = pytest.mark.thorough


@pytest.mark.checks(Check.GRANT_ACCEPTED)
@pytest.mark.cost(fixed=2)
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("media", MEDIA)
def test_refresh_token_is_granted(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: str,
    placement: str,
) -> None:
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    exchange = client.grant("refresh_token", refresh_token=token, media=media, placement=placement)
    expect_status(
        ctx, exchange, 200, check=Check.GRANT_ACCEPTED, asked=f"a valid {media} refresh, {placement}"
    )


@pytest.mark.checks(Check.GRANT_TYPE_MATCHED_EXACTLY)
@pytest.mark.parametrize("media", MEDIA)
@given(grant_type=strategies.grant_type_misspellings())
def test_grant_type_near_misses_are_unsupported(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: str, grant_type: str
) -> None:
    """Case variants and misspellings are no grant type at all: ``unsupported_grant_type``, no token."""
    preconditions.media_works(media)
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(
        ctx,
        exchange,
        "unsupported_grant_type",
        check=Check.GRANT_TYPE_MATCHED_EXACTLY,
        asked=f"grant_type {grant_type!r}",
    )


@pytest.mark.checks(Check.UNOFFERED_GRANT_REFUSED)
@pytest.mark.parametrize("media", MEDIA)
@given(grant_type=strategies.unoffered_grant_types())
def test_grant_types_the_contract_does_not_offer_are_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: str, grant_type: str
) -> None:
    """Other RFC grant types (``password``...) sent without their parameters never get a token.

    A server that implements the grant may refuse it as unsupported, as not allowed for this client,
    or as missing its parameters (RFC 6749 section 5.2 allows each).
    """
    preconditions.media_works(media)
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(
        ctx,
        exchange,
        "unsupported_grant_type",
        "unauthorized_client",
        "invalid_request",
        "invalid_grant",
        check=Check.UNOFFERED_GRANT_REFUSED,
        asked=f"grant_type {grant_type!r}",
    )


@pytest.mark.checks(Check.GRANT_TYPE_MATCHED_EXACTLY)
@pytest.mark.parametrize("media", MEDIA)
@given(grant_type=strategies.grant_type_with_stray_characters())
def test_grant_type_with_stray_characters_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: str, grant_type: str
) -> None:
    """Whitespace or NUL around a valid grant type is not that grant type (no trimming)."""
    preconditions.media_works(media)
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(
        ctx,
        exchange,
        "unsupported_grant_type",
        "invalid_request",
        check=Check.GRANT_TYPE_MATCHED_EXACTLY,
        asked=f"grant_type {grant_type!r}",
    )


@pytest.mark.checks(Check.GRANT_TYPE_REQUIRED)
@pytest.mark.parametrize("value", ["missing", pytest.param("empty", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_missing_grant_type_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: str, value: str
) -> None:
    """Absent, or empty (RFC 6749 section 3.1: an empty parameter is an omitted one)."""
    preconditions.media_works(media)
    params = {"scope": " ".join(client.target.scopes)} if value == "missing" else {"grant_type": ""}
    error_is(
        ctx,
        client.post(params, media=media),
        "invalid_request",
        check=Check.GRANT_TYPE_REQUIRED,
        asked=f"a request with grant_type {value}",
    )


@pytest.mark.checks(Check.GRANT_TYPE_IS_A_STRING)
def test_a_list_of_grant_types_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions
) -> None:
    """One grant type per request: a JSON list of them is no grant type, even a list of one."""
    preconditions.media_works("json")
    exchange = client.post({"grant_type": ["client_credentials"]}, media="json")
    error_is(
        ctx,
        exchange,
        "invalid_request",
        "unsupported_grant_type",
        check=Check.GRANT_TYPE_IS_A_STRING,
        asked="grant_type ['client_credentials']",
    )


@pytest.mark.checks(Check.GRANT_TYPE_IS_A_STRING)
@given(value=strategies.non_string_json())
def test_grant_type_of_wrong_json_type_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, value: object
) -> None:
    preconditions.media_works("json")
    exchange = client.post({"grant_type": value}, media="json")
    error_is(
        ctx,
        exchange,
        "invalid_request",
        "unsupported_grant_type",
        check=Check.GRANT_TYPE_IS_A_STRING,
        asked=f"grant_type {value!r} (not a string)",
    )


@pytest.mark.checks(Check.REFRESH_TOKEN_REQUIRED)
@pytest.mark.usefixtures("refresh_supported")
@pytest.mark.parametrize("value", ["missing", pytest.param("empty", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_refresh_without_its_token_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: str, value: str
) -> None:
    """RFC 6749 section 6: ``refresh_token`` is required for the refresh grant."""
    preconditions.media_works(media)
    params = {"grant_type": "refresh_token"} | ({"refresh_token": ""} if value == "empty" else {})
    error_is(
        ctx,
        client.post(params, media=media),
        "invalid_request",
        check=Check.REFRESH_TOKEN_REQUIRED,
        asked=f"a refresh with refresh_token {value}",
    )
