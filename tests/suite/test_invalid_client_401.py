"""RFC 6749 5.2 lets a server answer ``invalid_client`` with 401 and a ``WWW-Authenticate`` challenge
(and requires it, with the client's own scheme, after Basic). The documentation page lists only 400, so
the suite accepts that 401, and nothing looser: no challenge, the wrong scheme, or another error."""

from __future__ import annotations

import json

import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.checks.every_answer import error_body_conforms, status_is_documented
from oauth2_token_contract.suite.checks.expectations import error_is, refused_as
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange, SentRequest

URL = "http://127.0.0.1:1/oauth2/token"
FORM = [("Content-Type", "application/x-www-form-urlencoded")]
IN_BODY = SentRequest("POST", URL, FORM, b"grant_type=client_credentials&client_id=a&client_secret=wrong")
BY_BASIC = SentRequest(
    "POST", URL, [*FORM, ("Authorization", "Basic YTp3cm9uZw==")], b"grant_type=client_credentials"
)
JSON = [("Content-Type", "application/json")]


def _answer(request: SentRequest, challenge: str | None, error: str = "invalid_client") -> Exchange:
    headers = JSON + ([("WWW-Authenticate", challenge)] if challenge else [])
    return Exchange(request, 401, headers, json.dumps({"error": error}).encode(), elapsed=0.01)


@pytest.mark.parametrize(
    ("request_", "challenge"),
    [
        (BY_BASIC, 'Basic realm="token"'),
        (BY_BASIC, 'Bearer realm="api", basic realm="token"'),  # any one challenge may name Basic
        (IN_BODY, 'Basic realm="token"'),
        (IN_BODY, 'Bearer error="invalid_client"'),  # no scheme was used: any challenge will do
    ],
)
def test_a_401_invalid_client_with_its_challenge_is_accepted(request_: SentRequest, challenge: str) -> None:
    answer = _answer(request_, challenge)
    status_is_documented(CheckContext(), answer)
    error_body_conforms(CheckContext(), answer)
    assert refused_as(answer, ["invalid_client"])
    error_is(CheckContext(), answer, "invalid_client", check=Check.INVALID_CLIENT_REACHED)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_answer(IN_BODY, None), "without a WWW-Authenticate challenge"),
        (_answer(BY_BASIC, 'Bearer realm="token"'), "not Basic"),
        (_answer(BY_BASIC, 'Bearer realm="basic"'), "not Basic"),  # a parameter is not a scheme
        (_answer(IN_BODY, 'Basic realm="token"', error="invalid_grant"), "only for invalid_client"),
    ],
)
def test_a_401_the_rfc_does_not_allow_is_undocumented(answer: Exchange, said: str) -> None:
    with pytest.raises(ContractViolation) as failure:
        status_is_documented(CheckContext(), answer)
    assert failure.value.check == Check.STATUS_IS_DOCUMENTED and said in str(failure.value)


def test_a_401_is_not_a_refusal_for_another_error() -> None:
    answer = _answer(IN_BODY, 'Basic realm="token"', error="invalid_grant")
    assert not refused_as(answer, ["invalid_grant"])
    with pytest.raises(ContractViolation, match="expected 400 invalid_grant"):
        error_is(CheckContext(), answer, "invalid_grant", check=Check.INVALID_GRANT_REACHED)


def test_a_401_body_is_judged_as_the_400_s() -> None:
    answer = Exchange(IN_BODY, 401, [("WWW-Authenticate", "Basic")], b"denied", elapsed=0.01)
    with pytest.raises(ContractViolation) as failure:
        error_body_conforms(CheckContext(), answer)
    assert failure.value.check == Check.ERROR_BODY_CONFORMS
