"""The granted scope: within what was asked for and allowed, never an unknown scope, never widened by
a refresh (RFC 6749 sections 3.3 and 6)."""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.expectations import error_is, expect_status
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "granted",
    "granted_scope_within_request",
    "refresh_never_widens_scope",
    "scope_matched_exactly",
    "unknown_scope_not_granted",
]


def granted(exchange: Exchange, requested: str | None, allowed: Iterable[str]) -> set[str]:
    """The scopes a 200 granted: its ``scope``, or the request's when omitted (RFC 6749 section 5.1)."""
    body = exchange.json() or {}
    scope = body.get("scope")
    if scope is None:
        return set(requested.split()) if requested else set(allowed)
    return set(str(scope).split())


@check(Check.GRANTED_SCOPE_WITHIN_REQUEST, every_answer=False)
def granted_scope_within_request(
    ctx: CheckContext, exchange: Exchange, requested: str | None, allowed: Iterable[str]
) -> None:
    """What was granted lies within what was asked for and within what the client may have.

    RFC 6749 section 3.3 lets a server grant less than asked (saying what it granted); never more.
    """
    allowed_set = set(allowed)
    got = granted(exchange, requested, allowed_set)
    if requested and not got <= set(requested.split()):
        fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST,
            f"granted {sorted(got)}, asked only for {requested!r}",
            exchange,
            cause="granted a scope that was not asked for",
        )
    if allowed_set and not got <= allowed_set:
        fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST,
            f"granted {sorted(got - allowed_set)}, not allowed",
            exchange,
            cause="granted a scope the client may not have",
        )


def unknown_scope_not_granted(ctx: CheckContext, exchange: Exchange, unknown: str, check: Check) -> None:
    """A scope the client may not have (or misspelt) is refused (``invalid_scope``) or left out of a
    grant that says what it granted (RFC 6749 section 3.3: the server may ignore part of a request,
    then section 5.1 makes ``scope`` required in the answer)."""
    asked = f"a request for scope {unknown!r}"
    if exchange.status != 200:
        error_is(ctx, exchange, "invalid_scope", check=check, asked=asked)
        return
    expect_status(ctx, exchange, 200, check=check, asked=asked)
    stated = (exchange.json() or {}).get("scope")
    if not isinstance(stated, str):
        message = f"scope {unknown!r} was asked for and the answer has no scope: it granted what was asked"
        fail(check, message, exchange, cause="an unknown scope was granted (no scope in the answer)")
    if unknown in stated.split():
        fail(check, f"granted the unknown scope {unknown!r}", exchange, cause="an unknown scope was granted")


def scope_matched_exactly(
    ctx: CheckContext, exchange: Exchange, variant: str, meant: str, allowed: Iterable[str]
) -> None:
    """A case variant of an allowed scope is another scope (RFC 6749 section 3.3): it is not granted,
    and not read as the scope it resembles (a grant of exactly that scope, when the client may have
    others, shows the server matched it without regard to case)."""
    unknown_scope_not_granted(ctx, exchange, variant, Check.SCOPE_MATCHED_EXACTLY)
    if exchange.status != 200:
        return
    stated = set(str((exchange.json() or {}).get("scope", "")).split())
    if stated == {meant} and set(allowed) - {meant}:
        fail(
            Check.SCOPE_MATCHED_EXACTLY,
            f"asked for {variant!r}, granted exactly {meant!r}: matched without regard to case",
            exchange,
            cause="scope tokens matched without regard to case",
        )


@check(Check.REFRESH_NEVER_WIDENS_SCOPE, every_answer=False)
def refresh_never_widens_scope(ctx: CheckContext, exchange: Exchange, original: set[str]) -> None:
    """A refresh grants no scope beyond the grant it refreshes (RFC 6749 section 6)."""
    got = granted(exchange, " ".join(sorted(original)), original)
    if not got <= original:
        message = f"refresh granted {sorted(got - original)} beyond the original"
        cause = "a refresh granted scope beyond the original grant"
        fail(Check.REFRESH_NEVER_WIDENS_SCOPE, message, exchange, cause=cause)
