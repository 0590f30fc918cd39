"""Every answer's status, shape and headers: the checks that hold for any single answer, whatever
the test asked. What each allows, and why, is written in ``oauth2_token_contract/spec/rules.py``."""

from __future__ import annotations

import os
import re
import time
from functools import cache
from typing import Any

import jsonschema

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, fail, media_type
from oauth2_token_contract.suite.checks.sent import sent_secrets
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "error_body_conforms",
    "invalid_client_401_problem",
    "no_secret_echo",
    "no_store_on_tokens",
    "status_is_documented",
    "token_is_json",
    "token_response_conforms",
    "unsupported_method",
]


def _schema_status(status: int) -> int:
    """The status whose documented body judges an answer: an undocumented 401 by the 400's."""
    return 400 if status == 401 and 401 not in contract.load().statuses else status


@cache
def _validator(status: int) -> jsonschema.Draft202012Validator:
    schema = contract.load().response_schema(_schema_status(status))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _not_post(exchange: Exchange) -> bool:
    return exchange.request.method != "POST"


# One challenge in a WWW-Authenticate value: its scheme starts the value or follows a comma.
_SCHEME = r"(?:^|,)\s*{}(?:\s|,|$)"


def invalid_client_401_problem(exchange: Exchange) -> str | None:
    """What is wrong with a 401 the spec does not document, or None when RFC 6749 5.2 allows it.

    5.2 lets a server answer ``invalid_client`` with 401, and then it MUST include a
    ``WWW-Authenticate`` challenge, matching the scheme the client used when it sent Basic. A 401
    for any other error is not among the answers the spec or the RFC allow.
    """
    if exchange.error != "invalid_client":
        return f"401 with error {exchange.error or '(none)'}: RFC 6749 5.2 allows 401 only for invalid_client"
    challenge = ",".join(exchange.header_values("www-authenticate"))
    if not challenge.strip():
        return "401 invalid_client without a WWW-Authenticate challenge (RFC 6749 5.2)"
    basic = (exchange.request.header("authorization") or "")[:6].lower() == "basic "
    if basic and not re.search(_SCHEME.format("basic"), challenge, re.IGNORECASE):
        return (
            f"401 invalid_client after Basic challenges {challenge!r}, not Basic "
            "(RFC 6749 5.2: the scheme the client used)"
        )
    return None


@check(Check.STATUS_IS_DOCUMENTED, method="POST")
def status_is_documented(ctx: CheckContext, exchange: Exchange) -> None:
    """POST answers only with the documented statuses, or a 401 ``invalid_client`` with its
    challenge (RFC 6749 5.2). Other methods: see ``unsupported_method``."""
    allowed = contract.load().statuses
    if exchange.status == 401 and 401 not in allowed:
        problem = invalid_client_401_problem(exchange)
        if problem:
            fail(Check.STATUS_IS_DOCUMENTED, problem, exchange)
    elif exchange.status not in allowed:
        message = f"status {exchange.status} is not one of {sorted(allowed)}"
        fail(Check.STATUS_IS_DOCUMENTED, message, exchange)


@check(Check.UNSUPPORTED_METHOD_REFUSED, when=_not_post)
def unsupported_method(ctx: CheckContext, exchange: Exchange) -> None:
    """A method the operation lacks is refused with a 4xx; a 405 lists what is allowed (``Allow``).

    The spec declares POST only and documents no answer for other methods, so any client error is
    right (404, 405, 400...); a success or a server error is not (RFC 9110 section 15.5.6).
    """
    if not 400 <= exchange.status < 500:
        message = f"{exchange.request.method} answered {exchange.status}, not a client error"
        fail(Check.UNSUPPORTED_METHOD_REFUSED, message, exchange)
    if exchange.status == 405 and not exchange.header("allow"):
        fail(Check.UNSUPPORTED_METHOD_REFUSED, "405 without an Allow header", exchange)


def _token_type_canonical(body: dict[str, Any]) -> dict[str, Any]:
    """``token_type`` in the spec's spelling when it differs only in case (RFC 6749 section 5.1:
    the value is case insensitive)."""
    value = body.get("token_type")
    if isinstance(value, str):
        match = next((t for t in contract.load().token_types if t.lower() == value.lower()), None)
        if match is not None and match != value:
            return {**body, "token_type": match}
    return body


