"""Seeded faults: realistic mistakes of token endpoints, each a small named override of the real mock.

A fault is never a second implementation: it subclasses one component and changes one thing, so
what it gets wrong is exactly what its name says. ``faulty_app(name)`` builds the mock with it.
The self-check runs the contract suite against each and expects it to fail; ``CORRECT`` lists
configurations that are right and must pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mocks.app import create_app
from mocks.grants import Grants
from mocks.ratelimit import RateLimiter
from mocks.responses import ResponseRenderer
from mocks.settings import ClientConfig, MockSettings, load_settings
from mocks.validation import RequestValidator

__all__ = ["FAULTS", "Fault", "faulty_app"]


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    overrides: dict[str, type] = field(default_factory=dict)
    rate_limit: str | None = None


# -- the overrides ---------------------------------------------------------------------------------
class BearerTokenType(ResponseRenderer):
    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "token_type": "Bearer"}


class CacheableTokens(ResponseRenderer):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.token_headers = {}


class RetryInSeconds(ResponseRenderer):
    def rate_limited(self, error: Any) -> Any:
        error.retry_in_ms = max(1, error.retry_in_ms // 1000)
        return super().rate_limited(error)


class CaseInsensitiveGrantType(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, str):
            params["grant_type"] = value.strip().lower()
        return super().grant_type(params)


class TruncatingRefresh(Grants):
    """Looks up only the first ``maxLength`` characters, as a fixed-width column would."""

    def __init__(self, settings: MockSettings, *args: Any) -> None:
        super().__init__(settings, *args)
        self.limit = settings.contract.refresh_token_max_length

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Any:
        token = params.get("refresh_token")
        if isinstance(token, str):
            params["refresh_token"] = token[: self.limit]
        return super().refresh_token(client, params)


class LengthBlindValidator(RequestValidator):
    """Does not enforce the refresh token's maxLength (the truncating server's other half)."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.limit = settings.contract.refresh_token_max_length

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if isinstance(token, str) and len(token) > self.limit:
            return super().validate({**params, "refresh_token": token[: self.limit]})
        return super().validate(params)


class WideningRefresh(Grants):
    """A refresh grants what was asked for, checked against the client's allowance, not the grant's."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Any:
        record = self.store.get(params.get("refresh_token", ""), time.time())
        if record is not None:
            self.store.consume(params["refresh_token"])
            return self.issue(client, self.scope_within(params, client.scopes), client.scopes)
        return super().refresh_token(client, params)


class NoRateLimit(RateLimiter):
    def check(self, key: str, client_id: str | None) -> None:
        return None


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "token-type-bearer",
            "token_type is 'Bearer', not one of the spec's enum",
            {"renderer": BearerTokenType},
        ),
        Fault(
            "no-cache-control",
            "token answers lack Cache-Control: no-store and Pragma: no-cache",
            {"renderer": CacheableTokens},
        ),
        Fault(
            "retry-in-seconds",
            "X-Retry-In in seconds, not milliseconds",
            {"renderer": RetryInSeconds},
            rate_limit="20/second",
        ),
        Fault(
            "grant-type-case-insensitive",
            "grant_type matched case- and whitespace-insensitively",
            {"validator": CaseInsensitiveGrantType},
        ),
        Fault(
            "refresh-truncated",
            "refresh tokens truncated to the limit, so a padded one passes",
            {"grants": TruncatingRefresh, "validator": LengthBlindValidator},
        ),
        Fault(
            "refresh-widens-scope",
            "a refresh may grant any scope the client has, beyond the original",
            {"grants": WideningRefresh},
        ),
        Fault("no-rate-limit", "never answers 429", {"limiter": NoRateLimit}),
    )
}


def faulty_app(name: str, settings: MockSettings | None = None) -> Callable[..., Any]:
    """The mock with fault ``name`` seeded in."""
    fault = FAULTS[name]
    chosen = settings or load_settings(rate_limit=fault.rate_limit)
    return create_app(chosen, **fault.overrides)
