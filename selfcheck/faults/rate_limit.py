"""The 429 path: a burst meets 429 (not another status), and its X-Retry-In, in milliseconds, is
enough and not excessive.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.errors import RateLimited
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


class NoRateLimit(RateLimiter):
    def check(self, key: str, client_id: str | None) -> None:
        return None


class NoRetryIn(ResponseRenderer):
    def rate_limited(self, error: RateLimited) -> Response:
        return json_response(error.status, self.error_body(error))


class RetryInSeconds(ResponseRenderer):
    def rate_limited(self, error: Any) -> Any:
        error.retry_in_ms = max(1, error.retry_in_ms // 1000)
        return super().rate_limited(error)


class RetryInOverstated(ResponseRenderer):
    """Announces four times the real wait (a "safe" constant multiplier)."""

    def rate_limited(self, error: Any) -> Any:
        error.retry_in_ms *= 4
        return super().rate_limited(error)


class RateLimited503(ResponseRenderer):
    """Over budget answered as "service unavailable", as some gateways do."""

    def rate_limited(self, error: RateLimited) -> Response:
        return json_response(503, self.error_body(error), {self.retry_header: str(error.retry_in_ms)})


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("no-rate-limit", "never answers 429", {"limiter": NoRateLimit}, breaks=("T1",)),
        Fault(
            "no-retry-in",
            "429 without the X-Retry-In header",
            {"renderer": NoRetryIn},
            breaks=("T2",),
        ),
        Fault(
            "retry-in-seconds",
            "X-Retry-In in seconds, not milliseconds",
            {"renderer": RetryInSeconds},
            breaks=("T3",),
            rate_limit="20/second",
        ),
        Fault(
            "retry-in-overstated",
            "X-Retry-In four times the real wait",
            {"renderer": RetryInOverstated},
            breaks=("T4",),
        ),
        Fault(
            "rate-limit-503",
            "over budget answered 503, not 429",
            {"renderer": RateLimited503},
            breaks=("A1",),
            burst_only=True,
        ),
    )
}
