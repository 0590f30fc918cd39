"""Grant types: the refresh grant works in every media type and credential place (the client
credentials grant's own test is in the encodings family); everything near the two is refused,
matched exactly (RFC 6749 sections 4.4, 5.2 and 6); and a grant is never taken from the URL query,
nor the credentials (sections 3.2, 2.3.1), whatever the spec says."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import CheckContext, error_is, expect_status
from oauth2_token_contract.suite.checks.query import in_query, query_never_honoured
from oauth2_token_contract.suite.client import FORM, MEDIA, PLACEMENTS, Media, Placement, TokenClient
from oauth2_token_contract.suite.flows import Preconditions, RefreshTokenSource

pytestmark = pytest.mark.token_contract

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
    media: Media,
    placement: Placement,
) -> None:
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    exchange = client.grant("refresh_token", refresh_token=token, media=media, placement=placement)
    expect_status(
        ctx, exchange, 200, check=Check.GRANT_ACCEPTED, asked=f"a valid {media} refresh, {placement}"
    )


# Near a grant type is no grant type (no case folding, no trimming): how the name is bent, and the
# errors a server may answer (stray whitespace or NUL may also make the request malformed).
NEAR_MISSES = {
    "misspelled": (strategies.grant_type_misspellings(), ("unsupported_grant_type",)),
    "stray-characters": (
        strategies.grant_type_with_stray_characters(),
        ("unsupported_grant_type", "invalid_request"),
    ),
}


def _grant_type_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    media: Media,
    grant_type: str,
    *errors: str,
    check: Check,
) -> None:
    """A request naming only ``grant_type`` gets one of ``errors``, never a token."""
    preconditions.media_works(media)
    exchange = client.post({"grant_type": grant_type}, media=media)
    error_is(ctx, exchange, *errors, check=check, asked=f"grant_type {grant_type!r}")


@pytest.mark.checks(Check.GRANT_TYPE_MATCHED_EXACTLY)
@pytest.mark.parametrize("kind", NEAR_MISSES)
@pytest.mark.parametrize("media", MEDIA)
@given(data=st.data())
def test_grant_type_near_misses_are_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    media: Media,
    kind: str,
    data: st.DataObject,
) -> None:
    """Case variants, misspellings, whitespace or NUL around a valid grant type: no grant type at all."""
    strategy, errors = NEAR_MISSES[kind]
    grant_type = data.draw(strategy, label="grant_type")
    _grant_type_refused(
        ctx, client, preconditions, media, grant_type, *errors, check=Check.GRANT_TYPE_MATCHED_EXACTLY
    )


@pytest.mark.checks(Check.UNOFFERED_GRANT_REFUSED)
@pytest.mark.parametrize("media", MEDIA)
@given(grant_type=strategies.unoffered_grant_types())
def test_grant_types_the_contract_does_not_offer_are_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, grant_type: str
) -> None:
    """Other RFC grant types (``password``...) sent without their parameters never get a token.

    A server that implements the grant may refuse it as unsupported, as not allowed for this client,
    or as missing its parameters (RFC 6749 section 5.2 allows each).
    """
    _grant_type_refused(
        ctx,
        client,
        preconditions,
        media,
        grant_type,
        "unsupported_grant_type",
        "unauthorized_client",
        "invalid_request",
        "invalid_grant",
        check=Check.UNOFFERED_GRANT_REFUSED,
    )


def _invalid_request(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    media: Media,
    params: dict[str, str],
    *,
    check: Check,
    asked: str,
) -> None:
    """A request lacking a parameter its grant requires (absent or empty) is ``invalid_request``."""
    preconditions.media_works(media)
    error_is(ctx, client.post(params, media=media), "invalid_request", check=check, asked=asked)


@pytest.mark.checks(Check.GRANT_TYPE_REQUIRED)
@pytest.mark.parametrize("value", ["missing", pytest.param("empty", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_missing_grant_type_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, value: str
) -> None:
    """Absent, or empty (RFC 6749 section 3.1: an empty parameter is an omitted one)."""
    params = {"scope": " ".join(client.target.scopes)} if value == "missing" else {"grant_type": ""}
    asked = f"a request with grant_type {value}"
    _invalid_request(ctx, client, preconditions, media, params, check=Check.GRANT_TYPE_REQUIRED, asked=asked)


def _not_a_string_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, value: object, asked: str
) -> None:
    """A JSON ``grant_type`` that is no string is no grant type: refused, never a token."""
    preconditions.media_works("json")
    exchange = client.post({"grant_type": value}, media="json")
    error_is(
        ctx,
        exchange,
        "invalid_request",
        "unsupported_grant_type",
        check=Check.GRANT_TYPE_IS_A_STRING,
        asked=asked,
    )


@pytest.mark.checks(Check.GRANT_TYPE_IS_A_STRING)
def test_a_list_of_grant_types_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions
) -> None:
    """One grant type per request: a JSON list of them is no grant type, even a list of one."""
    _not_a_string_refused(
        ctx, client, preconditions, ["client_credentials"], "grant_type ['client_credentials']"
    )


@pytest.mark.checks(Check.GRANT_TYPE_IS_A_STRING)
@given(value=strategies.non_string_json())
def test_grant_type_of_wrong_json_type_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, value: object
) -> None:
    _not_a_string_refused(ctx, client, preconditions, value, f"grant_type {value!r} (not a string)")


@pytest.mark.checks(Check.REFRESH_TOKEN_REQUIRED)
@pytest.mark.usefixtures("refresh_supported")
@pytest.mark.parametrize("value", ["missing", pytest.param("empty", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_refresh_without_its_token_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, value: str
) -> None:
    """RFC 6749 section 6: ``refresh_token`` is required for the refresh grant."""
    params = {"grant_type": "refresh_token"} | ({"refresh_token": ""} if value == "empty" else {})
    asked = f"a refresh with refresh_token {value}"
    _invalid_request(
        ctx, client, preconditions, media, params, check=Check.REFRESH_TOKEN_REQUIRED, asked=asked
    )


@pytest.mark.checks(Check.QUERY_NEVER_HONOURED)
@pytest.mark.parametrize("how", ["POST grant", "POST credentials", pytest.param("GET grant", marks=thorough)])
def test_a_grant_or_credentials_in_the_url_query_are_never_honoured(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, how: str
) -> None:
    preconditions.media_works("form")
    (method, what), t = how.split(), client.target
    creds = {"client_id": t.client_id, "client_secret": t.client_secret}
    grant = {"grant_type": "client_credentials", "scope": " ".join(t.scopes[:1])}
    query, body = (creds, urlencode(grant).encode()) if what == "credentials" else ({**grant, **creds}, b"")
    exchange = client.send(body, method=method, path=in_query(query), headers=[("Content-Type", FORM)])
    query_never_honoured(ctx, exchange)
