"""Every answer's status, shape and headers: the checks that hold for any single answer, whatever
the test asked. What each allows, and why, is written in ``oauth2_token_contract/spec/rules.py``."""

from __future__ import annotations

import json
import os
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.contract import NO_STORE
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, fail, media_type
from oauth2_token_contract.suite.checks.sent import sent_secrets
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "answer_members_unique",
    "documented_headers_conform",
    "error_body_conforms",
    "error_text_in_rfc_charset",
    "headers_judged",
    "invalid_client_401_problem",
    "no_secret_echo",
    "no_store_on_tokens",
    "status_is_documented",
    "token_is_json",
    "token_response_conforms",
    "unsupported_method_refused",
]


def _schema_status(status: int) -> int:
    """The status whose documented body judges an answer: an undocumented 401 by the 400's."""
    return 400 if status == 401 and 401 not in contract.load().statuses else status


def _validator(status: int) -> jsonschema.Draft202012Validator:
    return _spec_validator(contract.load().path, _schema_status(status))


@cache
def _spec_validator(path: Path, status: int) -> jsonschema.Draft202012Validator:
    """One validator per spec and status: a process that reads two specs gets each its own."""
    schema = contract.load(path).response_schema(status)
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
    challenge (RFC 6749 5.2). Other methods: see ``unsupported_method_refused``."""
    allowed = contract.load().statuses
    if exchange.status == 401 and 401 not in allowed:
        problem = invalid_client_401_problem(exchange)
        if problem:
            fail(Check.STATUS_IS_DOCUMENTED, problem, exchange)
    elif exchange.status not in allowed:
        message = f"status {exchange.status} is not one of {sorted(allowed)}"
        fail(Check.STATUS_IS_DOCUMENTED, message, exchange)


@check(Check.UNSUPPORTED_METHOD_REFUSED, when=_not_post)
def unsupported_method_refused(ctx: CheckContext, exchange: Exchange) -> None:
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


def repeated_members(body: bytes) -> list[str]:
    """The member names a JSON text gives twice in one object (``json`` keeps the last silently)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in items]
        repeated.extend(name for n, name in enumerate(names) if name in names[:n])
        return dict(items)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except ValueError:
        return []  # not JSON: the shape checks say so
    return repeated


@check(Check.ANSWER_MEMBERS_UNIQUE, method="POST")
def answer_members_unique(ctx: CheckContext, exchange: Exchange) -> None:
    """RFC 6749 section 3.2: a response parameter is given once. A JSON object that repeats a member
    means one thing to one client's parser and another to the next (RFC 8259 section 4)."""
    if not exchange.body.lstrip().startswith(b"{"):
        return
    repeated = repeated_members(exchange.body)
    if repeated:
        names = ", ".join(dict.fromkeys(repeated))
        fail(
            Check.ANSWER_MEMBERS_UNIQUE,
            f"{exchange.status} names {names} more than once (RFC 6749 3.2)",
            exchange,
            cause=f"a member given twice: {names}",
        )


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


# RFC 6749 section 5.2 and Appendix A.7 to A.9: the characters each error member may hold (error and
# error_description one or more NQSCHAR; error_uri a URI-reference, which may be empty).
_NQSCHAR = r"\x20\x21\x23-\x5b\x5d-\x7e"  # printable ASCII but the double quote and the backslash
_ERROR_TEXT = {
    "error": re.compile(f"[{_NQSCHAR}]+"),
    "error_description": re.compile(f"[{_NQSCHAR}]+"),
    "error_uri": re.compile(r"[\x21\x23-\x5b\x5d-\x7e]*"),  # and no space
}
_TEXT = "printable ASCII without a double quote or a backslash (%x20-21 / %x23-5B / %x5D-7E)"
_UNLIKE = {
    "error": _TEXT,
    "error_description": _TEXT,
    "error_uri": "printable ASCII without a space, a double quote or a backslash (%x21 / %x23-5B / %x5D-7E)",
}
# RFC 3986: the characters of a URI, a scheme, and a reference split as its Appendix B does.
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
_URI_PARTS = re.compile(
    r"(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?(?P<rest>[^#]*)(?:#(?P<fragment>.*))?"
)


