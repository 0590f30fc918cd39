"""The 429's ``X-Retry-In``: said as the contract says it, and long enough to wait out."""

from __future__ import annotations

import re

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["retry_in_is_digits", "retry_in_was_enough"]


@check(Check.RETRY_IN_IS_DIGITS, status=429)
def retry_in_is_digits(ctx: CheckContext, exchange: Exchange) -> None:
    """A 429 says how long to wait: the X-Retry-In header, in milliseconds, as digits."""
    c = contract.load()
    value = exchange.header(c.retry_header)
    if value is None:
        fail(Check.RETRY_IN_IS_DIGITS, f"429 without {c.retry_header}", exchange)
    if not re.fullmatch(c.retry_pattern.strip("^$"), value.strip()):
        fail(
            Check.RETRY_IN_IS_DIGITS,
            f"{c.retry_header} is {value!r}, not milliseconds as digits",
            exchange,
            cause=f"{c.retry_header} is not milliseconds as digits",
        )


@check(Check.RETRY_IN_IS_ENOUGH, every_answer=False)
def retry_in_was_enough(ctx: CheckContext, after: Exchange, waited: float) -> None:
    """A request sent after waiting out all of the X-Retry-In the last 429 announced (and a little
    grace) is not limited again: the header understated the wait. Met on the way, by any test whose
    requests the target limits; held beside that test's own outcome."""
    if after.status == 429:
        finding = ContractViolation(
            Check.RETRY_IN_IS_ENOUGH,
            f"waited the {waited * 1000:.0f} ms X-Retry-In announced, and more, and got 429 again",
            after,
            cause="waiting X-Retry-In is not enough",
        )
        ctx.alongside.add([finding])
