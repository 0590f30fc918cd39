"""Multi-request scenarios the families and the replay catalogue share: get a token, get a refresh
token, burst until 429. Each is bounded in count and time."""

from __future__ import annotations

import time

from token_contract.checks import expect_status
from token_contract.client import Media, Placement, TokenClient
from token_contract.exchange import Exchange
from token_spec.names import Check

__all__ = [
    "NoRefreshToken",
    "burst_until_429",
    "obtain_refresh_token",
    "obtain_token",
    "refresh_token_or_skip",
]


class NoRefreshToken(Exception):
    """The target issued no refresh token for client_credentials (the contract allows that)."""


def obtain_token(
    client: TokenClient, scope: str | None = None, *, media: Media = "json", placement: Placement = "basic"
) -> Exchange:
    """A client_credentials grant that must succeed."""
    return expect_status(
        client.grant(scope=scope, media=media, placement=placement),
        200,
        check=Check.CLIENT_CREDENTIALS_GRANTED,
    )


def obtain_refresh_token(client: TokenClient, scope: str | None = None) -> tuple[str, set[str], Exchange]:
    """A fresh refresh token, never used before, with the scope it was granted for."""
    exchange = obtain_token(client, scope)
    body = exchange.json()
    token = body.get("refresh_token")
    if not isinstance(token, str):
        raise NoRefreshToken(f"{client.target.name} issued no refresh_token for client_credentials")
    granted = str(body.get("scope") or scope or " ".join(client.target.scopes)).split()
    return token, set(granted), exchange


def burst_until_429(client: TokenClient, *, max_requests: int, max_seconds: float) -> Exchange | None:
    """Valid grants as fast as one connection goes until a 429, within both bounds; None if none came."""
    deadline = time.monotonic() + max_seconds
    for _ in range(max_requests):
        exchange = client.grant(honour_429=False)
        if exchange.status == 429:
            return exchange
        expect_status(exchange, 200, check=Check.BURST_GRANTS_SUCCEED)
        if time.monotonic() > deadline:
            break
    return None


def refresh_token_or_skip(client: TokenClient, scope: str | None = None) -> tuple[str, set[str]]:
    """:func:`obtain_refresh_token`, skipping the test (with the reason) when the target issues none."""
    import pytest  # noqa: PLC0415 - flows are also used outside pytest

    try:
        token, granted, _ = obtain_refresh_token(client, scope)
    except NoRefreshToken as exc:
        pytest.skip(f"{exc}: refresh semantics cannot be tested on this target")
    return token, granted