def uri_reference_problem(value: str) -> str | None:
    """What keeps ``value`` from being an RFC 3986 URI-reference (RFC 6749 Appendix A.9's
    ``error-uri``), or None: an absolute URI or a relative reference both are."""
    if not _URI_CHARACTERS.fullmatch(value):
        return "holds characters no URI has (RFC 3986 section 2)"
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return "has a % that starts no percent-encoding (RFC 3986 section 2.1)"
    parts = _URI_PARTS.fullmatch(value)
    assert parts is not None  # every string splits so (RFC 3986 Appendix B)
    if parts["scheme"] is not None and not _URI_SCHEME.fullmatch(parts["scheme"]):
        return "starts with a scheme RFC 3986 section 3.1 does not allow"
    fragment = parts["fragment"] or ""
    if "#" in fragment or re.search(r"[\[\]]", parts["rest"] + fragment):
        return "has a # or brackets where RFC 3986 section 3 allows none"
    return None


@check(Check.ERROR_TEXT_IN_RFC_CHARSET, method="POST", when=_documented_refusal)
def error_text_in_rfc_charset(ctx: CheckContext, exchange: Exchange) -> None:
    """RFC 6749 section 5.2, whatever the spec's schema says: ``error``, ``error_description`` and
    ``error_uri`` are strings in the character sets it gives, and ``error_uri`` is a URI-reference.

    Only the members a refusal carries are judged: a per-field 422 (Moov's published contract) has
    none of them, and a body that is not a JSON object is ``error_body_conforms``'s to judge.
    """
    body = exchange.json()
    if not isinstance(body, dict):
        return
    for member, allowed in _ERROR_TEXT.items():
        if member not in body:
            continue
        value = body[member]
        if not isinstance(value, str):
            message = f"{exchange.status} {member} is a JSON {type(value).__name__}, not a string"
            fail(Check.ERROR_TEXT_IN_RFC_CHARSET, message + " (RFC 6749 5.2)", exchange, cause=message)
        if not allowed.fullmatch(value):
            odd = sorted({c for c in value if not allowed.fullmatch(c)}) or ["(nothing: it is empty)"]
            shown = ", ".join(c if c.startswith("(") else f"U+{ord(c):04X}" for c in odd[:5])
            fail(
                Check.ERROR_TEXT_IN_RFC_CHARSET,
                f"{exchange.status} {member} holds {shown}; RFC 6749 5.2 allows only {_UNLIKE[member]}",
                exchange,
                cause=f"{member} outside the RFC 6749 5.2 character set",
            )
        if member == "error_uri" and (problem := uri_reference_problem(value)):
            fail(
                Check.ERROR_TEXT_IN_RFC_CHARSET,
                f"{exchange.status} error_uri {value[:80]!r} is not a URI-reference: it {problem}",
                exchange,
                cause="error_uri is not a URI-reference (RFC 6749 Appendix A.9, RFC 3986)",
            )


# Documented headers judged elsewhere: Cache-Control and Pragma by no_store_on_tokens (with its
# latitude: any letter case, other directives), and Content-Type, which OpenAPI 3 says to ignore.
_LEFT_TO_OTHERS = frozenset({*(h.lower() for h in NO_STORE), "content-type"})
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


@cache
def _judged_headers(path: Path, status: int) -> tuple[tuple[str, bool, jsonschema.Draft202012Validator], ...]:
    """The headers ``documented_headers_conform`` judges on an answer of ``status``: (name, whether
    required, a validator of its schema); the retry header of a 429 is ``retry_in_is_digits``'s."""
    read = contract.load(path)
    left = _LEFT_TO_OTHERS | ({read.retry.name.lower()} if status == 429 else set())
    return tuple(
        (
            name,
            bool(header.get("required")),
            jsonschema.Draft202012Validator(
                read.header_schema(status, name), format_checker=jsonschema.FormatChecker()
            ),
        )
        for name, header in read.response_headers(status).items()
        if name.lower() not in left
    )


def headers_judged(status: int) -> tuple[str, ...]:
    """The documented headers of ``status`` that ``documented_headers_conform`` judges, by name."""
    return tuple(name for name, _, _ in _judged_headers(contract.load().path, status))


