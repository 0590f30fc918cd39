"""Multi-request scenarios the families and the replay catalogue share: get a token, get a refresh
token, check that a media type works, burst until 429. Each is bounded in count and time.

Setup steps speak the dialect every OAuth2 server accepts, a form body with HTTP Basic (RFC 6749
sections 2.3.1 and 4.4.2), whatever the test itself then sends; when a setup step fails, the test
fails with :class:`PreconditionFailed` saying so, never a skip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.capabilities import documented_media, undocumented_media
from oauth2_token_contract.suite.checks import expect_status, response_findings
from oauth2_token_contract.suite.client import Media, Placement, TokenClient
from oauth2_token_contract.suite.errors import ContractViolation, PreconditionFailed
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "NoRefreshToken",
    "Preconditions",
    "RefreshTokenSource",
    "burst_until_429",
    "obtain_refresh_token",
    "obtain_token",
]

# Gives a refresh token never used before and its granted scope: ``source(scope=None, via=client)``.
RefreshTokenSource = Callable[..., tuple[str, set[str]]]


def setup_media() -> Media:
    """Setup grants go as form bodies, or JSON where the spec documents only JSON bodies."""
    return "json" if documented_media() == ("json",) else "form"


SETUP_PLACEMENT: Placement = "basic"
BURST_CONNECTIONS = 4


class NoRefreshToken(Exception):
    """The target issued no refresh token for client_credentials (the contract allows that)."""


def _precondition(violation: ContractViolation, what: str) -> PreconditionFailed:
    message = f"precondition failed: {what}: {violation.message}"
    cause = f"precondition failed: {what} ({violation.cause})"
    return PreconditionFailed(violation.check, message, violation.exchange, cause=cause, also=violation.also)


def obtain_token(
    client: TokenClient,
    scope: str | None = None,
    *,
    media: Media | None = None,
    placement: Placement = SETUP_PLACEMENT,
) -> Exchange:
    """A client_credentials grant that must succeed; a failure is a failed precondition."""
    media = media or setup_media()
    exchange = client.grant(scope=scope, media=media, placement=placement)
    try:
        return expect_status(
            client.context, exchange, 200, check=Check.CLIENT_CREDENTIALS_GRANTED, asked="a valid grant"
        )
    except ContractViolation as violation:
        raise _precondition(violation, f"a client_credentials grant ({media}, {placement})") from None


def obtain_refresh_token(client: TokenClient, scope: str | None = None) -> tuple[str, set[str], Exchange]:
    """A fresh refresh token, never used before, with the scope it was granted for."""
    exchange = obtain_token(client, scope)
    body = exchange.json() if isinstance(exchange.json(), dict) else {}
    token = body.get("refresh_token")
    if not isinstance(token, str) or not token:
        raise NoRefreshToken(f"{client.target.name} issued no refresh_token for client_credentials")
    stated = body.get("scope")
    granted = str(stated if isinstance(stated, str) else scope or " ".join(client.target.scopes)).split()
    return token, set(granted), exchange


@dataclass
class Preconditions:
    """What the target was seen to accept, asked once per run: a media type that works at all.

    A refusal in JSON proves nothing about a server that refuses every JSON body; a test that judges
    refusals asks :meth:`media_works` first, and fails as a precondition when it does not.
    """

    client: TokenClient
    _media: dict[str, PreconditionFailed | None] = field(default_factory=dict)

    def media_works(self, media: Media) -> None:
        if why := undocumented_media(media):
            pytest.skip(why)
        if media not in self._media:
            exchange = self.client.grant(media=media, placement=SETUP_PLACEMENT)
            try:
                asked = f"a valid {media} grant"
                expect_status(self.client.context, exchange, 200, check=Check.ENCODING_ACCEPTED, asked=asked)
                self._media[media] = None
            except ContractViolation as violation:
                what = f"a valid {media} grant (so a refusal in {media} proves nothing)"
                self._media[media] = _precondition(violation, what)
        failure = self._media[media]
        if failure is not None:  # a fresh exception per test: pytest and Hypothesis add notes to it
            raise PreconditionFailed(
                failure.check, failure.message, failure.exchange, cause=failure.cause, also=failure.also
            )


def burst_until_429(
    client: TokenClient, *, max_requests: int, max_seconds: float, connections: int = BURST_CONNECTIONS
) -> Exchange | None:
    """Valid grants over a few connections at once until a 429, within both bounds; None if none came.

    Several connections, so a target slower per request than its limit is tight still meets it.
    A grant refused otherwise than by 429 stops the burst: the limiter cannot be judged through it.
    """
    deadline = time.monotonic() + max_seconds
    lock = threading.Lock()
    sent = 0
    found: list[Exchange] = []
    refused: list[ContractViolation] = []

    def worker(connection: TokenClient) -> None:
        nonlocal sent
        while True:
            with lock:
                if found or refused or sent >= max_requests or time.monotonic() > deadline:
                    return
                sent += 1
            exchange = connection.grant(media=setup_media(), placement=SETUP_PLACEMENT, honour_429=False)
            if exchange.status == 429:
                with lock:
                    found.append(exchange)
                return
            if exchange.status != 200:
                with lock:
                    refused.append(
                        ContractViolation(
                            Check.BURST_GRANTS_SUCCEED,
                            f"a valid grant in a burst got {exchange.status}, not 200 or 429",
                            exchange,
                            # what else the answer breaks (a 503 the spec lacks) is said beside it
                            also=response_findings(connection.context, exchange),
                        )
                    )
                return

    target = client.target
    clients = [client.as_client(target.client_id, target.client_secret) for _ in range(connections)]
    try:
        with ThreadPoolExecutor(max_workers=connections) as pool:
            for future in [pool.submit(worker, each) for each in clients]:
                future.result()
    finally:
        for each in clients:
            each.close()
    if refused:
        raise refused[0]
    return found[0] if found else None
