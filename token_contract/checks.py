"""The contract's checks, each a small function named after the property it asserts.

A check takes what it needs (one :class:`Exchange`, or several for a property that spans requests)
and raises :class:`ContractViolation` naming itself. ``RESPONSE_CHECKS`` are the ones that hold for
every single answer; the test families run them on everything they receive, Schemathesis cases
included, and call the multi-request checks where their scenario sets them up.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NoReturn
from urllib.parse import parse_qsl, unquote_plus

import jsonschema

from token_contract.errors import ContractViolation
from token_contract.exchange import Exchange
from token_spec import contract
from token_spec.names import Check

__all__ = [
    "RESPONSE_CHECKS",
    "error_body_conforms",
    "error_is",
    "expect_status",
    "granted_scope_within_request",
    "jwt_agrees_with_expires_in",
    "no_secret_echo",
    "no_store_on_tokens",
    "refresh_never_widens_scope",
    "require",
    "retry_in_is_digits",
    "run_response_checks",
    "status_is_documented",
    "token_response_conforms",
    "tokens_unique",
]

ResponseCheck = Callable[[Exchange], None]
# Seconds of slack between a JWT's exp and now + expires_in: clocks and the round trip.
JWT_SLACK = 5


@cache
def _validator(status: int) -> jsonschema.Draft202012Validator:
    schema = contract.load().response_schema(status)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _fail(check: Check, message: str, exchange: Exchange | None) -> NoReturn:
    raise ContractViolation(check, message, exchange)


def require(condition: object, check: Check, message: str, exchange: Exchange | None = None) -> None:
    """A scenario's own assertion, reported like every check: its name, the curl line, the answer."""
    if not condition:
        _fail(check, message, exchange)


def status_is_documented(exchange: Exchange) -> None:
    """Only the documented statuses, and 405 for a method the operation does not have."""
    allowed = set(contract.load().statuses)
    if exchange.request.method != "POST":
        allowed = {405}
    if exchange.status not in allowed:
        _fail(
            Check.STATUS_IS_DOCUMENTED, f"status {exchange.status} is not one of {sorted(allowed)}", exchange
        )


def token_response_conforms(exchange: Exchange) -> None:
    """A 200 is the spec's TokenResponse (types, enums, the token length limit)."""
    if exchange.status != 200:
        return
    body = exchange.json()
    errors = sorted(_validator(200).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "(body)"
        # The message quotes the offending value: for a token, say only its length.
        detail = errors[0].message if errors[0].validator != "maxLength" else "longer than maxLength"
        _fail(
            Check.TOKEN_RESPONSE_CONFORMS, f"200 body does not match the spec at {where}: {detail}", exchange
        )


def no_store_on_tokens(exchange: Exchange) -> None:
    """RFC 6749 section 5.1: a token answer must not be cached."""
    if exchange.status != 200:
        return
    cache_control = ",".join(exchange.header_values("cache-control")).lower()
    if "no-store" not in cache_control.replace(" ", "").split(","):
        _fail(
            Check.NO_STORE_ON_TOKENS,
            f"Cache-Control is {cache_control or 'missing'}, needs no-store",
            exchange,
        )
    pragma = (exchange.header("pragma") or "").lower()
    if "no-cache" not in pragma:
        _fail(Check.NO_STORE_ON_TOKENS, f"Pragma is {pragma or 'missing'}, needs no-cache", exchange)


def error_body_conforms(exchange: Exchange) -> None:
    """A 400 carries ``{"error": <an RFC 6749 section 5.2 code>}`` as JSON."""
    if exchange.status != 400:
        return
    content_type = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        _fail(Check.ERROR_BODY_CONFORMS, f"400 with Content-Type {content_type or 'missing'}", exchange)
    errors = list(_validator(400).iter_errors(exchange.json()))
    if errors:
        _fail(Check.ERROR_BODY_CONFORMS, f"400 body does not match the spec: {errors[0].message}", exchange)


def retry_in_is_digits(exchange: Exchange) -> None:
    """A 429 says how long to wait: the X-Retry-In header, in milliseconds, as digits."""
    if exchange.status != 429:
        return
    c = contract.load()
    value = exchange.header(c.retry_header)
    if value is None:
        _fail(Check.RETRY_IN_IS_DIGITS, f"429 without {c.retry_header}", exchange)
    elif not re.fullmatch(c.retry_pattern.strip("^$"), value.strip()):
        _fail(
            Check.RETRY_IN_IS_DIGITS, f"{c.retry_header} is {value!r}, not milliseconds as digits", exchange
        )


def _sent_secrets(exchange: Exchange) -> list[str]:
    """The client secrets this request carried, from Basic and from the body."""
    found: list[str] = []
    auth = exchange.request.header("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:], validate=True).decode()
            found.append(unquote_plus(decoded.partition(":")[2]))
        except ValueError:
            pass
    body = exchange.request.body.decode("utf-8", "replace")
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("client_secret"), str):
            found.append(data["client_secret"])
    except ValueError:
        found += [v for k, v in parse_qsl(body, keep_blank_values=True) if k == "client_secret"]
    return [s for s in found if len(s) >= 4]


def no_secret_echo(exchange: Exchange) -> None:
    """No answer repeats the client secret it was sent, in its body or its headers."""
    haystack = exchange.body.decode("utf-8", "replace") + "\n".join(v for _, v in exchange.headers)
    for secret in _sent_secrets(exchange):
        if secret in haystack:
            _fail(Check.NO_SECRET_ECHO, "the answer contains the client secret that was sent", exchange)


def _unverified_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"{len(parts)} dot-separated parts, a JWS has 3")

    def part(text: str) -> dict[str, Any]:
        decoded = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(decoded, dict):
            raise ValueError("a JWT part is not a JSON object")
        return decoded

    return part(parts[0]), part(parts[1])


