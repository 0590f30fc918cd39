"""Token semantics: unique tokens; granted scope within what was asked and allowed, compared exactly;
refresh that works, narrows, never widens, needs the client's credentials and a refresh token (not an
access token, not an altered one, not a near miss of one); JWTs that agree with their answer. The
refresh flow is a state machine whose rules are grants and refreshes."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import (
    CheckContext,
    error_is,
    expect_status,
    granted,
    granted_scope_within_request,
    jwt_agrees_with_response,
    refresh_never_widens_scope,
    require,
    scope_matched_exactly,
    tokens_unique,
)
from oauth2_token_contract.suite.client import MEDIA, Media, TokenClient
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.flows import Preconditions, RefreshTokenSource, obtain_token, setup_media
from oauth2_token_contract.suite.near_misses import NearMiss, derive, malformed

pytestmark = [pytest.mark.token_contract, pytest.mark.needs_state]
thorough = pytest.mark.thorough
# Two grants this far apart never share a token, even on a server whose JWTs carry whole seconds.
APART = 1.1


@pytest.mark.checks(Check.TOKENS_UNIQUE)
@pytest.mark.cost(fixed=3)
def test_tokens_are_unique_across_grants(ctx: CheckContext, client: TokenClient) -> None:
    """Grants for different scopes, and grants a second apart, never share a token (a server that
    hands one cached token to every grant fails here)."""
    scopes = client.target.scopes
    first = obtain_token(client, scopes[0] if len(scopes) > 1 else None)
    other = obtain_token(client, " ".join(scopes[1:]) if len(scopes) > 1 else None)
    exchanges = [first, other] if len(scopes) > 1 else [first]
    time.sleep(max(0.0, APART - (time.time() - first.answered_at)))
    exchanges.append(obtain_token(client, scopes[0] if len(scopes) > 1 else None))
    tokens_unique(ctx, exchanges)


@pytest.mark.checks(Check.GRANTED_SCOPE_WITHIN_REQUEST)
@given(data=st.data())
def test_granted_scope_lies_within_request_and_allowance(
    ctx: CheckContext, client: TokenClient, data: st.DataObject
) -> None:
    requested = data.draw(strategies.scope_requests(client.target.scopes), label="scope")
    exchange = obtain_token(client, requested)
    granted_scope_within_request(ctx, exchange, requested, client.target.scopes)


@pytest.mark.checks(Check.SCOPE_MATCHED_EXACTLY)
@pytest.mark.parametrize("media", MEDIA)
def test_scopes_are_compared_exactly(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 6749 section 3.3: scope tokens are case-sensitive strings; a case variant of an allowed
    scope is another, unknown scope."""
    meant = next((s for s in client.target.scopes if s.swapcase() != s), None)
    if meant is None:
        pytest.skip(f"{client.target.name}: no scope in TOKEN_API_SCOPE has letters to change the case of")
    preconditions.media_works(media)
    exchange = client.grant(scope=meant.swapcase(), media=media)
    scope_matched_exactly(ctx, exchange, meant.swapcase(), meant, client.target.scopes)


@pytest.mark.checks(Check.REFRESH_WORKS, Check.REFRESHED_TOKEN_WORKS, Check.TOKENS_UNIQUE)
@pytest.mark.cost(fixed=3)
@pytest.mark.usefixtures("refresh_supported")
def test_refresh_yields_a_new_working_token(ctx: CheckContext, client: TokenClient) -> None:
    """A refresh issues an access token never issued before (not the grant's, not the refresh token),
    and the refresh token it hands back (rotated or the same) works in turn."""
    first_grant = obtain_token(client)
    token = first_grant.json().get("refresh_token")
    refreshed = client.grant("refresh_token", refresh_token=token)
    expect_status(
        ctx, refreshed, 200, check=Check.REFRESH_WORKS, asked="a refresh with a fresh refresh token"
    )
    require(
        ctx,
        refreshed.json().get("access_token") != token,
        Check.TOKENS_UNIQUE,
        "the access token is the refresh token",
        refreshed,
    )
    tokens_unique(ctx, [first_grant, refreshed])
    again = client.grant("refresh_token", refresh_token=refreshed.json().get("refresh_token", token))
    expect_status(
        ctx, again, 200, check=Check.REFRESHED_TOKEN_WORKS, asked="a refresh with the token a refresh gave"
    )
    tokens_unique(ctx, [first_grant, refreshed, again])


