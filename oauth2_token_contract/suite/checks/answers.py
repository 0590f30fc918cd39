"""The contract's checks, each a small function named after the property it asserts.

A check takes what it needs (one :class:`Exchange`, or several for a property that spans requests),
records that it judged something (:data:`~oauth2_token_contract.suite.coverage.COVERAGE`), and raises
:class:`ContractViolation` naming itself. ``RESPONSE_CHECKS`` hold for every single answer; the
families run them on everything they receive, Schemathesis cases included.

A test's own property comes first: :func:`expect_status` judges the status the test expected before
the shape of the answer, and reports shape violations alongside (``also``), never instead. What each
check allows, and why (the contract first, RFC 6749 where it is silent, every choice the RFC
offers), is written in ``oauth2_token_contract/spec/rules.py``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, NoReturn
from urllib.parse import parse_qsl, unquote_plus

import jsonschema

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.coverage import COVERAGE
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "ALONGSIDE",
    "RESPONSE_CHECKS",
    "error_body_conforms",
    "error_is",
    "expect_status",
    "granted",
    "granted_scope_within_request",
    "jwt_agrees_with_response",
    "no_secret_echo",
    "no_store_on_tokens",
    "raise_findings",
    "refresh_never_widens_scope",
    "require",
    "response_findings",
    "retry_in_is_digits",
    "retry_in_was_enough",
    "run_response_checks",
    "scope_matched_exactly",
    "sent_parameter",
    "status_is_documented",
    "token_response_conforms",
    "tokens_unique",
    "unknown_scope_not_granted",
]

ResponseCheck = Callable[[Exchange], None]
# Seconds of slack between a JWT's times and the answer's: clocks and the round trip.
JWT_SLACK = 5


@cache
def _validator(status: int) -> jsonschema.Draft202012Validator:
    schema = contract.load().response_schema(status)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _fail(check: Check, message: str, exchange: Exchange | None, *, cause: str | None = None) -> NoReturn:
    raise ContractViolation(check, message, exchange, cause=cause)


def require(condition: object, check: Check, message: str, exchange: Exchange | None = None) -> None:
    """A scenario's own assertion, reported like every check: its name, the curl line, the answer."""
    COVERAGE.judged(check)
    if not condition:
        _fail(check, message, exchange)


