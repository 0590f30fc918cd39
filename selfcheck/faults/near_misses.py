"""Near misses taken for the real thing: each fault is one laxity a real server inherits from the layers
under it, a credential or a refresh token a little like the real one accepted (rows E21, S11).

    secret-case-insensitive         a case-insensitive collation compares the secret column
    secret-trailing-space-ignored   MySQL's PAD SPACE: trailing spaces do not count in a compare
    client-id-case-insensitive      the client is looked up under a case-insensitive collation
    secret-nfkc-normalised          the secret is NFKC-normalised first (a fullwidth letter is ASCII)
    refresh-token-case-insensitive  refresh tokens keyed under a case-insensitive collation
    refresh-token-trimmed           the framework trims the refresh_token parameter
"""

from __future__ import annotations

import hmac
import unicodedata
from typing import Any

from oauth2_token_contract.mock.authentication import Authenticator
from oauth2_token_contract.mock.errors import InvalidClient
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.settings import ClientConfig
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


class _ComparedAs(Authenticator):
    """The secret compared after ``fold``, as the layer under the server compares it."""

    @staticmethod
    def fold(secret: str) -> str:
        return secret

    def verify(self, client_id: str, secret: str) -> ClientConfig:
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidClient("client authentication failed")
        sent, stored = self.fold(secret).encode(), self.fold(client.client_secret).encode()
        if not hmac.compare_digest(sent, stored):
            raise InvalidClient("client authentication failed")
        return client


class SecretCaseInsensitive(_ComparedAs):
    @staticmethod
    def fold(secret: str) -> str:
        return secret.casefold()


class SecretPadSpace(_ComparedAs):
    @staticmethod
    def fold(secret: str) -> str:
        return secret.rstrip(" ")


class SecretNfkc(_ComparedAs):
    @staticmethod
    def fold(secret: str) -> str:
        return unicodedata.normalize("NFKC", secret)


class ClientIdCaseInsensitive(Authenticator):
    """``WHERE client_id = ?`` under a case-insensitive collation: another case finds the client."""

    def verify(self, client_id: str, secret: str) -> ClientConfig:
        if client_id not in self.clients:
            folded = client_id.casefold()
            client_id = next((known for known in self.clients if known.casefold() == folded), client_id)
        return super().verify(client_id, secret)


class CaseInsensitiveTokens(RefreshTokenStore):
    """Refresh tokens keyed under a case-insensitive collation."""

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        super().add(token.casefold(), record, now)

    def get(self, token: str, now: float) -> RefreshRecord | None:
        return super().get(token.casefold(), now)

    def consume(self, token: str) -> RefreshRecord | None:
        return super().consume(token.casefold())


class TrimmedRefreshToken(Grants):
    """The refresh_token parameter trimmed before it is looked up."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        token = params.get("refresh_token")
        if isinstance(token, str):
            params = {**params, "refresh_token": token.strip()}
        return super().refresh_token(client, params)


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "secret-case-insensitive",
            "the client secret compared case-insensitively (a _ci collation)",
            {"authenticator": SecretCaseInsensitive},
            breaks=("E21",),
        ),
        Fault(
            "secret-trailing-space-ignored",
            "trailing spaces of the client secret ignored (MySQL's PAD SPACE compare)",
            {"authenticator": SecretPadSpace},
            breaks=("E21",),
        ),
        Fault(
            "client-id-case-insensitive",
            "the client id looked up case-insensitively",
            {"authenticator": ClientIdCaseInsensitive},
            breaks=("E21",),
        ),
        Fault(
            "secret-nfkc-normalised",
            "the client secret NFKC-normalised before the compare (a fullwidth letter is its ASCII one)",
            {"authenticator": SecretNfkc},
            breaks=("E21",),
        ),
        Fault(
            "refresh-token-case-insensitive",
            "refresh tokens looked up case-insensitively",
            {"store": CaseInsensitiveTokens},
            breaks=("S11",),
        ),
        Fault(
            "refresh-token-trimmed",
            "the refresh_token parameter trimmed of whitespace before it is looked up",
            {"grants": TrimmedRefreshToken},
            breaks=("S11",),
        ),
    )
}