@pytest.mark.checks(Check.REFRESH_MAY_NARROW, Check.GRANTED_SCOPE_WITHIN_REQUEST)
@pytest.mark.cost(per_example=2)
@given(data=st.data())
def test_a_refresh_may_narrow_the_scope(
    ctx: CheckContext, client: TokenClient, fresh_refresh_token: RefreshTokenSource, data: st.DataObject
) -> None:
    token, original = fresh_refresh_token()
    narrower = data.draw(strategies.scope_requests(sorted(original)), label="narrower")
    exchange = client.grant("refresh_token", refresh_token=token, scope=narrower)
    expect_status(
        ctx, exchange, 200, check=Check.REFRESH_MAY_NARROW, asked=f"a refresh narrowed to {narrower!r}"
    )
    granted_scope_within_request(ctx, exchange, narrower, original)


@pytest.mark.checks(Check.NEW_REFRESH_TOKEN_KEEPS_SCOPE, Check.REFRESH_MAY_NARROW)
@pytest.mark.cost(fixed=3)
def test_a_narrowed_refresh_hands_back_a_refresh_token_of_the_original_scope(
    ctx: CheckContext, client: TokenClient, fresh_refresh_token: RefreshTokenSource
) -> None:
    """RFC 6749 section 6: "If a new refresh token is issued, the refresh token scope MUST be identical
    to that of the refresh token included by the client in the request"; narrowing a refresh narrows
    the access token, never what the client may refresh to later."""
    token, original = fresh_refresh_token(" ".join(client.target.scopes))
    if len(original) < 2:
        pytest.skip(f"{client.target.name}: needs a refresh token of two scopes or more (TOKEN_API_SCOPE)")
    narrower = sorted(original)[0]
    first = client.grant("refresh_token", refresh_token=token, scope=narrower)
    expect_status(
        ctx, first, 200, check=Check.REFRESH_MAY_NARROW, asked=f"a refresh narrowed to {narrower!r}"
    )
    body = first.json() if isinstance(first.json(), dict) else {}
    handed_back = body.get("refresh_token")
    latest = handed_back if isinstance(handed_back, str) and handed_back else token  # none: keep the old one
    full = " ".join(sorted(original))
    second = client.grant("refresh_token", refresh_token=latest, scope=full)
    expect_status(
        ctx,
        second,
        200,
        check=Check.NEW_REFRESH_TOKEN_KEEPS_SCOPE,
        asked=f"a refresh for the original scope {full!r} with the token a refresh narrowed to {narrower!r} "
        "handed back",
    )
    granted_scope_within_request(ctx, second, full, original)


@pytest.mark.checks(Check.REFRESH_NEVER_WIDENS_SCOPE)
@pytest.mark.cost(per_example=2)
@given(data=st.data())
def test_a_refresh_never_widens_the_scope(
    ctx: CheckContext, client: TokenClient, fresh_refresh_token: RefreshTokenSource, data: st.DataObject
) -> None:
    scopes = client.target.scopes
    if len(scopes) < 2:
        pytest.skip(f"{client.target.name}: needs at least two scopes in TOKEN_API_SCOPE")
    original = data.draw(strategies.scope_requests(scopes[:-1]), label="original")
    token, granted_scope = fresh_refresh_token(original)
    wider = " ".join(sorted(granted_scope | {scopes[-1]}))
    exchange = client.grant("refresh_token", refresh_token=token, scope=wider)
    if exchange.status == 200:
        refresh_never_widens_scope(ctx, exchange, granted_scope)
    else:
        asked = f"a refresh asking for {wider!r} beyond {sorted(granted_scope)}"
        error_is(ctx, exchange, "invalid_scope", check=Check.REFRESH_NEVER_WIDENS_SCOPE, asked=asked)


