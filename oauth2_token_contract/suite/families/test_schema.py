"""Schema conformance: Schemathesis generates positive and negative requests from the spec, in both
media types; our single-answer checks and three of Schemathesis's own judge every answer, each failure
under its own check name with its own curl line.

Random credentials are schema-valid but rightly refused, so every positive case carries the target's
real credentials (as Basic or in the body) and a scope it may ask for; then a valid request must get
200 (``positive_data_accepted``). Negative cases keep their broken part and, where that does not undo
it, carry real credentials too, so a 400 proves validation and not merely authentication. Requests go
out through the suite's own client: the run's budget, 429s waited out, exact bytes in the curl line.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema
import pytest
import requests
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.spec.reading import basic_optional, read_document
from oauth2_token_contract.suite.checks import (
    CheckContext,
    raise_findings,
    response_findings,
    unknown_scope_not_granted,
)
from oauth2_token_contract.suite.checks.every_answer import headers_judged
from oauth2_token_contract.suite.client import Media, TokenClient, basic_header
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.flows import NoRefreshToken, Preconditions, obtain_refresh_token

load_all_checks()
from schemathesis.checks import not_a_server_error  # noqa: E402 - registered by load_all_checks
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

pytestmark = pytest.mark.token_contract

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # The spec's refusals (400, and a 422 where it documents one) and RFC 6749 5.2's 401 for
            # invalid_client; the 429 path is waited out by the pacer.
            "negative_data_rejection": {
                "expected-statuses": [str(s) for s in sorted({*contract.load().refusal_statuses, 400, 401})]
            },
            "positive_data_acceptance": {"expected-statuses": ["200"]},
        },
    }
)
# The spec as written, except that Basic is optional where the body may carry the credentials.
SCHEMA = schemathesis.openapi.from_dict(
    basic_optional(
        read_document(contract.load().path), contract.load().token_path, contract.load().located.method
    ),
    config=CONFIG,
)
OPERATION = SCHEMA[contract.load().token_path]["POST"]
MEDIA_TYPES = contract.load().media_types
_CREDENTIALS = ("client_id", "client_secret")
thorough = pytest.mark.thorough
# Schemathesis's checks that ours do not already cover, under the names our reports use.
SCHEMATHESIS_CHECKS: dict[Check, Callable[..., Any]] = {
    Check.NOT_A_SERVER_ERROR: not_a_server_error,
    Check.NEGATIVE_DATA_REJECTED: negative_data_rejection,
    Check.POSITIVE_DATA_ACCEPTED: positive_data_acceptance,
}


@cache
def _cases(mode: str, media_type: str) -> st.SearchStrategy[schemathesis.Case]:
    """Cases of one media type (the strategy's ``media_type`` alone does not hold every case to it)."""
    cases = OPERATION.as_strategy(GenerationMode(mode), media_type=media_type)
    return cases.filter(lambda case: case.media_type == media_type)


def _media(media_type: str) -> Media:
    return "json" if "json" in media_type else "form"


def _choices(case: schemathesis.Case) -> random.Random:
    """Per-case choices (where the credentials go, which scope) that replay with the case itself."""
    return random.Random(hashlib.sha256(repr((case.media_type, case.body)).encode()).digest())


def _generated_positive(case: schemathesis.Case) -> bool:
    """Whether Schemathesis generated the case as a valid request (every case it draws says how)."""
    meta = case.meta
    if meta is None:
        raise TypeError(f"a case without generation metadata: {case!r}")
    return meta.generation.mode.is_positive


def _prepare(case: schemathesis.Case, client: TokenClient) -> bool:
    """Give the case real credentials; return whether a 200 is then owed (positive_data_accepted)."""
    target = client.target
    rng = _choices(case)
    body = case.body if isinstance(case.body, dict) else None
    basic = {"Authorization": basic_header(target.client_id, target.client_secret)}
    if not _generated_positive(case) or body is None:
        if body is None or not any(k in body for k in _CREDENTIALS):
            case.headers = CaseInsensitiveDict({**case.headers, **basic})
        return False
    for key in _CREDENTIALS:
        body.pop(key, None)
    if rng.choice(("basic", "body")) == "body":
        body.update(client_id=target.client_id, client_secret=target.client_secret)
        # One method only (RFC 6749 2.3): drop what Schemathesis made for a spec that requires Basic.
        case.headers = CaseInsensitiveDict(
            {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        )
    else:
        case.headers = CaseInsensitiveDict({**case.headers, **basic})
    scopes = list(target.scopes)
    scope = " ".join(rng.sample(scopes, rng.randint(0, len(scopes))))
    body.pop("scope", None)
    if scope:
        body["scope"] = scope
    if body.get("grant_type") != "refresh_token":
        return True
    if not target.stateful:
        return False
    try:
        body["refresh_token"], _, _ = obtain_refresh_token(client)
    except NoRefreshToken:
        # A client that gets no refresh tokens: the same valid request, as a client_credentials grant.
        body["grant_type"] = "client_credentials"
        body.pop("refresh_token", None)
        return True
    body.pop("scope", None)
    return True


def _drawn(
    mode: str, media_type: str, data: st.DataObject, client: TokenClient, preconditions: Preconditions
) -> tuple[schemathesis.Case, bool]:
    """A case of ``mode`` in ``media_type`` given real credentials, and whether a 200 is then owed."""
    preconditions.media_works(_media(media_type))
    case = data.draw(_cases(mode, media_type), label="case")
    return case, _prepare(case, client)


def _body_bytes(body: object) -> bytes:
    """A prepared body as bytes: requests leaves a form as text, JSON as bytes; a case has no stream."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    raise TypeError(f"a streamed body cannot be sent byte for byte: {type(body).__name__}")


def _send(
    case: schemathesis.Case, client: TokenClient
) -> tuple[Exchange, schemathesis.Response, dict[str, Any]]:
    """The case as requests would prepare it, sent byte for byte by the suite's client."""
    kwargs = case.as_transport_kwargs(base_url=client.target.base_url)
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k != "timeout"}).prepare()
    body = _body_bytes(prepared.body)
    path = prepared.path_url
    headers = [
        (k, v if isinstance(v, str) else v.decode("latin-1"))
        for k, v in prepared.headers.items()
        if k.lower() != "content-length"
    ]
    exchange = client.send(body, headers=headers, method=str(prepared.method), path=path)
    response = schemathesis.Response(
        status_code=exchange.status,
        headers={k: exchange.header_values(k) for k in {k.lower() for k, _ in exchange.headers}},
        content=exchange.body,
        request=prepared,
        elapsed=exchange.elapsed,
        verify=False,
        http_version="1.1",
    )
    return exchange, response, kwargs


