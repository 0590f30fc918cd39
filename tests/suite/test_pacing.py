"""A 429 that names no wait is the target pacing the client: backed off, doubling, up to
``TOKEN_API_MAX_WAIT``, then retried, before any test counts it (RFC 6585 makes the header optional).

Measured before this rule: a correct server allowing 30 requests per 5 s, answering 429 without a
wait header, failed five tests of other families with "got 429" (three 1 s retries are not 5 s).
"""

from __future__ import annotations

import pytest

from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.server import running_mock
from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.checks.expectations import expect_status
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import TargetPaced
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.targets import Target
from selfcheck.faults.rate_limit import NoRetryIn

EXAMPLE = contract.load().request_examples()["clientCredentials"]


def _no_header(name: str) -> str | None:
    return None


def test_an_unhinted_429_is_backed_off_doubling_until_max_wait() -> None:
    pacer = Pacer(budget=None, max_wait=30.0)
    delays, waited = [], 0.0
    while (delay := pacer.retry_delay(429, _no_header, attempt=len(delays), waited=waited)) is not None:
        delays.append(delay)
        waited += delay
    assert delays == [1.0, 2.0, 4.0, 8.0, 15.0]
    assert waited == pytest.approx(30.0)


def test_a_hinted_429_is_retried_its_wait_at_most_retries_times() -> None:
    pacer = Pacer(budget=None, max_wait=30.0, retries=3)
    read = contract.load()
    header = {read.retry.name: read.retry.spell(200)}.get
    delays = [pacer.retry_delay(429, header, attempt=n) for n in range(4)]
    assert delays[:3] == [pytest.approx(0.25)] * 3
    assert delays[3] is None
    assert pacer.retry_delay(400, header) is None


def _client(url: str, pacer: Pacer) -> TokenClient:
    target = Target(name="paced", kind="remote", base_url=url, client_id=EXAMPLE["client_id"],
                    client_secret=EXAMPLE["client_secret"], scopes=(), budget=None,
                    allow_burst=False)  # fmt: skip
    return TokenClient(target, pacer, timeout=5.0)


def test_a_target_pacing_without_a_hint_is_waited_out_not_counted() -> None:
    """Over real HTTP: 3 grants per 2 s, each 429 naming no wait; 6 grants in a row all end 200."""
    settings = load_settings(rate_limit="3 per 2 seconds")
    with running_mock(app=create_app(settings, renderer=NoRetryIn)) as url:
        pacer = Pacer(budget=60, max_wait=10.0)
        client = _client(url, pacer)
        try:
            statuses = [client.grant(placement="body").status for _ in range(6)]
        finally:
            client.close()
    assert statuses == [200] * 6
    honoured, unhinted, seconds = pacer.waited()
    assert honoured == unhinted >= 1
    assert 0.5 < seconds <= 10.0


def test_a_429_that_outlasts_the_wait_is_no_verdict_on_the_test() -> None:
    """Still 429 after the back-off: the test stops as paced (its checks stay applicable), not failed."""
    settings = load_settings(rate_limit="1 per 60 seconds")
    with running_mock(app=create_app(settings, renderer=NoRetryIn)) as url:
        pacer = Pacer(budget=20, max_wait=1.5)
        pacer.sleep = lambda seconds: None  # the back-off is bounded by max_wait; no need to sit it out
        client = _client(url, pacer)
        try:
            client.grant(placement="body")
            exchange = client.grant(placement="body")
        finally:
            client.close()
    assert exchange.status == 429
    assert pacer.waited()[1] == 2  # 1 s, then the 0.5 s left of max_wait
    ctx = CheckContext()
    with pytest.raises(TargetPaced, match="TOKEN_API_MAX_WAIT"):
        expect_status(ctx, exchange, 200, check=Check.CLIENT_CREDENTIALS_GRANTED)
    assert Check.CLIENT_CREDENTIALS_GRANTED not in ctx.coverage.exercised, "a paced answer judged nothing"