class Alongside:
    """Findings about an answer's shape, held until the test ends (the plugin reports them then).

    A test's own property comes first, and goes on being judged: a token answer with the wrong
    ``token_type`` does not stop a refresh test before its refresh. The plugin takes what is held
    at the end of each test and reports it beside the test's own outcome.
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], ContractViolation] = {}
        self._lock = threading.Lock()

    def add(self, findings: Iterable[ContractViolation]) -> None:
        with self._lock:
            for finding in findings:
                self._held.setdefault((str(finding.check), finding.cause), finding)

    def take(self) -> list[ContractViolation]:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        return held


ALONGSIDE = Alongside()


def raise_findings(findings: Sequence[ContractViolation]) -> None:
    """Raise the first finding with the others alongside; nothing when there are none."""
    if findings:
        first = findings[0]
        raise ContractViolation(
            first.check, first.message, first.exchange, cause=first.cause, also=findings[1:]
        )


# -- every answer --------------------------------------------------------------------------------------
def status_is_documented(exchange: Exchange) -> None:
    """POST answers only with the documented statuses. Other methods: see ``unsupported_method``."""
    if exchange.request.method != "POST":
        return
    COVERAGE.judged(Check.STATUS_IS_DOCUMENTED)
    allowed = contract.load().statuses
    if exchange.status not in allowed:
        message = f"status {exchange.status} is not one of {sorted(allowed)}"
        _fail(Check.STATUS_IS_DOCUMENTED, message, exchange)


def unsupported_method(exchange: Exchange) -> None:
    """A method the operation lacks is refused with a 4xx; a 405 lists what is allowed (``Allow``).

    The spec declares POST only and documents no answer for other methods, so any client error is
    right (404, 405, 400...); a success or a server error is not (RFC 9110 section 15.5.6).
    """
    if exchange.request.method == "POST":
        return
    COVERAGE.judged(Check.UNSUPPORTED_METHOD_REFUSED)
    if not 400 <= exchange.status < 500:
        message = f"{exchange.request.method} answered {exchange.status}, not a client error"
        _fail(Check.UNSUPPORTED_METHOD_REFUSED, message, exchange)
    if exchange.status == 405 and not exchange.header("allow"):
        _fail(Check.UNSUPPORTED_METHOD_REFUSED, "405 without an Allow header", exchange)


def _token_type_canonical(body: dict[str, Any]) -> dict[str, Any]:
    """``token_type`` in the spec's spelling when it differs only in case (RFC 6749 section 5.1:
    the value is case insensitive)."""
    value = body.get("token_type")
    if isinstance(value, str):
        match = next((t for t in contract.load().token_types if t.lower() == value.lower()), None)
        if match is not None and match != value:
            return {**body, "token_type": match}
    return body


def token_response_conforms(exchange: Exchange) -> None:
    """A 200 is the spec's TokenResponse: JSON, types, enums, the 4096 limit on issued tokens."""
    if exchange.status != 200 or exchange.request.method != "POST":
        return
    COVERAGE.judged(Check.TOKEN_RESPONSE_CONFORMS)
    body = exchange.json()
    if not isinstance(body, dict):
        _fail(Check.TOKEN_RESPONSE_CONFORMS, "the 200 body is not a JSON object", exchange)
    errors = sorted(_validator(200).iter_errors(_token_type_canonical(body)), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "(body)"
        # The message quotes the offending value: for a token, say only its length.
        detail = errors[0].message if errors[0].validator != "maxLength" else "longer than maxLength"
        _fail(
            Check.TOKEN_RESPONSE_CONFORMS, f"200 body does not match the spec at {where}: {detail}", exchange
        )


def token_is_json(exchange: Exchange) -> None:
    """A token answer says it is JSON (RFC 6749 section 5.1: ``application/json``)."""
    if exchange.status != 200 or exchange.request.method != "POST":
        return
    COVERAGE.judged(Check.TOKEN_IS_JSON)
    media = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        _fail(Check.TOKEN_IS_JSON, f"200 answered as {media or 'no Content-Type'}", exchange)


def no_store_on_tokens(exchange: Exchange) -> None:
    """RFC 6749 section 5.1: a token answer carries ``Cache-Control: no-store`` and ``Pragma: no-cache``."""
    if exchange.status != 200 or exchange.request.method != "POST":
        return
    COVERAGE.judged(Check.NO_STORE_ON_TOKENS)
    cache_control = ",".join(exchange.header_values("cache-control")).lower()
    if "no-store" not in cache_control.replace(" ", "").split(","):
        _fail(
            Check.NO_STORE_ON_TOKENS,
            f"Cache-Control is {cache_control or 'missing'}, needs no-store",
            exchange,
        )
    pragma = ",".join(exchange.header_values("pragma")).lower()
    if "no-cache" not in pragma.replace(" ", "").split(","):
        _fail(Check.NO_STORE_ON_TOKENS, f"Pragma is {pragma or 'missing'}, needs no-cache", exchange)


def error_body_conforms(exchange: Exchange) -> None:
    """A 400 carries ``{"error": <an RFC 6749 section 5.2 code>}`` as JSON."""
    if exchange.status != 400 or exchange.request.method != "POST":
        return
    COVERAGE.judged(Check.ERROR_BODY_CONFORMS)
    media = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        _fail(Check.ERROR_BODY_CONFORMS, f"400 with Content-Type {media or 'missing'}", exchange)
    errors = list(_validator(400).iter_errors(exchange.json()))
    if errors:
        _fail(Check.ERROR_BODY_CONFORMS, f"400 body does not match the spec: {errors[0].message}", exchange)


def retry_in_is_digits(exchange: Exchange) -> None:
    """A 429 says how long to wait: the X-Retry-In header, in milliseconds, as digits."""
    if exchange.status != 429:
        return
    COVERAGE.judged(Check.RETRY_IN_IS_DIGITS)
    c = contract.load()
    value = exchange.header(c.retry_header)
    if value is None:
        _fail(Check.RETRY_IN_IS_DIGITS, f"429 without {c.retry_header}", exchange)
    if not re.fullmatch(c.retry_pattern.strip("^$"), value.strip()):
        _fail(
            Check.RETRY_IN_IS_DIGITS,
            f"{c.retry_header} is {value!r}, not milliseconds as digits",
            exchange,
            cause=f"{c.retry_header} is not milliseconds as digits",
        )


def retry_in_was_enough(after: Exchange, waited: float) -> None:
    """A request sent after waiting out all of the X-Retry-In the last 429 announced (and a little
    grace) is not limited again: the header understated the wait. Met on the way, by any test whose
    requests the target limits; held beside that test's own outcome."""
    COVERAGE.judged(Check.RETRY_IN_IS_ENOUGH)
    if after.status == 429:
        finding = ContractViolation(
            Check.RETRY_IN_IS_ENOUGH,
            f"waited the {waited * 1000:.0f} ms X-Retry-In announced, and more, and got 429 again",
            after,
            cause="waiting X-Retry-In is not enough",
        )
        ALONGSIDE.add([finding])


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
    secret = sent_parameter(exchange, "client_secret")
    if isinstance(secret, str):
        found.append(secret)
    return [s for s in found if len(s) >= 4]


def no_secret_echo(exchange: Exchange) -> None:
    """No answer repeats the client secret it was sent, in its body or its headers."""
    secrets = _sent_secrets(exchange)
    if not secrets:
        return
    COVERAGE.judged(Check.NO_SECRET_ECHO)
    haystack = exchange.body.decode("utf-8", "replace") + "\n".join(v for _, v in exchange.headers)
    if any(secret in haystack for secret in secrets):
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


def _claimed_scope(claims: dict[str, Any]) -> set[str] | None:
    """The scope a JWT claims: ``scope`` (RFC 9068, space-delimited) or ``scp`` (a list)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return set(value.split())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return set(value)
    return None


def jwt_agrees_with_response(exchange: Exchange, *, now: float | None = None) -> None:
    """A ``jwt`` token is a JWT whose claims agree with the answer: ``exp`` is now + ``expires_in``
    (when both are given), ``iat`` is not in the future, a scope claim is the granted scope."""
    body = exchange.json()
    if exchange.status != 200 or not isinstance(body, dict):
        return
    if str(body.get("token_type", "")).lower() != "jwt":
        return
    COVERAGE.judged(Check.JWT_AGREES_WITH_RESPONSE)
    check = Check.JWT_AGREES_WITH_RESPONSE
    try:
        header, claims = _unverified_jwt(str(body.get("access_token", "")))
    except ValueError as exc:
        _fail(
            check,
            f"token_type is jwt but access_token is not a JWT: {exc}",
            exchange,
            cause="token_type is jwt but access_token is not a JWT",
        )
    if "alg" not in header:
        _fail(check, "the JWT header has no alg", exchange)
    moment = now or time.time()
    slack = JWT_SLACK + exchange.elapsed
    expires_in = body.get("expires_in")
    exp = claims.get("exp")
    if exp is not None and not isinstance(exp, int | float):
        _fail(check, "the JWT's exp is not a number", exchange)
    if isinstance(exp, int | float) and isinstance(expires_in, int | float):
        expected = moment + expires_in
        if abs(exp - expected) > slack:
            _fail(
                check,
                f"JWT exp is {exp:.0f}, but now + expires_in is {expected:.0f}",
                exchange,
                cause="the JWT's exp disagrees with expires_in",
            )
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat > moment + slack:
        _fail(
            check,
            f"JWT iat {iat:.0f} is in the future (now {moment:.0f})",
            exchange,
            cause="the JWT's iat is in the future",
        )
    claimed = _claimed_scope(claims)
    stated = body.get("scope")
    if claimed is not None and isinstance(stated, str) and claimed != set(stated.split()):
        _fail(
            check,
            f"the JWT claims scope {sorted(claimed)}, the answer grants {sorted(stated.split())}",
            exchange,
            cause="the JWT's scope claim disagrees with the granted scope",
        )


RESPONSE_CHECKS: tuple[ResponseCheck, ...] = (
    status_is_documented,
    unsupported_method,
    token_response_conforms,
    token_is_json,
    no_store_on_tokens,
    error_body_conforms,
    retry_in_is_digits,
    no_secret_echo,
    jwt_agrees_with_response,
)


def response_findings(exchange: Exchange) -> list[ContractViolation]:
    """Every single-answer check, its failures collected rather than raised."""
    found = []
    for check in RESPONSE_CHECKS:
        try:
            check(exchange)
        except ContractViolation as violation:
            found.append(violation)
    return found


def run_response_checks(exchange: Exchange) -> Exchange:
    """Every single-answer check; the first failure raised, the others alongside it."""
    raise_findings(response_findings(exchange))
    return exchange


# -- what a scenario expects ---------------------------------------------------------------------------
def _answer(exchange: Exchange) -> str:
    if exchange.status == 400 and exchange.error:
        return f"400 {exchange.error}"
    if exchange.status == 200 and isinstance(exchange.json(), dict) and "access_token" in exchange.json():
        return "200 with a token"
    return str(exchange.status)


def expect_status(exchange: Exchange, *statuses: int, check: Check, asked: str | None = None) -> Exchange:
    """The answer has one of ``statuses``: the test's own property first; shape findings go beside it
    (raised with it when it fails, else held in :data:`ALONGSIDE` for the end of the test).

    ``asked`` says in words what was sent ("a wrong client secret"), so a refusal that did not come
    reads "a wrong client secret was accepted", whatever else is wrong with the answer.
    """
    alongside = response_findings(exchange)
    COVERAGE.judged(check)
    if exchange.status not in statuses:
        what = asked or "the request"
        if exchange.status == 200 and 200 not in statuses:
            cause = f"accepted ({_answer(exchange)}), expected {_wanted(statuses)}"
        else:
            cause = f"got {_answer(exchange)}, expected {_wanted(statuses)}"
        message = f"{what} {'was ' if cause.startswith('accepted') else ''}{cause}"
        raise ContractViolation(check, message, exchange, cause=cause, also=alongside)
    ALONGSIDE.add(alongside)
    return exchange


def _wanted(statuses: Iterable[int], codes: Iterable[str] = ()) -> str:
    wanted = " or ".join(map(str, statuses))
    return f"{wanted} {' or '.join(codes)}".strip()


def error_is(exchange: Exchange, *codes: str, check: Check, asked: str | None = None) -> Exchange:
    """A 400 whose ``error`` is one of ``codes`` (any shape findings alongside)."""
    alongside = response_findings(exchange)
    COVERAGE.judged(check)
    what = asked or "the request"
    if exchange.status != 400 or exchange.error not in codes:
        verb = "accepted" if exchange.status == 200 else "got"
        cause = f"{verb} {_answer(exchange)}, expected {_wanted([400], codes)}"
        message = f"{what} {'was ' if verb == 'accepted' else ''}{cause}"
        raise ContractViolation(check, message, exchange, cause=cause, also=alongside)
    ALONGSIDE.add(alongside)
    return exchange


def granted(exchange: Exchange, requested: str | None, allowed: Iterable[str]) -> set[str]:
    """The scopes a 200 granted: its ``scope``, or the request's when omitted (RFC 6749 section 5.1)."""
    body = exchange.json() or {}
    scope = body.get("scope")
    if scope is None:
        return set(requested.split()) if requested else set(allowed)
    return set(str(scope).split())


def granted_scope_within_request(exchange: Exchange, requested: str | None, allowed: Iterable[str]) -> None:
    """What was granted lies within what was asked for and within what the client may have.

    RFC 6749 section 3.3 lets a server grant less than asked (saying what it granted); never more.
    """
    COVERAGE.judged(Check.GRANTED_SCOPE_WITHIN_REQUEST)
    allowed_set = set(allowed)
    got = granted(exchange, requested, allowed_set)
    if requested and not got <= set(requested.split()):
        _fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST,
            f"granted {sorted(got)}, asked only for {requested!r}",
            exchange,
            cause="granted a scope that was not asked for",
        )
    if allowed_set and not got <= allowed_set:
        _fail(
            Check.GRANTED_SCOPE_WITHIN_REQUEST,
            f"granted {sorted(got - allowed_set)}, not allowed",
            exchange,
            cause="granted a scope the client may not have",
        )