@check(Check.TOKEN_RESPONSE_CONFORMS, status=200, method="POST")
def token_response_conforms(ctx: CheckContext, exchange: Exchange) -> None:
    """A 200 is the spec's TokenResponse: JSON, types, enums, the 4096 limit on issued tokens."""
    body = exchange.json()
    if not isinstance(body, dict):
        fail(Check.TOKEN_RESPONSE_CONFORMS, "the 200 body is not a JSON object", exchange)
    errors = sorted(_validator(200).iter_errors(_token_type_canonical(body)), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "(body)"
        # The message quotes the offending value: for a token, say only its length.
        detail = errors[0].message if errors[0].validator != "maxLength" else "longer than maxLength"
        fail(
            Check.TOKEN_RESPONSE_CONFORMS, f"200 body does not match the spec at {where}: {detail}", exchange
        )
    if expires_in_as_a_timestamp(body):
        fail(
            Check.TOKEN_RESPONSE_CONFORMS,
            f"expires_in is {body['expires_in']}, a Unix timestamp; RFC 6749 5.1 says the lifetime in "
            "seconds (TOKEN_API_EXPIRES_IN=spec judges it by the spec's word instead)",
            exchange,
            cause="expires_in is a timestamp, not a lifetime in seconds (RFC 6749 5.1)",
        )


# A lifetime this close to the current Unix time is a timestamp: no server means 56 years.
_TIMESTAMP_WINDOW = 2 * 365 * 86400


def expires_in_as_a_timestamp(body: dict[str, Any], now: float | None = None) -> bool:
    """Whether ``expires_in`` reads as a Unix timestamp (what Moov's published document calls it)
    where RFC 6749 5.1 says a lifetime in seconds; the user may choose the spec's word
    (``TOKEN_API_EXPIRES_IN=spec``), and then nothing is flagged."""
    value = body.get("expires_in")
    if os.environ.get("TOKEN_API_EXPIRES_IN", "rfc") == "spec" or not isinstance(value, int):
        return False
    return abs(value - (time.time() if now is None else now)) < _TIMESTAMP_WINDOW


@check(Check.TOKEN_IS_JSON, status=200, method="POST")
def token_is_json(ctx: CheckContext, exchange: Exchange) -> None:
    """A token answer says it is JSON (RFC 6749 section 5.1: ``application/json``)."""
    media = media_type(exchange)
    if media != "application/json":
        fail(Check.TOKEN_IS_JSON, f"200 answered as {media or 'no Content-Type'}", exchange)


@check(Check.NO_STORE_ON_TOKENS, status=200, method="POST")
def no_store_on_tokens(ctx: CheckContext, exchange: Exchange) -> None:
    """RFC 6749 section 5.1: a token answer carries ``Cache-Control: no-store`` and ``Pragma: no-cache``."""
    cache_control = ",".join(exchange.header_values("cache-control")).lower()
    if "no-store" not in cache_control.replace(" ", "").split(","):
        message = f"Cache-Control is {cache_control or 'missing'}, needs no-store"
        fail(Check.NO_STORE_ON_TOKENS, message, exchange)
    pragma = ",".join(exchange.header_values("pragma")).lower()
    if "no-cache" not in pragma.replace(" ", "").split(","):
        fail(Check.NO_STORE_ON_TOKENS, f"Pragma is {pragma or 'missing'}, needs no-cache", exchange)


def _documented_refusal(exchange: Exchange) -> bool:
    """A refusal whose body is judged: a documented one, a 400 and a 401 (RFC 6749 5.2's)."""
    return exchange.status in contract.load().refusal_statuses or exchange.status in (400, 401)


@check(Check.ERROR_BODY_CONFORMS, method="POST", when=_documented_refusal)
def error_body_conforms(ctx: CheckContext, exchange: Exchange) -> None:
    """A refusal is JSON with the body the spec documents for its status: a 400's RFC 6749 5.2
    ``{"error": ...}`` (an undocumented 401's too), a 422's messages per field (where a spec
    documents one)."""
    status = exchange.status
    media = media_type(exchange)
    if media != "application/json":
        fail(Check.ERROR_BODY_CONFORMS, f"{status} with Content-Type {media or 'missing'}", exchange)
    errors = list(_validator(status).iter_errors(exchange.json()))
    if errors:
        message = f"{status} body does not match the spec: {errors[0].message}"
        fail(Check.ERROR_BODY_CONFORMS, message, exchange)


def _sent_a_secret(exchange: Exchange) -> bool:
    return bool(sent_secrets(exchange))


@check(Check.NO_SECRET_ECHO, when=_sent_a_secret)
def no_secret_echo(ctx: CheckContext, exchange: Exchange) -> None:
    """No answer repeats the client secret it was sent, in its body or its headers."""
    haystack = exchange.body.decode("utf-8", "replace") + "\n".join(v for _, v in exchange.headers)
    if any(secret in haystack for secret in sent_secrets(exchange)):
        fail(Check.NO_SECRET_ECHO, "the answer contains the client secret that was sent", exchange)
