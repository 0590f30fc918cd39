"""Token semantics: unique tokens, refresh that works, narrows and never widens, unknown and altered
refresh tokens refused, granted scope within what was asked and allowed, no-store, JWTs that agree
with ``expires_in``. The refresh flow is a state machine: rules are grants and refreshes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from token_contract import strategies
from token_contract.checks import (
    error_is,
    expect_status,
    granted,
    granted_scope_within_request,
    jwt_agrees_with_expires_in,
    no_store_on_tokens,
    refresh_never_widens_scope,
    require,
    tokens_unique,
)
from token_contract.client import TokenClient
from token_contract.exchange import Exchange
from token_contract.flows import obtain_token, refresh_token_or_skip
from token_spec.names import Check

pytestmark = pytest.mark.needs_state


def test_tokens_are_unique_across_grants(client: TokenClient) -> None:
    tokens_unique([obtain_token(client) for _ in range(8)])


@given(data=st.data())
def test_granted_scope_lies_within_request_and_allowance(client: TokenClient, data: st.DataObject) -> None:
    requested = data.draw(strategies.scope_requests(client.target.scopes), label="scope")
    exchange = obtain_token(client, requested)
    granted_scope_within_request(exchange, requested, client.target.scopes)
    no_store_on_tokens(exchange)


def test_refresh_yields_a_new_working_token(client: TokenClient) -> None:
    """A refresh issues an access token never issued before (not the grant's, not the refresh token),
    and the refresh token it hands back (rotated or the same) works in turn."""
    first_grant = obtain_token(client)
    token = first_grant.json().get("refresh_token")
    if not isinstance(token, str):
        pytest.skip(f"{client.target.name} issued no refresh_token for client_credentials")
    refreshed = client.grant("refresh_token", refresh_token=token)
    expect_status(refreshed, 200, check=Check.REFRESH_WORKS)
    new_access = refreshed.json()["access_token"]
    require(new_access != token, Check.TOKENS_UNIQUE, "the access token is the refresh token", refreshed)
    tokens_unique([first_grant, refreshed])
    again = client.grant("refresh_token", refresh_token=refreshed.json().get("refresh_token", token))
    expect_status(again, 200, check=Check.REFRESHED_TOKEN_WORKS)
    tokens_unique([first_grant, refreshed, again])


@given(data=st.data())
def test_refresh_narrows_but_never_widens(client: TokenClient, data: st.DataObject) -> None:
    scopes = client.target.scopes
    if len(scopes) < 2:
        pytest.skip(f"{client.target.name}: needs at least two scopes in TOKEN_API_SCOPE")
    wider = data.draw(st.booleans(), label="ask wider")
    # To ask wider there must be a scope left out of the grant; to narrow, any grant will do.
    original = data.draw(strategies.scope_requests(scopes[:-1] if wider else scopes), label="original")
    token, granted_scope = refresh_token_or_skip(client, original)
    if wider:
        ask = " ".join(sorted(granted_scope | {scopes[-1]}))
        exchange = client.grant("refresh_token", refresh_token=token, scope=ask)
        if exchange.status == 200:
            refresh_never_widens_scope(exchange, granted_scope)
        else:
            error_is(exchange, "invalid_scope", check=Check.REFRESH_NEVER_WIDENS_SCOPE)
    else:
        narrower = data.draw(strategies.scope_requests(sorted(granted_scope)), label="narrower")
        exchange = expect_status(
            client.grant("refresh_token", refresh_token=token, scope=narrower),
            200,
            check=Check.REFRESH_MAY_NARROW,
        )
        granted_scope_within_request(exchange, narrower, granted_scope)


@given(position=st.integers(min_value=0), media=strategies.media)
def test_altered_refresh_token_is_refused(client: TokenClient, position: int, media: str) -> None:
    token, _ = refresh_token_or_skip(client)
    i = position % len(token)
    altered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    error_is(
        client.grant("refresh_token", refresh_token=altered, media=media),
        "invalid_grant",
        check=Check.ALTERED_REFRESH_TOKEN_REFUSED,
    )


def test_jwt_tokens_agree_with_expires_in(jwt_client: TokenClient) -> None:
    exchange = obtain_token(jwt_client)
    if exchange.json().get("token_type") != "jwt":
        pytest.skip(
            f"{jwt_client.target.name} issues {exchange.json().get('token_type')} tokens to this client"
        )
    jwt_agrees_with_expires_in(exchange)


class RefreshFlow(RuleBasedStateMachine):
    """Grants and refreshes in any order; every refresh token is used at most once."""

    refresh_tokens = Bundle("refresh_tokens")

    def __init__(self, client: TokenClient) -> None:
        super().__init__()
        self.client = client
        self.issued: list[Exchange] = []

    @rule(target=refresh_tokens, data=st.data())
    def grant(self, data: st.DataObject) -> tuple[str, frozenset[str]]:
        scope = data.draw(strategies.scope_requests(self.client.target.scopes) | st.none(), label="scope")
        exchange = obtain_token(self.client, scope)
        self.issued.append(exchange)
        granted_scope_within_request(exchange, scope, self.client.target.scopes)
        body = exchange.json()
        if "refresh_token" not in body:
            pytest.skip(f"{self.client.target.name} issued no refresh_token for client_credentials")
        return body["refresh_token"], frozenset(granted(exchange, scope, self.client.target.scopes))

    @rule(target=refresh_tokens, held=consumes(refresh_tokens), data=st.data())
    def refresh(self, held: tuple[str, frozenset[str]], data: st.DataObject) -> tuple[str, frozenset[str]]:
        token, scope = held
        narrower = data.draw(strategies.scope_requests(sorted(scope)) | st.none(), label="narrower")
        exchange = expect_status(
            self.client.grant("refresh_token", refresh_token=token, scope=narrower),
            200,
            check=Check.REFRESH_WORKS,
        )
        self.issued.append(exchange)
        refresh_never_widens_scope(exchange, set(scope))
        if narrower:
            granted_scope_within_request(exchange, narrower, scope)
        # RFC 6749 section 6: a new refresh token keeps the scope of the one it replaces, even when
        # the access token was narrowed.
        return exchange.json().get("refresh_token", token), scope

    @invariant()
    def every_token_is_unique(self) -> None:
        tokens_unique(self.issued)


def test_refresh_flow(client: TokenClient) -> None:
    refresh_token_or_skip(client)
    run_state_machine_as_test(
        lambda: RefreshFlow(client),
        settings=settings(
            settings.default, max_examples=min(settings.default.max_examples, 10), stateful_step_count=6
        ),
    )