def unknown_scope_not_granted(exchange: Exchange, unknown: str, check: Check) -> None:
    """A scope the client may not have (or misspelt) is refused (``invalid_scope``) or left out of a
    grant that says what it granted (RFC 6749 section 3.3: the server may ignore part of a request,
    then section 5.1 makes ``scope`` required in the answer)."""
    asked = f"a request for scope {unknown!r}"
    if exchange.status != 200:
        error_is(exchange, "invalid_scope", check=check, asked=asked)
        return
    expect_status(exchange, 200, check=check, asked=asked)
    stated = (exchange.json() or {}).get("scope")
    if not isinstance(stated, str):
        message = f"scope {unknown!r} was asked for and the answer has no scope: it granted what was asked"
        _fail(check, message, exchange, cause="an unknown scope was granted (no scope in the answer)")
    if unknown in stated.split():
        _fail(check, f"granted the unknown scope {unknown!r}", exchange, cause="an unknown scope was granted")


def scope_matched_exactly(exchange: Exchange, variant: str, meant: str, allowed: Iterable[str]) -> None:
    """A case variant of an allowed scope is another scope (RFC 6749 section 3.3): it is not granted,
    and not read as the scope it resembles (a grant of exactly that scope, when the client may have
    others, shows the server matched it without regard to case)."""
    unknown_scope_not_granted(exchange, variant, Check.SCOPE_MATCHED_EXACTLY)
    if exchange.status != 200:
        return
    stated = set(str((exchange.json() or {}).get("scope", "")).split())
    if stated == {meant} and set(allowed) - {meant}:
        _fail(
            Check.SCOPE_MATCHED_EXACTLY,
            f"asked for {variant!r}, granted exactly {meant!r}: matched without regard to case",
            exchange,
            cause="scope tokens matched without regard to case",
        )