def _only_scope_broken(body: Any) -> str | None:
    """The requested scope when it is the only thing wrong with a request body, else None."""
    if not isinstance(body, dict) or not isinstance(body.get("scope"), str):
        return None
    rest = {k: v for k, v in body.items() if k != "scope"}
    return (
        body["scope"]
        if jsonschema.Draft202012Validator(contract.load().request_schema).is_valid(rest)
        else None
    )


def _schemathesis_findings(
    ctx: CheckContext,
    case: schemathesis.Case,
    exchange: Exchange,
    response: schemathesis.Response,
    kwargs: dict[str, Any],
    *,
    owed: bool,
) -> list[ContractViolation]:
    found = []
    for check, function in SCHEMATHESIS_CHECKS.items():
        if check is Check.POSITIVE_DATA_ACCEPTED and not owed:
            continue
        ctx.judged(check)
        try:
            case.validate_response(response, checks=[function], transport_kwargs=kwargs)
        except* AssertionError as group:
            for failure in group.exceptions:
                title = getattr(failure, "title", type(failure).__name__)
                message = getattr(failure, "message", "") or str(failure)
                found.append(ContractViolation(check, f"{title}: {message}", exchange, cause=title))
    return found


@pytest.mark.checks(
    Check.NOT_A_SERVER_ERROR,
    Check.POSITIVE_DATA_ACCEPTED,
    Check.STATUS_IS_DOCUMENTED,
    Check.TOKEN_RESPONSE_CONFORMS,
    Check.ERROR_BODY_CONFORMS,
)
@pytest.mark.cost(per_example=2)
@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@given(data=st.data())
def test_generated_valid_requests_conform(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media_type: str, data: st.DataObject
) -> None:
    case, owed = _drawn("positive", media_type, data, client, preconditions)
    exchange, response, kwargs = _send(case, client)
    raise_findings(
        response_findings(ctx, exchange)
        + _schemathesis_findings(ctx, case, exchange, response, kwargs, owed=owed)
    )


