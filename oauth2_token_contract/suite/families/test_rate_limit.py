"""The 429 path, with one burst: it meets a 429 whose retry header (the spec's: ``X-Retry-In`` in
milliseconds on the documentation page, else RFC 9110's ``Retry-After`` in seconds) says the wait as
digits; half that wait is not yet enough (the header does not overstate the wait twice over and by more
than the second a server may round up to), and the whole wait is (it does not understate it). Where the
spec documents no retry header and a 429 names no wait (RFC 6585 allows it), the wait is not judged,
and the test says so; where the spec documents no 429 at all, the family does not apply.

Schemathesis reads only Retry-After and accepts any 429, so this contract is ours alone. The family
runs last, with what the budget has left, and against a live target only with
``TOKEN_API_ALLOW_BURST=1``. A burst that meets no 429 within its bounds fails: the contract
documents a rate limit, and a target whose budget lies beyond the run's needs a larger
``TOKEN_API_MAX_REQUESTS`` to be checked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext, expect_status, retry_in_is_digits
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.flows import burst_until_429
from oauth2_token_contract.suite.pacing import retry_grace
from oauth2_token_contract.suite.targets import Settings

pytestmark = [pytest.mark.token_contract, pytest.mark.burst]

MAX_REQUESTS = 3000
MAX_SECONDS = 20.0
# Below this an X-Retry-In is too short to tell "twice what is needed" from network jitter.
MEASURABLE_MS = 40
# A server may round its wait up to whole seconds (Retry-After's unit): an overstatement within this
# is caution, not a fault.
ROUNDING_MS = 1000
# Requests the test needs after the burst: the probes at half and at the whole wait, and spare.
PROBES = 4
# Bursts at most: a second one only when the first announced a wait too short to judge.
CYCLES = 2


def _header() -> str:
    return contract.load().retry.name


def _retry_in_ms(ctx: CheckContext, exchange: Exchange) -> int:
    """The wait the 429 announced, in milliseconds, in the spec's header and unit."""
    retry_in_is_digits(ctx, exchange)
    retry = contract.load().retry
    said = exchange.header(retry.name)
    if said is None:  # only where the spec documents no retry header (else the check above failed)
        pytest.skip(f"the 429 names no wait and the spec documents no retry header ({retry.name} optional)")
    return retry.wait_ms(said) or 0


def _burst(client: TokenClient) -> Exchange:
    """Grants until 429, within what the budget has left (keeping the probes) or ``MAX_REQUESTS``."""
    known = Settings.from_env().expect_429_within
    remaining = client.pacer.remaining
    bound = min(
        x for x in (known, MAX_REQUESTS, None if remaining is None else remaining - PROBES) if x is not None
    )
    exchange = burst_until_429(client, max_requests=max(bound, 1), max_seconds=MAX_SECONDS)
    if exchange is None:
        raise ContractViolation(
            Check.BURST_MEETS_429,
            f"no 429 within {bound} valid grants or {MAX_SECONDS:g} s: the target enforces no rate "
            "limit, or one beyond this run's budget (raise TOKEN_API_MAX_REQUESTS to reach it)",
            cause="no 429 in a burst of valid grants",
        )
    client.context.judged(Check.BURST_MEETS_429)
    return exchange


def _probe(client: TokenClient, after: float) -> Exchange:
    time.sleep(after)
    return client.grant(media="form", honour_429=False)


@pytest.fixture(autouse=True)
def _quiet_window(burst_client: TokenClient) -> Iterator[None]:
    """Leave the embedded mock's limiter as found (a live target's burst is the run's last act)."""
    yield
    if burst_client.target.controls:
        burst_client.send(method="POST", path="/__mock/reset", honour_429=False)


@pytest.mark.checks(
    Check.BURST_MEETS_429, Check.RETRY_IN_IS_DIGITS, Check.RETRY_IN_NOT_EXCESSIVE, Check.RETRY_IN_IS_ENOUGH
)
def test_a_burst_meets_429_and_x_retry_in_tells_the_wait(burst_client: TokenClient) -> None:
    client = burst_client
    for cycle in range(CYCLES):
        sent = client.pacer.sent
        retry_in = _retry_in_ms(client.context, _burst(client))
        burst_cost = client.pacer.sent - sent
        wait = _judge_not_excessive(client, retry_in)
        if wait > client.pacer.max_wait:
            pytest.fail(
                f"{_header()} {retry_in} ms leaves {wait:.1f} s to wait, beyond TOKEN_API_MAX_WAIT="
                f"{client.pacer.max_wait:g} s: whether it is enough was not judged; raise "
                "TOKEN_API_MAX_WAIT to judge it"
            )
        _judge_enough(client, wait)
        # A wait too short to judge may have ended with the limiter's window by chance: one more
        # burst, only when the budget has room for one as long as the first (so that it meets its
        # 429 too), tells an overstated wait from luck.
        remaining = client.pacer.remaining
        if (
            _overstatement_probe_ms(retry_in) >= MEASURABLE_MS
            or cycle
            or (remaining is not None and remaining < burst_cost + 2 * PROBES + 10)
        ):
            break


def _overstatement_probe_ms(retry_in: int) -> float:
    """When a request must still meet 429: at half the announced wait, and at least ``ROUNDING_MS``
    before its end."""
    return min(retry_in / 2, retry_in - ROUNDING_MS)


def _judge_not_excessive(client: TokenClient, retry_in: int) -> float:
    """A request well inside the announced wait must still meet 429; returns the wait left, in s.

    The probe waits at most ``TOKEN_API_MAX_WAIT``: a request that succeeds even that early shows the
    header overstated, however long it said.
    """
    client.context.judged(Check.RETRY_IN_NOT_EXCESSIVE)
    probe_ms = _overstatement_probe_ms(retry_in)
    if probe_ms < MEASURABLE_MS:
        return retry_in / 1000  # too short to overstate by anything that matters
    after = min(probe_ms / 1000, client.pacer.max_wait)
    probe = _probe(client, after)
    if probe.status != 429:
        raise ContractViolation(
            Check.RETRY_IN_NOT_EXCESSIVE,
            f"{_header()} said {retry_in} ms, yet a request after {after * 1000:.0f} ms got {probe.status}",
            probe,
            cause=f"{_header()} overstates the wait at least twice over",
        )
    return _retry_in_ms(client.context, probe) / 1000


def _judge_enough(client: TokenClient, wait: float) -> None:
    after = _probe(client, wait + retry_grace(wait))
    client.context.judged(Check.RETRY_IN_IS_ENOUGH)
    if after.status == 429:
        raise ContractViolation(
            Check.RETRY_IN_IS_ENOUGH,
            f"waited the {wait * 1000:.0f} ms {_header()} asked for "
            f"(and {retry_grace(wait) * 1000:.0f} ms more) and still got 429",
            after,
            cause=f"waiting {_header()} is not enough",
        )
    expect_status(
        client.context, after, 200, check=Check.RETRY_IN_IS_ENOUGH, asked=f"a grant after waiting {_header()}"
    )
