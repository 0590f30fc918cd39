"""What a scenario expects of an answer, judged under the scenario's own check.

A test's own property comes first: :func:`expect_status` judges the status the test expected before
the shape of the answer, and reports shape violations alongside (``also``), never instead; when the
property holds, they are held in the context for the end of the test.
"""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import fail, response_findings
from oauth2_token_contract.suite.errors import ContractViolation, TargetPaced
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["PARAMETER_CODES", "defect_codes", "error_is", "expect_status", "refused_as", "require", "unpaced"]


def require(
    ctx: CheckContext, condition: object, check: Check, message: str, exchange: Exchange | None = None
) -> None:
    """A scenario's own assertion, reported like every check: its name, the curl line, the answer."""
    ctx.judged(check)
    if not condition:
        fail(check, message, exchange)


def _answer(exchange: Exchange) -> str:
    if 400 <= exchange.status < 500 and exchange.error:
        return f"{exchange.status} {exchange.error}"
    if exchange.status == 200 and isinstance(exchange.json(), dict) and "access_token" in exchange.json():
        return "200 with a token"
    return str(exchange.status)


def _wanted(statuses: Iterable[int], codes: Iterable[str] = ()) -> str:
    wanted = " or ".join(map(str, statuses))
    return f"{wanted} {' or '.join(codes)}".strip()


# A refusal for a defect in one parameter may name that parameter's own code beside
# invalid_request: RFC 6749 section 5.2 ranks no code above another when two fit (a repeated scope
# is a malformed scope too, invalid_scope; a repeated client_secret fails authentication,
# invalid_client; a repeated refresh_token is an invalid grant).
PARAMETER_CODES = {
    "scope": "invalid_scope",
    "client_id": "invalid_client",
    "client_secret": "invalid_client",
    "refresh_token": "invalid_grant",
}


def defect_codes(parameter: str) -> tuple[str, ...]:
    """The codes that fit a request whose defect is in ``parameter``: invalid_request, and its own."""
    own = PARAMETER_CODES.get(parameter)
    return ("invalid_request", own) if own else ("invalid_request",)


def unpaced(exchange: Exchange, statuses: Iterable[int]) -> None:
    """A 429 that named no wait, where the test expected no 429, is the target pacing the client
    (still, after the client backed off ``TOKEN_API_MAX_WAIT``): no verdict on the test."""
    if exchange.status != 429 or 429 in statuses:
        return
    retry = contract.load().retry
    if retry.wait_ms(exchange.header(retry.name) or "") is None:
        raise TargetPaced(
            "the target still answered 429 with no wait hint after the run backed off for this request "
            "(TOKEN_API_MAX_WAIT); pacing, not a verdict on this test: raise TOKEN_API_MAX_WAIT or the "
            "client's rate limit"
        )


def expect_status(
    ctx: CheckContext, exchange: Exchange, *statuses: int, check: Check, asked: str | None = None
) -> Exchange:
    """The answer has one of ``statuses``: the test's own property first; shape findings go beside it
    (raised with it when it fails, else held in ``ctx.alongside`` for the end of the test).

    ``asked`` says in words what was sent ("a wrong client secret"), so a refusal that did not come
    reads "a wrong client secret was accepted", whatever else is wrong with the answer.
    """
    unpaced(exchange, statuses)
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


def refused_as(exchange: Exchange, codes: Iterable[str]) -> bool:
    """Whether the answer is a refusal the spec documents for one of the RFC 6749 5.2 ``codes``.

    A 400 (or a 401 for ``invalid_client``, which RFC 6749 5.2 allows whatever the spec documents)
    names the code in ``error``; a documented 422
    with per-field messages names no code, so its status is the refusal (its body is judged by
    ``error_body_conforms``).
    """
    read = contract.load()
    fits = {status for code in codes for status in read.accepted_statuses_for(code)}
    if exchange.status not in fits:
        return False
    return exchange.status == 422 or (exchange.error is not None and exchange.error in set(codes))


def _refusals(codes: Iterable[str]) -> str:
    """ "400 invalid_grant or invalid_request", and "or 422" where the spec documents one for them."""
    fits = [status for code in codes for status in contract.load().accepted_statuses_for(code)]
    named = _wanted(dict.fromkeys(s for s in fits if s != 422), codes)
    return f"{named} or 422" if 422 in fits else named


def error_is(
    ctx: CheckContext, exchange: Exchange, *codes: str, check: Check, asked: str | None = None
) -> Exchange:
    """A refusal for one of ``codes``: a 400 naming it, a 401 for ``invalid_client`` (RFC 6749 5.2),
    or the spec's 422 where it documents one for that kind of refusal (any shape findings alongside)."""
    unpaced(exchange, ())
    alongside = response_findings(ctx, exchange)
    ctx.judged(check)
    what = asked or "the request"
    if not refused_as(exchange, codes):
        verb = "accepted" if exchange.status == 200 else "got"
        cause = f"{verb} {_answer(exchange)}, expected {_refusals(codes)}"
        message = f"{what} {'was ' if verb == 'accepted' else ''}{cause}"
        raise ContractViolation(check, message, exchange, cause=cause, also=alongside)
    ctx.alongside.add(alongside)
    return exchange
