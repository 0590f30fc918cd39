"""The token length limit from the spec: tokens within it are read and looked up, tokens past it never
work, a real token padded past it is refused rather than truncated, and no prefix of a token is it.

Past the limit a server may call the request malformed (``invalid_request``) or the token unknown
(``invalid_grant``): RFC 6749 section 5.2 allows either. What must never happen is a token that works.
Issued tokens keep within the limit too: ``token_response_conforms`` checks every 200.

A spec that sets no limit still has tokens that were never issued: past ``STAND_IN_TOKEN_LIMIT`` characters
(the documentation page's limit, where a truncating column or buffer usually sits) a token is still
unknown or refused, a padded one is still not the real one, and one character more is another token.
Only "within the limit is read and looked up" needs the spec's word, and is skipped without it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import CheckContext, error_is, expect_status
from oauth2_token_contract.suite.client import MEDIA, Media, TokenClient
from oauth2_token_contract.suite.flows import Preconditions, RefreshTokenSource

SPEC_LIMIT = contract.load().refresh_token_max_length
NO_LIMIT = (
    "the spec sets no maxLength for refresh_token: a server may refuse a long token it never issued as "
    "malformed, so no length is known to be read and looked up"
)
pytestmark = pytest.mark.token_contract
# The length past which tokens are tested: the spec's limit, else the stand-in (see the docstring).
LIMIT = contract.STAND_IN_TOKEN_LIMIT if SPEC_LIMIT is None else SPEC_LIMIT
REFUSED = ("invalid_request", "invalid_grant")
thorough = pytest.mark.thorough


@pytest.mark.checks(Check.UNKNOWN_REFRESH_TOKEN_REFUSED)
@pytest.mark.skipif(SPEC_LIMIT is None, reason=NO_LIMIT)
@pytest.mark.usefixtures("refresh_supported")
@pytest.mark.parametrize("length", [LIMIT, pytest.param(LIMIT - 1, marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_an_unknown_token_within_the_limit_is_invalid_grant(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, length: int, media: Media
) -> None:
    """At or under the limit the token is well-formed: read, looked up, and not found."""
    if not client.target.stateful:
        pytest.skip(f"{client.target.name} is stateless: it cannot tell issued refresh tokens apart")
    preconditions.media_works(media)
    exchange = client.grant("refresh_token", refresh_token="q" * length, media=media)
    asked = f"an unknown refresh token of {length} characters"
    error_is(ctx, exchange, "invalid_grant", check=Check.UNKNOWN_REFRESH_TOKEN_REFUSED, asked=asked)


@pytest.mark.checks(Check.REFRESH_TOKEN_LIMIT_ENFORCED)
@pytest.mark.parametrize("media", MEDIA)
@given(
    token=st.integers(LIMIT + 1, LIMIT * 2).flatmap(strategies.token_of_length),
    grant_type=st.sampled_from(contract.load().grant_types),
)
def test_a_token_past_the_limit_is_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    media: Media,
    token: str,
    grant_type: str,
) -> None:
    """Past the limit a refresh token never works. A client_credentials grant does not use the
    parameter: a server may refuse it (the contract's maxLength) or ignore it (RFC 6749 section 3.2)."""
    preconditions.media_works(media)
    exchange = client.grant(grant_type, refresh_token=token, media=media)
    if grant_type == "client_credentials" and exchange.status == 200:
        expect_status(ctx, exchange, 200, check=Check.REFRESH_TOKEN_LIMIT_ENFORCED)
        return
    asked = f"a {grant_type} grant with a refresh token of {len(token)} characters"
    error_is(ctx, exchange, *REFUSED, check=Check.REFRESH_TOKEN_LIMIT_ENFORCED, asked=asked)


@pytest.mark.checks(Check.NO_TRUNCATION)
@pytest.mark.needs_state
@pytest.mark.cost(per_example=2)
@pytest.mark.parametrize("media", MEDIA)
@given(padding=st.integers(1, 64))
def test_a_real_token_padded_past_the_limit_is_refused_not_truncated(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: Media,
    padding: int,
) -> None:
    """A server that truncates to the limit would read the real token back out of the padded one."""
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    padded = token + "A" * (max(LIMIT - len(token), 0) + padding)
    exchange = client.grant("refresh_token", refresh_token=padded, media=media)
    asked = f"a real refresh token padded to {len(padded)} characters"
    error_is(ctx, exchange, *REFUSED, check=Check.NO_TRUNCATION, asked=asked)


@pytest.mark.checks(Check.EXACT_TOKEN_MATCH)
@pytest.mark.needs_state
@pytest.mark.cost(per_example=2)
@pytest.mark.parametrize("media", MEDIA)
@given(suffix=strategies.token_of_length(1))
def test_a_real_token_with_a_character_more_is_unknown(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: Media,
    suffix: str,
) -> None:
    """One character more, still within the limit, is another token: ``invalid_grant``."""
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    if SPEC_LIMIT is not None and len(token) >= SPEC_LIMIT:
        pytest.skip("the issued refresh token is already at the spec's limit")
    exchange = client.grant("refresh_token", refresh_token=token + suffix, media=media)
    asked = "a real refresh token with one character added"
    error_is(ctx, exchange, "invalid_grant", check=Check.EXACT_TOKEN_MATCH, asked=asked)