def refresh_never_widens_scope(exchange: Exchange, original: set[str]) -> None:
    """A refresh grants no scope beyond the grant it refreshes (RFC 6749 section 6)."""
    COVERAGE.judged(Check.REFRESH_NEVER_WIDENS_SCOPE)
    got = granted(exchange, " ".join(sorted(original)), original)
    if not got <= original:
        message = f"refresh granted {sorted(got - original)} beyond the original"
        cause = "a refresh granted scope beyond the original grant"
        _fail(Check.REFRESH_NEVER_WIDENS_SCOPE, message, exchange, cause=cause)


def sent_parameter(exchange: Exchange, name: str) -> Any:
    """A parameter of the request's body (JSON or form), or None."""
    body = exchange.request.body.decode("utf-8", "replace")
    try:
        data = json.loads(body)
        return data.get(name) if isinstance(data, dict) else None
    except ValueError:
        return next((v for k, v in parse_qsl(body, keep_blank_values=True) if k == name), None)


def _is_jwt(token: str) -> bool:
    try:
        _unverified_jwt(token)
    except ValueError:
        return False
    return True


def tokens_unique(exchanges: Iterable[Exchange]) -> None:
    """No two grants share an access token or a new refresh token.

    A refresh that hands back the refresh token it was sent (no rotation) is allowed to; so are two
    identical JWTs the server may have minted within one second of its clock (a signer without
    ``jti`` makes the same token from the same claims): the later request sent less than a second
    after the earlier answer arrived. Not a second apart.
    """
    COVERAGE.judged(Check.TOKENS_UNIQUE)
    seen: dict[str, Exchange] = {}
    for exchange in exchanges:
        body = exchange.json() or {}
        for field in ("access_token", "refresh_token"):
            token = body.get(field)
            if not isinstance(token, str) or token == sent_parameter(exchange, "refresh_token"):
                continue
            earlier = seen.get(token)
            if earlier is not None:
                sent = exchange.answered_at - exchange.elapsed
                same_second = sent - earlier.answered_at < 1.0
                if not (field == "access_token" and same_second and _is_jwt(token)):
                    _fail(Check.TOKENS_UNIQUE, f"{field} was already issued to an earlier grant", exchange)
            seen[token] = exchange
