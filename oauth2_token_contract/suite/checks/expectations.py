"""What a scenario expects of an answer, judged under the scenario's own check.

A test's own property comes first: :func:`expect_status` judges the status the test expected before
the shape of the answer, and reports shape violations alongside (``also``), never instead; when the
property holds, they are held in the context for the end of the test.
"""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import fail, response_findings
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["error_is", "expect_status", "require"]


def require(
    ctx: CheckContext, condition: object, check: Check, message: str, exchange: Exchange | None = None
) -> None:
    """A scenario's own assertion, reported like every check: its name, the curl line, the answer."""
    ctx.judged(check)
    if not condition:
        fail(check, message, exchange)


def _answer(exchange: Exchange) -> str:
    if exchange.status == 400 and exchange.error:
        return f"400 {exchange.error}"
    if exchange.status == 200 and isinstance(exchange.json(), dict) and "access_token" in exchange.json():
        return "200 with a token"
    return str(exchange.status)


def _wanted(statuses: Iterable[int], codes: Iterable[str] = ()) -> str:
    wanted = " or ".join(map(str, statuses))
    return f"{wanted} {' or '.join(codes)}".strip()


def expect_status(
    ctx: CheckContext, exchange: Exchange, *statuses: int, check: Check, asked: str | None = None
) -> Exchange:
    """The answer has one of ``statuses``: the test's own property first; shape findings go beside it
    (raised with it when it fails, else held in ``ctx.alongside`` for the end of the test).

    ``asked`` says in words what was sent ("a wrong client secret"), so a refusal that did not come
    reads "a wrong client secret was accepted", whatever else is wrong with the answer.
    """
    alongside = response_findings(ctx, exchange)
    ctx.judged(check)
    if exchange.status not in statuses:
        what = asked or "the request"
        if exchange.status == 200 and 200 not in statuses:
            cause = f"accepted ({_answer(exchange)}), expected {_wanted(statuses)}"
        else:
            cause = f"got {_answer(exchange)}, expected {_wanted(statuses)}"
        message = f"{what} {'was ' if cause.startswith('accepted') else ''}{cause}"
        raise ContractViolation(check, message, exchange, cause=cause, also=alongside)
    ctx.alongside.add(alongside)
    return exchange


def error_is(
    ctx: CheckContext, exchange: Exchange, *codes: str, check: Check, asked: str | None = None
) -> Exchange:
    """A 400 whose ``error`` is one of ``codes`` (any shape findings alongside)."""
    alongside = response_findings(ctx, exchange)
    ctx.judged(check)
    what = asked or "the request"
    if exchange.status != 400 or exchange.error not in codes:
        verb = "accepted" if exchange.status == 200 else "got"
        cause = f"{verb} {_answer(exchange)}, expected {_wanted([400], codes)}"
        message = f"{what} {'was ' if verb == 'accepted' else ''}{cause}"
        raise ContractViolation(check, message, exchange, cause=cause, also=alongside)
    ctx.alongside.add(alongside)
    return exchange