def jwt_agrees_with_expires_in(exchange: Exchange, *, now: float | None = None) -> None:
    """A ``jwt`` token is a well-formed JWT whose ``exp`` is now + ``expires_in``."""
    body = exchange.json()
    if exchange.status != 200 or not isinstance(body, dict) or body.get("token_type") != "jwt":
        return
    try:
        header, claims = _unverified_jwt(str(body.get("access_token", "")))
    except ValueError as exc:
        _fail(
            Check.JWT_AGREES_WITH_EXPIRES_IN,
            f"token_type is jwt but access_token is not a JWT: {exc}",
            exchange,
        )
        return
    if "alg" not in header or not isinstance(claims.get("exp"), int | float):
        _fail(
            Check.JWT_AGREES_WITH_EXPIRES_IN, "JWT lacks alg in its header or a numeric exp claim", exchange
        )
    expected = (now or time.time()) + int(body.get("expires_in", 0))
    if abs(claims["exp"] - expected) > JWT_SLACK + exchange.elapsed:
        _fail(
            Check.JWT_AGREES_WITH_EXPIRES_IN,
            f"JWT exp is {claims['exp']:.0f}, but now + expires_in is {expected:.0f}",
            exchange,
        )


RESPONSE_CHECKS: tuple[ResponseCheck, ...] = (
    status_is_documented,
    token_response_conforms,
    no_store_on_tokens,
    error_body_conforms,
    retry_in_is_digits,
    no_secret_echo,
    jwt_agrees_with_expires_in,
)


def run_response_checks(exchange: Exchange) -> Exchange:
    """Every single-answer check; returns the exchange for chaining."""
    for check in RESPONSE_CHECKS:
        check(exchange)
    return exchange


# -- checks that a scenario calls ----------------------------------------------------------------------
def expect_status(exchange: Exchange, *statuses: int, check: Check) -> Exchange:
    """The answer has one of ``statuses``, after the single-answer checks pass."""
    run_response_checks(exchange)
    if exchange.status not in statuses:
        want = " or ".join(map(str, statuses))
        _fail(check, f"expected {want}, got {exchange.status}", exchange)
    return exchange


def error_is(exchange: Exchange, *codes: str, check: Check) -> Exchange:
    """A 400 whose ``error`` is one of ``codes``."""
    expect_status(exchange, 400, check=check)
    if exchange.error not in codes:
        _fail(check, f"expected error {' or '.join(codes)}, got {exchange.error!r}", exchange)
    return exchange


def granted(exchange: Exchange, requested: str | None, allowed: Iterable[str]) -> set[str]:
    """The scopes a 200 granted: its ``scope``, or the request's when omitted (RFC 6749 section 5.1)."""
    body = exchange.json() or {}
    scope = body.get("scope")
    if scope is None:
        return set(requested.split()) if requested else set(allowed)
    return set(str(scope).split())


def granted_scope_within_request(exchange: Exchange, requested: str | None, allowed: Iterable[str]) -> None:
    """What was granted lies within what was asked for and within what the client may have."""
    allowed_set = set(allowed)
    got = granted(exchange, requested, allowed_set)
    if requested and not got <= set(requested.split()):
        _fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST,
            f"granted {sorted(got)}, asked only for {requested!r}",
            exchange,
        )
    if allowed_set and not got <= allowed_set:
        _fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST, f"granted {sorted(got - allowed_set)}, not allowed", exchange
        )


def refresh_never_widens_scope(exchange: Exchange, original: set[str]) -> None:
    """A refresh grants no scope beyond the grant it refreshes (RFC 6749 section 6)."""
    got = granted(exchange, " ".join(sorted(original)), original)
    if not got <= original:
        _fail(
            Check.REFRESH_NEVER_WIDENS_SCOPE,
            f"refresh granted {sorted(got - original)} beyond the original",
            exchange,
        )


def _sent_parameter(exchange: Exchange, name: str) -> str | None:
    body = exchange.request.body.decode("utf-8", "replace")
    try:
        data = json.loads(body)
        return data.get(name) if isinstance(data, dict) else None
    except ValueError:
        return next((v for k, v in parse_qsl(body, keep_blank_values=True) if k == name), None)


def tokens_unique(exchanges: Iterable[Exchange]) -> None:
    """No two grants share an access token or a new refresh token.

    A refresh that hands back the refresh token it was sent (no rotation) is allowed to.
    """
    seen: dict[str, Exchange] = {}
    for exchange in exchanges:
        body = exchange.json() or {}
        for field in ("access_token", "refresh_token"):
            token = body.get(field)
            if not isinstance(token, str) or token == _sent_parameter(exchange, "refresh_token"):
                continue
            if token in seen:
                _fail(Check.TOKENS_UNIQUE, f"{field} was already issued to an earlier grant", exchange)
            seen[token] = exchange
