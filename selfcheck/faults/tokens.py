"""The tokens a grant hands out: each one new, the refresh token a refresh returns working, an access
token never taken for a refresh token, and a refresh only for the client that authenticates.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import InvalidClient
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.store import RefreshRecord
from oauth2_token_contract.mock.tokens import TokenMinter
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


class CachedAccessToken(TokenMinter):
    """One access token per client, handed out again on every grant."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.cache: dict[str, str] = {}

    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.cache.setdefault(client.client_id, super().mint_opaque(client, scope, issued_at))


class ShortTokens(TokenMinter):
    """Tokens of 12 random characters (72 bits): unique enough for a run, guessable by anyone."""

    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.random_text(12)

    def refresh_token(self) -> str:
        return self.random_text(12)


class SharedRefreshToken(Grants):
    """One refresh token per client, handed to every grant."""

    def __init__(self, settings: MockSettings, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.tokens: dict[str, str] = {}

    def issue(
        self,
        client: ClientConfig,
        scope: frozenset[str],
        refresh_scope: frozenset[str],
        replacing: str | None = None,
    ) -> Issued:
        issued = super().issue(client, scope, refresh_scope, replacing)
        if issued.refresh_token is None:
            return issued
        shared = self.tokens.setdefault(client.client_id, issued.refresh_token)
        record = RefreshRecord(client.client_id, client.scopes, self.clock.now() + client.refresh_expires_in)
        self.store.add(shared, record, self.clock.now())
        return issued._replace(refresh_token=shared)


class RotatedTokenDead(Grants):
    """A refresh hands back a new refresh token, but never stores it."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        issued = super().refresh_token(client, params)
        if issued.refresh_token is not None:
            self.store.consume(issued.refresh_token)
        return issued


class AccessTokenRefreshes(Grants):
    """Access tokens are kept beside refresh tokens, and refresh too."""

    def issue(
        self,
        client: ClientConfig,
        scope: frozenset[str],
        refresh_scope: frozenset[str],
        replacing: str | None = None,
    ) -> Issued:
        issued = super().issue(client, scope, refresh_scope, replacing)
        record = RefreshRecord(client.client_id, refresh_scope, self.clock.now() + client.refresh_expires_in)
        self.store.add(issued.access_token, record, self.clock.now())
        return issued


class RefreshSkipsAuthentication(Authenticator):
    """The refresh grant trusts the token and does not authenticate the client (the owner stands in)."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        try:
            return super().authenticate(basic, params)
        except InvalidClient:
            if params.get("grant_type") != "refresh_token":
                raise
            return UNAUTHENTICATED


UNAUTHENTICATED = ClientConfig("", "", frozenset(), "opaque", 1, 2, "off")


class RefreshOwnerStandsIn(Grants):
    """The grants' half of :class:`RefreshSkipsAuthentication`: the token's owner is the client."""

    def __init__(self, settings: MockSettings, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.clients = settings.clients

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if client is UNAUTHENTICATED:
            record = self.store.get(params.get("refresh_token") or "", self.clock.now())
            client = self.clients.get(record.client_id, client) if record is not None else client
        return super().refresh_token(client, params)


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "same-token-every-time",
            "one cached access token per client, handed out on every grant",
            {"minter": CachedAccessToken},
            breaks=("S1",),
        ),
        Fault(
            "short-tokens",
            "access and refresh tokens of 12 characters, each new but guessable",
            {"minter": ShortTokens},
            breaks=("A11",),
        ),
        Fault(
            "shared-refresh-token",
            "one refresh token per client, handed to every grant",
            {"grants": SharedRefreshToken},
            breaks=("S1",),
        ),
        Fault(
            "rotated-refresh-token-dead",
            "the refresh token a refresh hands back never works",
            {"grants": RotatedTokenDead},
            breaks=("S5",),
        ),
        Fault(
            "access-token-refreshes",
            "an access token works as a refresh token",
            {"grants": AccessTokenRefreshes},
            breaks=("S9/json", "S9/form"),
        ),
        Fault(
            "refresh-skips-authentication",
            "a refresh is granted without the client's credentials",
            {"authenticator": RefreshSkipsAuthentication, "grants": RefreshOwnerStandsIn},
            breaks=("S8/json", "S8/form"),
        ),
    )
}
