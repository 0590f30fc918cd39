"""Fixtures the contract families share: the plugin's under short names, other clients of the target,
refresh tokens, preconditions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oauth2_token_contract.mock.embedded import ClientCredentials
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.flows import (
    NoRefreshToken,
    Preconditions,
    RefreshTokenSource,
    obtain_refresh_token,
)
from oauth2_token_contract.suite.targets import Target


@pytest.fixture(scope="session")
def client(token_client: TokenClient) -> TokenClient:
    """The plugin's ``token_client``, as the families call it."""
    return token_client


@pytest.fixture(scope="session")
def target(token_target: Target) -> Target:
    return token_target


@pytest.fixture(scope="session")
def preconditions(client: TokenClient) -> Preconditions:
    """What the target was seen to accept, asked once per run (a media type that works at all)."""
    return Preconditions(client)


@pytest.fixture(scope="session")
def _refresh_probe(client: TokenClient) -> tuple[str | None, str | None]:
    """A refresh token obtained once per run and never used, or why this client gets none.

    A failed grant here is not "no refresh tokens": it raises, and the test fails as a precondition.
    """
    try:
        token, _, _ = obtain_refresh_token(client)
    except NoRefreshToken as exc:
        return None, str(exc)
    return token, None


@pytest.fixture(scope="session")
def _refresh_support(_refresh_probe: tuple[str | None, str | None]) -> str | None:
    """Why refresh semantics cannot be tested with this client (None when they can), asked once."""
    return _refresh_probe[1]


@pytest.fixture
def refresh_supported(_refresh_support: str | None) -> None:
    """Skip, saying why, a test of the refresh grant when this client gets no refresh tokens.

    Such a client may rightly answer ``unauthorized_client`` before it looks at the token.
    """
    if _refresh_support:
        pytest.skip(f"{_refresh_support}: the refresh_token grant is not testable with it")


@pytest.fixture
def unused_refresh_token(_refresh_probe: tuple[str | None, str | None], refresh_supported: None) -> str:
    """The probe's refresh token, which no test spends: for a test that sends only near misses of it.

    A correct server refuses a near miss without touching the real token, so every example of such a
    test may use the one token; a server that takes a near miss for it fails there and then.
    """
    token = _refresh_probe[0]
    assert token is not None, "refresh_supported skips a client without refresh tokens"
    return token


@pytest.fixture
def fresh_refresh_token(client: TokenClient, refresh_supported: None) -> RefreshTokenSource:
    """A function giving a refresh token never used before (and its granted scope), one per call."""

    def fresh(scope: str | None = None, *, via: TokenClient | None = None) -> tuple[str, set[str]]:
        try:
            token, granted, _ = obtain_refresh_token(via or client, scope)
        except NoRefreshToken as exc:
            pytest.skip(f"{exc}: refresh semantics cannot be tested on this target")
        return token, granted

    return fresh


def _other_client(client: TokenClient, credentials: ClientCredentials | None) -> TokenClient | None:
    if credentials is None:
        return None
    return client.as_client(credentials.client_id, credentials.client_secret, credentials.scopes)


@pytest.fixture(scope="session")
def jwt_client(target: Target, client: TokenClient) -> Iterator[TokenClient]:
    """A client whose tokens are JWTs: the embedded mock's JWT client, elsewhere the target's own."""
    other = _other_client(client, target.jwt_client)
    yield other or client
    if other is not None:
        other.close()


@pytest.fixture(scope="session")
def burst_client(target: Target, client: TokenClient) -> Iterator[TokenClient]:
    """The client the burst family provokes 429 with: on the embedded mock a tight-budget client of
    the suite's own, elsewhere the target's client (its real budget)."""
    other = _other_client(client, target.burst_client)
    yield other or client
    if other is not None:
        other.close()


@pytest.fixture(scope="session")
def ctx(client: TokenClient) -> CheckContext:
    """The run's check context, which every check is handed: the client's (the plugin's)."""
    return client.context
