"""The 429 path: a burst meets 429, ``X-Retry-In`` is digits, waiting it is enough and not far more.

Schemathesis reads only Retry-After and accepts any 429, so this contract is ours alone.
Live targets: only with ``TOKEN_API_ALLOW_BURST=1``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from token_contract.checks import expect_status, require, retry_in_is_digits
from token_contract.client import TokenClient
from token_contract.errors import ContractViolation
from token_contract.exchange import Exchange
from token_contract.flows import burst_until_429
from token_contract.targets import Settings
from token_spec import contract
from token_spec.names import Check

pytestmark = pytest.mark.burst

MAX_REQUESTS = 3000
MAX_SECONDS = 20.0
# Below this an X-Retry-In is too short to tell "far more than needed" from network jitter.
MEASURABLE_MS = 40


def _retry_in_ms(exchange: Exchange) -> int:
    retry_in_is_digits(exchange)
    return int(exchange.header(contract.load().retry_header) or "0")


def _burst(client: TokenClient) -> Exchange:
    """Grants until 429. The mock's budget is known, and so is a remote one's when
    ``TOKEN_API_EXPECT_429_WITHIN`` says it: then no 429 is a failure, else only a skip."""
    known = Settings.from_env().expect_429_within
    bound = known if known is not None else MAX_REQUESTS
    exchange = burst_until_429(client, max_requests=bound, max_seconds=MAX_SECONDS)
    if exchange is None:
        message = f"no 429 within {bound} requests or {MAX_SECONDS:g} s"
        if client.target.kind == "mock" or known is not None:
            raise ContractViolation(Check.BURST_MEETS_429, message + ": the budget is not enforced")
        pytest.skip(
            f"{client.target.name}: {message}; its budget is larger than a bounded burst "
            "(set TOKEN_API_EXPECT_429_WITHIN to the requests it allows)"
        )
    return exchange


@pytest.fixture(autouse=True)
def _quiet_window(burst_client: TokenClient) -> Iterator[None]:
    """Leave the limiter as found: reset the mock, or wait out a live target's window."""
    yield
    if burst_client.target.controls:
        burst_client.send(method="POST", path="/__mock/reset", honour_429=False)
    else:
        burst_client.grant()  # waits out any 429 through the pacer


def test_burst_meets_429_with_retry_in_digits(burst_client: TokenClient) -> None:
    exchange = _burst(burst_client)
    retry_in_is_digits(exchange)
    body = exchange.json()
    require(
        isinstance(body, dict) and "error" in body,
        Check.RATE_LIMIT_BODY,
        "429 without a JSON error",
        exchange,
    )


def test_waiting_retry_in_is_enough(burst_client: TokenClient) -> None:
    retry_in = _retry_in_ms(_burst(burst_client))
    if retry_in / 1000 > burst_client.pacer.max_wait:
        raise ContractViolation(Check.RETRY_IN_IS_ENOUGH, f"X-Retry-In {retry_in} ms exceeds any sane wait")
    time.sleep(retry_in / 1000)
    after = burst_client.grant(honour_429=False)
    if after.status == 429:
        raise ContractViolation(
            Check.RETRY_IN_IS_ENOUGH,
            f"waited the {retry_in} ms X-Retry-In asked for and still got 429",
            after,
        )
    expect_status(after, 200, check=Check.RETRY_IN_IS_ENOUGH)


def test_retry_in_is_not_far_more_than_needed(burst_client: TokenClient) -> None:
    """Half the announced wait must not already be enough: else the header overstates it at least twice."""
    first = _burst(burst_client)
    retry_in = _retry_in_ms(first)
    if retry_in < MEASURABLE_MS:
        pytest.skip(f"X-Retry-In {retry_in} ms is too short to measure against jitter")
    time.sleep(min(retry_in / 2000, burst_client.pacer.max_wait))
    probe = burst_client.grant(honour_429=False)
    if probe.status != 429:
        raise ContractViolation(
            Check.RETRY_IN_NOT_EXCESSIVE,
            f"X-Retry-In said {retry_in} ms, yet a request after {retry_in / 2:.0f} ms got {probe.status}",
            probe,
        )