def _documents_headers(exchange: Exchange) -> bool:
    return bool(headers_judged(exchange.status))


_UNREAD = object()  # a value of a type a header's text is not read as (an object): not judged


def _array(value: str, schema: dict[str, Any]) -> list[Any]:
    items = schema.get("items")
    items = items if isinstance(items, dict) else {}
    return [header_instance(item.strip(), items) for item in value.split(",")] if value else []


# How a header's text reads as each JSON type, or None where it does not.
_READERS: dict[str | None, Any] = {
    None: lambda value, schema: value,
    "string": lambda value, schema: value,
    "integer": lambda value, schema: int(value) if _INTEGER.fullmatch(value) else None,
    "number": lambda value, schema: (
        (int(value) if _INTEGER.fullmatch(value) else float(value)) if _NUMBER.fullmatch(value) else None
    ),
    "boolean": lambda value, schema: {"true": True, "false": False}.get(value),
    "array": _array,
    "object": lambda value, schema: _UNREAD,
}


def header_instance(value: str, schema: dict[str, Any]) -> Any:
    """A header's text as the JSON value its schema types (OpenAPI's ``simple`` style): an integer,
    a number, a boolean, a list of comma-separated items, else the text itself; a text that is none
    of the schema's types stays text, and the schema's ``type`` fails it."""
    kinds = schema.get("type")
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        reader = _READERS.get(kind)
        read = None if reader is None else reader(value, schema)
        if read is not None:
            return read
    return value


def _header_problem(error: jsonschema.ValidationError) -> str:
    """What is wrong with a header's value, in words that do not quote it."""
    said = error.validator_value
    words = {
        "format": f"not a {said}",
        "pattern": f"does not match {said!r}",
        "maxLength": f"longer than {said} characters",
        "minLength": f"shorter than {said} characters",
        "enum": f"not one of {said}",
        "type": f"not {' or '.join(said) if isinstance(said, list) else said}",
    }
    return words.get(str(error.validator), error.message)


@check(Check.DOCUMENTED_HEADERS_CONFORM, method="POST", when=_documents_headers)
def documented_headers_conform(ctx: CheckContext, exchange: Exchange) -> None:
    """Every header the spec marks ``required`` for the answer's status is on the answer, and every
    documented header it carries fits the header's schema (``x-request-id``: a uuid). Names in any
    letter case (RFC 9110 section 5.1); each field line judged on its own. Cache-Control and Pragma
    are ``no_store_on_tokens``'s, the 429's retry header ``retry_in_is_digits``'s."""
    status = exchange.status
    for name, required, validator in _judged_headers(contract.load().path, status):
        values = exchange.header_values(name)
        if not values and required:
            fail(
                Check.DOCUMENTED_HEADERS_CONFORM,
                f"{status} without {name}, which the spec requires on every {status}",
                exchange,
                cause=f"{name} missing",
            )
        for value in values:
            instance = header_instance(value.strip(), validator.schema)
            if instance is _UNREAD:
                continue
            error = next(iter(sorted(validator.iter_errors(instance), key=lambda e: str(e.validator))), None)
            if error is not None:
                problem = _header_problem(error)
                shown = value if len(value) <= 60 else value[:60] + "..."
                fail(
                    Check.DOCUMENTED_HEADERS_CONFORM,
                    f"{status} {name} is {shown!r}: {problem}, as the spec's schema for it says",
                    exchange,
                    cause=f"{name} {problem}",
                )


def _sent_a_secret(exchange: Exchange) -> bool:
    return bool(sent_secrets(exchange))


@check(Check.NO_SECRET_ECHO, when=_sent_a_secret)
def no_secret_echo(ctx: CheckContext, exchange: Exchange) -> None:
    """No answer repeats the client secret it was sent, in its body or its headers."""
    haystack = exchange.body.decode("utf-8", "replace") + "\n".join(v for _, v in exchange.headers)
    if any(secret in haystack for secret in sent_secrets(exchange)):
        fail(Check.NO_SECRET_ECHO, "the answer contains the client secret that was sent", exchange)