@pytest.mark.checks(
    Check.NOT_A_SERVER_ERROR,
    Check.NEGATIVE_DATA_REJECTED,
    Check.STATUS_IS_DOCUMENTED,
    Check.ERROR_BODY_CONFORMS,
    Check.ERROR_TEXT_IN_RFC_CHARSET,
    Check.ANSWER_MEMBERS_UNIQUE,
)
@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@given(data=st.data())
def test_generated_invalid_requests_are_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media_type: str, data: st.DataObject
) -> None:
    case, _ = _drawn("negative", media_type, data, client, preconditions)
    exchange, response, kwargs = _send(case, client)
    scope = _only_scope_broken(case.body) if exchange.status == 200 else None
    if scope is not None:
        # RFC 6749 section 3.3: a server may ignore a requested scope it cannot grant, saying what it
        # granted instead; the malformed scope must not be granted.
        unknown_scope_not_granted(ctx, exchange, scope, Check.NEGATIVE_DATA_REJECTED)
        raise_findings(response_findings(ctx, exchange))
        return
    raise_findings(
        response_findings(ctx, exchange)
        + _schemathesis_findings(ctx, case, exchange, response, kwargs, owed=False)
    )


@pytest.mark.checks(Check.DOCUMENTED_HEADERS_CONFORM)
@pytest.mark.parametrize("answer", ["token", "refusal"])
def test_answers_carry_the_headers_the_spec_documents(
    ctx: CheckContext, client: TokenClient, answer: str
) -> None:
    """The headers the spec documents for a token and for a refusal (Moov's published contract: a
    uuid ``x-request-id`` on every answer) are there where required, and fit their schemas. Every
    answer of the run is judged so; these two make sure the check meets one of each."""
    read = contract.load()
    statuses = (200,) if answer == "token" else read.accepted_statuses_for("invalid_client")
    if not any(headers_judged(status) for status in statuses):
        pytest.skip(f"the spec documents no {answer} header but those other checks judge (Cache-Control...)")
    if answer == "token":
        exchange = client.grant()
    else:
        secret = client.target.client_secret
        wrong = secret[:-1] + ("x" if secret[-1:] != "x" else "y")
        exchange = client.post({"grant_type": "client_credentials"}, client_secret=wrong)
    raise_findings(response_findings(ctx, exchange))


@pytest.mark.checks(Check.UNSUPPORTED_METHOD_REFUSED)
@pytest.mark.parametrize("method", ["GET", *(pytest.param(m, marks=thorough) for m in ("PUT", "DELETE"))])
def test_methods_the_operation_lacks_are_refused(ctx: CheckContext, client: TokenClient, method: str) -> None:
    """The spec declares POST only: another method gets a client error (404 or 405, with ``Allow``)."""
    exchange = client.send(
        b"",
        method=method,
        headers=[("Authorization", basic_header(client.target.client_id, client.target.client_secret))],
    )
    raise_findings(response_findings(ctx, exchange))
