"""The 429's wait, in the retry header the spec names (``X-Retry-In`` in milliseconds on the
documentation page; RFC 9110's ``Retry-After`` in seconds where a spec names none): said as the
contract says it, and long enough to wait out."""

from __future__ import annotations

import re

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["retry_in_is_digits", "retry_in_is_enough"]


@check(Check.RETRY_IN_IS_DIGITS, status=429)
def retry_in_is_digits(ctx: CheckContext, exchange: Exchange) -> None:
    """A 429 says how long to wait in the spec's retry header and unit, as digits (a Retry-After may
    also be an HTTP-date). Where the spec documents no retry header, RFC 6585 makes Retry-After
    optional: a 429 without one passes, one with a bad one does not."""
    retry = contract.load().retry
    value = exchange.header(retry.name)
    if value is None:
        if retry.documented:
            fail(Check.RETRY_IN_IS_DIGITS, f"429 without {retry.name}", exchange)
        return
    pattern = (retry.pattern or "^[0-9]+$").strip("^$")
    said = re.fullmatch(pattern, value.strip()) is not None and retry.wait_ms(value) is not None
    if not said and not (retry.name.lower() == "retry-after" and retry.wait_ms(value) is not None):
        fail(
            Check.RETRY_IN_IS_DIGITS,
            f"{retry.name} is {value!r}, not {retry.unit} as digits",
            exchange,
            cause=f"{retry.name} is not {retry.unit} as digits",
        )


@check(Check.RETRY_IN_IS_ENOUGH, every_answer=False)
def retry_in_is_enough(ctx: CheckContext, after: Exchange, waited: float) -> None:
    """A request sent after waiting out all of the X-Retry-In the last 429 announced (and a little
    grace) is not limited again: the header understated the wait. Met on the way, by any test whose
    requests the target limits; held beside that test's own outcome."""
    if after.status == 429:
        name = contract.load().retry.name
        finding = ContractViolation(
            Check.RETRY_IN_IS_ENOUGH,
            f"waited the {waited * 1000:.0f} ms {name} announced, and more, and got 429 again",
            after,
            cause=f"waiting {name} is not enough",
        )
        ctx.alongside.add([finding])
