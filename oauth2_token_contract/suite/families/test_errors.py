"""The 400 paths: each RFC 6749 section 5.2 code reached on purpose, the body's shape, and no error
that repeats the secret it was sent. Every request has exactly one defect and valid credentials
unless credentials are the defect, so exactly one code is right for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import (
    CheckContext,
    error_is,
    run_response_checks,
    unknown_scope_not_granted,
)
from oauth2_token_contract.suite.client import MEDIA, Media, Placement, TokenClient
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.flows import Preconditions

pytestmark = pytest.mark.token_contract

UNKNOWN_SCOPE = "/oauth2-token-contract.never-allowed"
thorough = pytest.mark.thorough

# Each code, the request built to reach it, and what that request is, in words.
REACH: dict[str, tuple[Callable[[TokenClient, Media], Exchange], str]] = {
    "invalid_request": (lambda c, m: c.post({"scope": " ".join(c.target.scopes)}, media=m), "no grant_type"),
    "invalid_client": (
        lambda c, m: c.post(
            {"grant_type": "client_credentials"}, media=m, client_secret=c.target.client_secret + "-wrong"
        ),
        "a wrong client secret",
    ),
    "invalid_grant": (
        lambda c, m: c.grant("refresh_token", refresh_token="never-issued-" + "0" * 40, media=m),
        "a refresh token never issued",
    ),
    "unsupported_grant_type": (
        lambda c, m: c.post({"grant_type": "client_credentials_x"}, media=m),
        "grant_type client_credentials_x",
    ),
}


@pytest.mark.checks(Check.ERROR_BODY_CONFORMS)
@pytest.mark.parametrize("media", ["form", pytest.param("json", marks=thorough)])
@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.checks(check))
        for code, check in {
            "invalid_request": Check.INVALID_REQUEST_REACHED,
            "invalid_client": Check.INVALID_CLIENT_REACHED,
            "invalid_grant": Check.INVALID_GRANT_REACHED,
            "unsupported_grant_type": Check.UNSUPPORTED_GRANT_TYPE_REACHED,
        }.items()
        if code in contract.load().error_codes
    ],
)
def test_error_code_is_reachable(
    ctx: CheckContext,
    request: pytest.FixtureRequest,
    client: TokenClient,
    preconditions: Preconditions,
    code: str,
    media: Media,
) -> None:
    if code == "invalid_grant":
        if not client.target.stateful:
            pytest.skip(f"{client.target.name} is stateless: it cannot tell issued refresh tokens apart")
        request.getfixturevalue("refresh_supported")
    preconditions.media_works(media)
    send, asked = REACH[code]
    error_is(ctx, send(client, media), code, check=Check.reached(code), asked=asked)


@pytest.mark.checks(Check.UNKNOWN_SCOPE_NOT_GRANTED)
@pytest.mark.parametrize("alone", [True, pytest.param(False, marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_an_unknown_scope_is_never_granted(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, alone: bool
) -> None:
    """Refused as ``invalid_scope``, or left out of a grant that says what it granted (RFC 6749
    section 3.3 lets the server ignore part of a request; section 5.1 then requires ``scope``)."""
    preconditions.media_works(media)
    scope = UNKNOWN_SCOPE if alone else " ".join([*client.target.scopes[:1], UNKNOWN_SCOPE])
    exchange = client.grant(scope=scope, media=media)
    unknown_scope_not_granted(ctx, exchange, UNKNOWN_SCOPE, Check.UNKNOWN_SCOPE_NOT_GRANTED)


@pytest.mark.checks(Check.UNAUTHORIZED_CLIENT_REACHED)
@pytest.mark.parametrize("media", MEDIA)
def test_unauthorized_client_is_reachable(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """A client allowed client_credentials only asks to refresh: ``unauthorized_client``."""
    restricted = client.target.restricted_client
    if restricted is None:
        pytest.skip(f"{client.target.name}: no client limited to some grant types is known to the suite")
    preconditions.media_works(media)
    exchange = client.post(
        {"grant_type": "refresh_token", "refresh_token": "whatever-token"},
        media=media,
        client_id=restricted.client_id,
        client_secret=restricted.client_secret,
    )
    error_is(
        ctx,
        exchange,
        "unauthorized_client",
        check=Check.UNAUTHORIZED_CLIENT_REACHED,
        asked="a refresh by a client allowed client_credentials only",
    )


_BAD_REQUESTS = st.sampled_from(["bad_grant", "bad_scope", "duplicate", "long_token", "no_grant"])


@pytest.mark.checks(Check.NO_SECRET_ECHO, Check.ERROR_BODY_CONFORMS)
@given(kind=_BAD_REQUESTS, media=strategies.media, placement=strategies.placements)
def test_errors_never_echo_the_secret(
    ctx: CheckContext, client: TokenClient, kind: str, media: Media, placement: Placement
) -> None:
    """Whatever went wrong, the answer does not contain the client secret the request carried.

    The secret is planted where a careless server quotes the request back: as the grant type, as the
    scope, as a refresh token just past the length limit.
    """
    secret = client.target.client_secret
    # No limit: an unknown token that long all the same.
    limit = contract.load().refresh_token_max_length or contract.STAND_IN_TOKEN_LIMIT
    long_token = secret * (limit // max(len(secret), 1) + 2)
    by_kind: dict[str, list[tuple[str, object]]] = {
        "bad_grant": [("grant_type", secret)],
        "bad_scope": [("grant_type", "client_credentials"), ("scope", secret)],
        "duplicate": [
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
            ("scope", secret),
        ],
        "long_token": [("grant_type", "refresh_token"), ("refresh_token", long_token)],
        "no_grant": [("scope", secret)],
    }
    exchange = client.post(by_kind[kind], media=media, placement=placement)
    if exchange.status == 200:
        # A lenient server may read a duplicate JSON key once and drop an unknown scope: no error to
        # judge, but the answer must still not echo the secret.
        run_response_checks(ctx, exchange)
        return
    error_is(
        ctx,
        exchange,
        *contract.load().error_codes,
        check=Check.ERROR_BODY_CONFORMS,
        asked=f"a request with the secret planted in it ({kind})",
    )
