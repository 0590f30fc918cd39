"""The refresh token's length limit (4096 characters) and exact match: past the limit refused as
malformed, an unknown token refused, nothing truncated, an altered token (one character more or
different) refused.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.errors import InvalidRequest
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from oauth2_token_contract.mock.validation import RequestValidator
from selfcheck.faults.model import Fault

__all__ = ["FAULTS", "LengthBlindValidator"]


class LengthBlindValidator(RequestValidator):
    """Does not enforce the refresh token's maxLength (the truncating server's other half); under a
    spec without one there is nothing to leave out."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.limit = settings.contract.refresh_token_max_length

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if self.limit is not None and isinstance(token, str) and len(token) > self.limit:
            return super().validate({**params, "refresh_token": token[: self.limit]})
        return super().validate(params)


class LimitOffByOne(RequestValidator):
    """The refresh token's limit taken as 4095: one at 4096 refused as malformed."""

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if isinstance(token, str) and len(token) >= 4096:
            raise InvalidRequest("refresh_token too long")
        super().validate(params)


class AnyRefreshTokenAccepted(Grants):
    """An unknown refresh token is taken as a fresh grant of the client's scopes."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if self.store.get(params.get("refresh_token", ""), self.clock.now()) is None:
            return self.client_credentials(client, params)
        return super().refresh_token(client, params)


class FixedWidthStore(RefreshTokenStore):
    """Keys are compared on the issued tokens' width, as a CHAR(n) column silently truncates."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.width: int | None = None

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        self.width = self.width or len(token)
        super().add(token[: self.width], record, now)

    def get(self, token: str, now: float) -> RefreshRecord | None:
        return super().get(token[: self.width], now)

    def consume(self, token: str) -> RefreshRecord | None:
        return super().consume(token[: self.width])


class LastCharacterIgnored(RefreshTokenStore):
    """Refresh tokens compared without their last character."""

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        super().add(token[:-1], record, now)

    def get(self, token: str, now: float) -> RefreshRecord | None:
        return super().get(token[:-1], now)

    def consume(self, token: str) -> RefreshRecord | None:
        return super().consume(token[:-1])


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "any-token-any-length",
            "no length limit, and any refresh token honoured as a fresh grant",
            {"validator": LengthBlindValidator, "grants": AnyRefreshTokenAccepted},
            breaks=("L1", "L2/json", "L2/form", "R3"),
        ),
        Fault(
            "limit-off-by-one",
            "a refresh token of exactly 4096 characters refused as malformed",
            {"validator": LimitOffByOne},
            breaks=("L2/json", "L2/form"),
        ),
        Fault(
            "any-refresh-token-accepted",
            "an unknown refresh token is honoured as a fresh grant",
            {"grants": AnyRefreshTokenAccepted},
            breaks=("L2/json", "L2/form", "R3"),
        ),
        Fault(
            "refresh-truncated",
            "no length limit on refresh tokens, compared on the issued width: a padded one passes",
            {"store": FixedWidthStore, "validator": LengthBlindValidator},
            breaks=("L3/json", "L3/form"),
        ),
        Fault(
            "refresh-prefix-match",
            "refresh tokens compared on the issued width, so one with a character more still works",
            {"store": FixedWidthStore},
            breaks=("L4/json", "L4/form"),
        ),
        Fault(
            "last-character-ignored",
            "refresh tokens compared without their last character",
            {"store": LastCharacterIgnored},
            breaks=("S10/json", "S10/form"),
        ),
    )
}
