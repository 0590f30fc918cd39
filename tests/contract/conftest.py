"""Fixtures the contract families share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from token_contract.client import TokenClient
from token_contract.flows import refresh_token_or_skip
from token_contract.targets import Target


@pytest.fixture
def refresh_token(client: TokenClient) -> tuple[str, set[str]]:
    """A fresh refresh token and its granted scope; the test skips, saying why, when none is issued."""
    return refresh_token_or_skip(client)


@pytest.fixture(scope="session")
def jwt_client(target: Target, client: TokenClient) -> Iterator[TokenClient]:
    """A client whose tokens are JWTs: the embedded mock's JWT client, elsewhere the target's own."""
    if target.jwt_client is None:
        yield client
        return
    jwt = client.as_client(
        target.jwt_client.client_id, target.jwt_client.client_secret, target.jwt_client.scopes
    )
    yield jwt
    jwt.close()


@pytest.fixture(scope="session")
def _refresh_support(client: TokenClient) -> str | None:
    """Why refresh semantics cannot be tested with this client (None when they can), asked once."""
    body = client.grant().json() or {}
    if "refresh_token" not in body:
        return f"{client.target.name} issues this client no refresh tokens"
    return None


@pytest.fixture
def refresh_supported(_refresh_support: str | None) -> None:
    """Skip, saying why, a test that sends the refresh grant when this client gets no refresh tokens.

    Such a client may rightly answer ``unauthorized_client`` before it looks at the token.
    """
    if _refresh_support:
        pytest.skip(f"{_refresh_support}: the refresh_token grant is not testable with it")


@pytest.fixture(scope="session")
def burst_client(target: Target, client: TokenClient) -> Iterator[TokenClient]:
    """The client the burst family provokes 429 with: on the embedded mock a tight-budget client of
    the suite's own, elsewhere the target's client (its real budget)."""
    if target.burst_client is None:
        yield client
        return
    burst = client.as_client(target.burst_client.client_id, target.burst_client.client_secret)
    yield burst
    burst.close()