@pytest.mark.checks(Check.REFRESH_AUTHENTICATES_CLIENT)
@pytest.mark.cost(fixed=2)
@pytest.mark.parametrize("credentials", ["none", pytest.param("wrong secret", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_refresh_needs_the_clients_credentials(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: Media,
    credentials: str,
) -> None:
    """RFC 6749 section 6: a confidential client authenticates on the refresh grant too."""
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    params = {"grant_type": "refresh_token", "refresh_token": token}
    if credentials == "none":
        exchange = client.post(params, media=media, placement=None)
    else:
        exchange = client.post(params, media=media, client_secret=client.target.client_secret + "-wrong")
    asked = f"a refresh with {credentials} for credentials"
    error_is(ctx, exchange, "invalid_client", check=Check.REFRESH_AUTHENTICATES_CLIENT, asked=asked)


@pytest.mark.checks(Check.ACCESS_TOKEN_NOT_A_REFRESH_TOKEN)
@pytest.mark.cost(fixed=2)
@pytest.mark.usefixtures("refresh_supported")
@pytest.mark.parametrize("media", MEDIA)
def test_an_access_token_is_not_a_refresh_token(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 6749 sections 6 and 10.4: only a refresh token refreshes; an access token is ``invalid_grant``."""
    preconditions.media_works(media)
    access_token = obtain_token(client).json().get("access_token")
    exchange = client.grant("refresh_token", refresh_token=access_token, media=media)
    asked = "an access token sent as the refresh token"
    error_is(ctx, exchange, "invalid_grant", check=Check.ACCESS_TOKEN_NOT_A_REFRESH_TOKEN, asked=asked)


def _altered(token: str, i: int) -> str:
    i %= len(token)
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


@pytest.mark.checks(Check.ALTERED_REFRESH_TOKEN_REFUSED)
@pytest.mark.cost(fixed=2)
@pytest.mark.parametrize("where", ["last", pytest.param("first", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_refresh_token_altered_at_an_end_is_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: Media,
    where: str,
) -> None:
    """A server comparing only part of a token (its first characters, all but its last) is caught at
    the ends, where such comparisons stop."""
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    altered = _altered(token, -1 if where == "last" else 0)
    exchange = client.grant("refresh_token", refresh_token=altered, media=media)
    asked = f"a real refresh token with its {where} character changed"
    error_is(ctx, exchange, "invalid_grant", check=Check.ALTERED_REFRESH_TOKEN_REFUSED, asked=asked)


@pytest.mark.checks(Check.ALTERED_REFRESH_TOKEN_REFUSED)
@pytest.mark.cost(per_example=2)
@pytest.mark.thorough
@given(position=st.integers(min_value=0), media=strategies.media)
def test_an_altered_refresh_token_is_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    fresh_refresh_token: RefreshTokenSource,
    media: Media,
    position: int,
) -> None:
    preconditions.media_works(media)
    token, _ = fresh_refresh_token()
    exchange = client.grant("refresh_token", refresh_token=_altered(token, position), media=media)
    error_is(
        ctx,
        exchange,
        "invalid_grant",
        check=Check.ALTERED_REFRESH_TOKEN_REFUSED,
        asked="a real refresh token with one character changed",
    )


@pytest.mark.checks(Check.NEAR_MISS_REFRESH_TOKEN_REFUSED)
@pytest.mark.cost(fixed=2, per_example=1)  # the two explicit examples, then one request an example
@given(near=strategies.near_misses(appended=False), media=strategies.media)
# A case-insensitive collation, and a trim of the parameter: met even by a run of one example a property.
@example(near=NearMiss("case_all"), media=None)
@example(near=NearMiss("trailing", char=" "), media=None)
def test_a_near_miss_of_a_refresh_token_is_refused(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    unused_refresh_token: str,
    near: NearMiss,
    media: Media | None,
) -> None:
    """A refresh token a little like a real one (RFC 6749 sections 6, 10.4, 10.10): another letter case,
    whitespace or a NUL at an end, a prefix, a fullwidth character, percent-encoded once more (one
    character more is L4's). Each is ``invalid_grant``, or ``invalid_request`` where it holds a character
    the grammar forbids (VSCHAR, the spec's pattern and maxLength)."""
    media = media or setup_media()
    preconditions.media_works(media)
    varied = derive(near, unused_refresh_token, secret=True)
    if varied is None:
        return  # the transformation leaves this token as it is (no letter to change): nothing to send
    exchange = client.grant("refresh_token", refresh_token=varied, media=media)
    codes = ("invalid_grant", "invalid_request") if malformed(varied, "refresh_token") else ("invalid_grant",)
    asked = f"a real refresh token with {near.describe(unused_refresh_token)} ({media})"
    error_is(ctx, exchange, *codes, check=Check.NEAR_MISS_REFRESH_TOKEN_REFUSED, asked=asked)


@pytest.mark.checks(Check.JWT_AGREES_WITH_RESPONSE)
def test_jwt_tokens_agree_with_their_answer(ctx: CheckContext, jwt_client: TokenClient) -> None:
    exchange = obtain_token(jwt_client, " ".join(jwt_client.target.scopes[:1]) or None)
    token_type = str(exchange.json().get("token_type", ""))
    if token_type.lower() != "jwt":
        pytest.skip(f"{jwt_client.target.name} issues {token_type!r} tokens to this client, not JWTs")
    jwt_agrees_with_response(ctx, exchange)


class RefreshFlow(RuleBasedStateMachine):
    """Grants and refreshes in any order; every refresh token is used at most once."""

    refresh_tokens = Bundle("refresh_tokens")

    def __init__(self, client: TokenClient) -> None:
        super().__init__()
        self.client = client
        self.ctx = client.context
        self.issued: list[Exchange] = []

    @rule(target=refresh_tokens, data=st.data())
    def grant(self, data: st.DataObject) -> tuple[str, frozenset[str]]:
        scope = data.draw(strategies.scope_requests(self.client.target.scopes) | st.none(), label="scope")
        exchange = obtain_token(self.client, scope)
        self.issued.append(exchange)
        granted_scope_within_request(self.ctx, exchange, scope, self.client.target.scopes)
        body = exchange.json()
        if "refresh_token" not in body:
            pytest.skip(f"{self.client.target.name} issued no refresh_token for client_credentials")
        return body["refresh_token"], frozenset(granted(exchange, scope, self.client.target.scopes))

    @rule(target=refresh_tokens, held=consumes(refresh_tokens), data=st.data())
    def refresh(self, held: tuple[str, frozenset[str]], data: st.DataObject) -> tuple[str, frozenset[str]]:
        token, scope = held
        narrower = data.draw(strategies.scope_requests(sorted(scope)) | st.none(), label="narrower")
        exchange = self.client.grant("refresh_token", refresh_token=token, scope=narrower)
        expect_status(
            self.ctx, exchange, 200, check=Check.REFRESH_WORKS, asked="a refresh in a chain of refreshes"
        )
        self.issued.append(exchange)
        refresh_never_widens_scope(self.ctx, exchange, set(scope))
        if narrower:
            granted_scope_within_request(self.ctx, exchange, narrower, scope)
        # RFC 6749 section 6: a new refresh token keeps the scope of the one it replaces, even when
        # the access token was narrowed.
        return exchange.json().get("refresh_token", token), scope

    @invariant()
    def every_token_is_unique(self) -> None:
        tokens_unique(self.ctx, self.issued)


@pytest.mark.checks(Check.REFRESH_WORKS, Check.REFRESH_NEVER_WIDENS_SCOPE, Check.TOKENS_UNIQUE)
@pytest.mark.cost(per_example=4)
@pytest.mark.thorough
@pytest.mark.usefixtures("refresh_supported")
def test_refresh_flow(client: TokenClient, token_hypothesis_settings: settings) -> None:
    run_state_machine_as_test(
        # hypothesis types the factory as a class; its docstring and code take any callable giving one.
        lambda: RefreshFlow(client),  # type: ignore[arg-type]
        settings=settings(
            token_hypothesis_settings,
            max_examples=min(token_hypothesis_settings.max_examples, 10),
            stateful_step_count=4,
        ),
    )
