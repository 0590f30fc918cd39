"""The mock as another program embeds it: an app and the credentials of the clients it serves.

The contract suite runs against this when no target is named. What it needs to know of the mock, and
only that, comes from here: the client to speak for, a client of its own with a tight budget for the
burst family (so a burst is short, and sure to meet its 429 on a slow machine), and the clients the
configuration has for JWTs and for a grant type refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from oauth2_token_contract.mock.settings import ClientConfig, MockSettings, load_settings

__all__ = ["BURST_CLIENT_ID", "ClientCredentials", "EmbeddedMock", "default_client", "embedded_mock"]

# The suite's own client's budget: one it never trips over in passing, so no family waits out a 429
# it did not ask for.
SUITE_RATE = "1000/second"
BURST_RATE = "20/second"
BURST_CLIENT_ID = "suite-burst-client"


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]

    @classmethod
    def of(cls, client: ClientConfig) -> ClientCredentials:
        return cls(client.client_id, client.client_secret, tuple(sorted(client.scopes)))


@dataclass(frozen=True)
class EmbeddedMock:
    """A ready app and who may talk to it."""

    app: Any
    client: ClientCredentials
    burst_client: ClientCredentials
    jwt_client: ClientCredentials | None
    # Allowed client_credentials only: the refresh_token grant is unauthorized_client for it.
    restricted_client: ClientCredentials | None


def _settings(settings: MockSettings | None) -> MockSettings:
    return settings or load_settings()


def default_client(settings: MockSettings | None = None) -> ClientCredentials:
    """The client the mock's configuration lists first: the spec's example client, as shipped."""
    return ClientCredentials.of(next(iter(_settings(settings).clients.values())))


def embedded_mock(client_id: str | None = None, settings: MockSettings | None = None) -> EmbeddedMock:
    """The mock as the suite runs it, speaking for ``client_id`` (default: :func:`default_client`)."""
    from oauth2_token_contract.mock.app import create_app  # noqa: PLC0415 - Starlette only when an app is wanted

    settings = _settings(settings)
    clients = dict(settings.clients)
    main = clients.get(client_id or "") or next(iter(clients.values()))
    clients[main.client_id] = replace(main, rate_limit=SUITE_RATE)
    burst = ClientConfig(
        client_id=BURST_CLIENT_ID,
        client_secret=secrets.token_urlsafe(24),
        scopes=main.scopes,
        token_type=main.token_type,
        expires_in=main.expires_in,
        refresh_expires_in=main.refresh_expires_in,
        rate_limit=BURST_RATE,
        grant_types=frozenset({"client_credentials"}),
        issue_refresh_tokens=False,
        token_format=main.token_format,
    )
    clients[burst.client_id] = burst
    app = create_app(replace(settings, clients=clients))
    served = app.state.settings.clients  # as the minter left them (a JWT too long for the spec: opaque)
    jwt = next((c for c in served.values() if c.token_format == "jwt"), None)
    restricted = next(
        (
            c
            for c in served.values()
            if "refresh_token" not in c.grant_types and c.client_id != BURST_CLIENT_ID
        ),
        None,
    )
    return EmbeddedMock(
        app=app,
        client=ClientCredentials.of(main),
        burst_client=ClientCredentials.of(burst),
        jwt_client=None if jwt is None else ClientCredentials.of(jwt),
        restricted_client=None if restricted is None else ClientCredentials.of(restricted),
    )
