"""Schema conformance: Schemathesis generates positive and negative requests from the spec, in both
media types, and its checks run beside ours.

Random credentials are schema-valid but rightly refused, so every positive case carries the target's
real credentials (as Basic or in the body) and a scope it may ask for; then a valid request must get
200 (``positive_data_acceptance``). Negative cases keep their broken part and, where that does not
undo it, carry real credentials too, so a 400 proves validation and not merely authentication.
"""

from __future__ import annotations

import hashlib
import random

import schemathesis
from requests.exceptions import Timeout
from schemathesis.checks import load_all_checks, not_a_server_error

from token_contract.checks import run_response_checks
from token_contract.client import TokenClient, basic_header
from token_contract.errors import ContractViolation, TargetTimeout
from token_contract.exchange import Exchange, SentRequest, as_curl
from token_contract.flows import NoRefreshToken, obtain_refresh_token
from token_contract.pacing import Pacer, paced_session
from token_contract.targets import Target
from token_spec import contract
from token_spec.names import Check
from token_spec.redaction import REDACTOR

load_all_checks()
from schemathesis.specs.openapi.checks import (  # noqa: E402 - registered by load_all_checks
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # The contract's only refusal is 400 (the 429 path is waited out by the pacer).
            "negative_data_rejection": {"expected-statuses": ["400"]},
            "positive_data_acceptance": {"expected-statuses": ["200"]},
        },
    }
)
SCHEMA = schemathesis.openapi.from_path(contract.spec_path(), config=CONFIG)
ALWAYS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]
_CREDENTIALS = ("client_id", "client_secret")


def _choices(case: schemathesis.Case) -> random.Random:
    """Per-case choices (where the credentials go, which scope) that replay with the case itself.

    Schemathesis cannot mix ``given`` with the spec's examples, so the choices are seeded by the case.
    """
    seed = hashlib.sha256(repr((case.media_type, case.body)).encode()).digest()
    return random.Random(seed)


def _prepare(case: schemathesis.Case, client: TokenClient) -> bool:
    """Give the case real credentials; return whether a 200 is then owed (positive_data_acceptance)."""
    target = client.target
    rng = _choices(case)
    body = case.body if isinstance(case.body, dict) else None
    if not case.meta.generation.mode.is_positive or body is None or case.method.upper() != "POST":
        if body is None or not any(k in body for k in _CREDENTIALS):
            case.headers = {
                **(case.headers or {}),
                "Authorization": basic_header(target.client_id, target.client_secret),
            }
        return False
    placement = rng.choice(("basic", "body"))
    for key in _CREDENTIALS:
        body.pop(key, None)
    if placement == "body":
        body.update(client_id=target.client_id, client_secret=target.client_secret)
    else:
        case.headers = {
            **(case.headers or {}),
            "Authorization": basic_header(target.client_id, target.client_secret),
        }
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
        return False
    body.pop("scope", None)
    return True


def _exchange(response: schemathesis.Response) -> Exchange:
    request = response.request
    raw = request.body or b""
    sent = SentRequest(
        str(request.method),
        str(request.url),
        list(request.headers.items()),
        raw.encode() if isinstance(raw, str) else raw,
    )
    headers = [(k, v) for k, values in response.headers.items() for v in values]
    return Exchange(sent, response.status_code, headers, response.content, response.elapsed)


@SCHEMA.parametrize()
def test_schema_conformance(
    case: schemathesis.Case, target: Target, client: TokenClient, pacer: Pacer
) -> None:
    owed = _prepare(case, client)
    session = paced_session(pacer, client.timeout)
    try:
        response = case.call(base_url=target.base_url, session=session)
    except Timeout as exc:
        raise TargetTimeout(
            f"{target.name} did not answer within {client.timeout:g} s", as_curl(_sent(case, target))
        ) from exc
    finally:
        session.close()
    exchange = _exchange(response)
    REDACTOR.learn_from_body(exchange.json())
    if case.method.upper() == "POST":
        run_response_checks(exchange)
    checks = [*ALWAYS, positive_data_acceptance] if owed else ALWAYS
    try:
        case.validate_response(response, checks=checks)
    except* AssertionError as group:
        failures = list(group.exceptions)
        names = ", ".join(sorted({getattr(f, "title", type(f).__name__) for f in failures}))
        detail = "\n".join(REDACTOR.text(str(getattr(f, "message", f))) for f in failures)
        raise ContractViolation(Check.SCHEMATHESIS, f"{names}: {detail}", exchange) from None


def _sent(case: schemathesis.Case, target: Target) -> SentRequest:
    kwargs = case.as_transport_kwargs(base_url=target.base_url)
    raw = kwargs.get("data") or kwargs.get("json") or b""
    return SentRequest(
        case.method.upper(),
        kwargs["url"],
        list((kwargs.get("headers") or {}).items()),
        raw if isinstance(raw, bytes) else str(raw).encode(),
    )
