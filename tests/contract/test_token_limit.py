"""The token length limit from the spec: refused past it, never truncated, respected by every issued token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_contract import strategies
from token_contract.checks import error_is, require
from token_contract.client import TokenClient
from token_contract.flows import obtain_token, refresh_token_or_skip
from token_spec import contract
from token_spec.names import Check

LIMIT = contract.load().refresh_token_max_length
ISSUED_LIMIT = contract.load().issued_token_max_length


@pytest.mark.needs_state
@pytest.mark.usefixtures("refresh_supported")
@pytest.mark.parametrize("length", [LIMIT - 1, LIMIT])
@pytest.mark.parametrize("media", ["json", "form"])
def test_unknown_token_within_limit_is_invalid_grant(client: TokenClient, length: int, media: str) -> None:
    """At or under the limit the token is read, looked up, and not found."""
    token = "q" * length
    error_is(
        client.grant("refresh_token", refresh_token=token, media=media),
        "invalid_grant",
        check=Check.UNKNOWN_REFRESH_TOKEN_REFUSED,
    )


@given(
    token=st.integers(LIMIT + 1, LIMIT * 4).flatmap(strategies.token_of_length),
    media=strategies.media,
    grant_type=st.sampled_from(contract.load().grant_types),
)
def test_token_over_limit_is_invalid_request(
    client: TokenClient, token: str, media: str, grant_type: str
) -> None:
    """Over the limit the request is malformed, whatever the grant type: refused before any lookup."""
    exchange = client.grant(grant_type, refresh_token=token, media=media)
    error_is(exchange, "invalid_request", check=Check.REFRESH_TOKEN_LIMIT_ENFORCED)


@pytest.mark.needs_state
@given(padding=st.integers(1, 64), media=strategies.media)
def test_padded_refresh_token_is_refused_not_truncated(client: TokenClient, padding: int, media: str) -> None:
    """A real refresh token padded past the limit must not work: a server that truncates would accept it."""
    token, _ = refresh_token_or_skip(client)
    padded = token + "A" * (LIMIT - len(token) + padding)
    exchange = client.grant("refresh_token", refresh_token=padded, media=media)
    error_is(exchange, "invalid_request", check=Check.NO_TRUNCATION)


@pytest.mark.needs_state
@given(suffix=strategies.token_of_length(1), media=strategies.media)
def test_extended_refresh_token_is_not_a_prefix_match(client: TokenClient, suffix: str, media: str) -> None:
    """A real refresh token with one character more, still within the limit, is another (unknown) token."""
    token, _ = refresh_token_or_skip(client)
    if len(token) >= LIMIT:
        pytest.skip("the issued refresh token is already at the limit")
    exchange = client.grant("refresh_token", refresh_token=token + suffix, media=media)
    error_is(exchange, "invalid_grant", check=Check.EXACT_TOKEN_MATCH)


@given(media=strategies.media, placement=strategies.placements)
def test_issued_tokens_are_within_limit(client: TokenClient, media: str, placement: str) -> None:
    exchange = obtain_token(client, media=media, placement=placement)
    body = exchange.json()
    for field in ("access_token", "refresh_token"):
        if field in body:
            size = len(body[field])
            require(
                0 < size <= ISSUED_LIMIT,
                Check.ISSUED_TOKEN_WITHIN_LIMIT,
                f"{field} has {size} characters",
                exchange,
            )
