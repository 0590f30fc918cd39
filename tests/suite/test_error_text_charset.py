"""``error_text_in_rfc_charset`` on refusals a real mock gave, under both contracts: RFC 6749 5.2 keeps
``error`` and ``error_description`` to printable ASCII without ``"`` or ``\\``, and ``error_uri`` to a
URI-reference without a space, whatever the spec's schema says (Moov's published one says nothing).
A per-field 422 has none of these members and is not judged; an absolute or relative ``error_uri``
passes. And the members a spec's schema requires are caught by ``token_response_conforms`` and
``error_body_conforms`` under both contracts."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.checks.every_answer import (
    error_body_conforms,
    error_text_in_rfc_charset,
    token_response_conforms,
    uri_reference_problem,
)
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange
from selfcheck.faults.latitude import ChattyHeadersAndErrors
from selfcheck.faults.responses import ErrorDescriptionNonAscii
from tests.support.mock_answers import answers

SPECS = ["docs-page", "moov-published"]


@pytest.fixture(params=SPECS)
def spec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOKEN_API_SPEC", request.param)
    return str(request.param)


def _body(exchange: Exchange, body: Any) -> Exchange:
    return replace(exchange, body=json.dumps(body).encode())


def test_the_mock_s_refusals_are_within_the_set(spec: str) -> None:
    for answer in answers(spec).values():
        error_text_in_rfc_charset(CheckContext(), answer)
    for answer in answers(spec, ChattyHeadersAndErrors).values():  # with an error_uri
        error_text_in_rfc_charset(CheckContext(), answer)


def test_a_description_in_typographic_quotes_fails(spec: str) -> None:
    refused = answers(spec, ErrorDescriptionNonAscii)["invalid_client"]
    assert refused.status == 400 and "\u201c" in refused.json()["error_description"]
    with pytest.raises(ContractViolation) as failure:
        error_text_in_rfc_charset(CheckContext(), refused)
    assert failure.value.check == Check.ERROR_TEXT_IN_RFC_CHARSET
    assert "U+201C" in str(failure.value) and "error_description" in str(failure.value)


def test_a_per_field_422_has_no_member_to_judge() -> None:
    got = answers("moov-published", ErrorDescriptionNonAscii)["unknown_scope"]
    assert got.status == 422 and set(got.json()) == {"scope"}
    error_text_in_rfc_charset(CheckContext(), _body(got, {"scope": "\u201cscope\u201d\nis not allowed"}))


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("error_description", 'the "secret" is wrong'),
        ("error_description", "a line\nand another"),
        ("error_description", "C:\\path"),
        ("error_description", ["a list"]),
        ("error", "invalid_cli\u00e9nt"),
        ("error", ""),
        ("error_description", ""),  # 1*NQSCHAR (Appendix A.8): absent, or something
        ("error_uri", "https://example.com/a b"),
        ("error_uri", "https://example.com/%zz"),
        ("error_uri", "1http://example.com"),
    ],
)
def test_each_member_outside_its_set_fails(spec: str, member: str, value: Any) -> None:
    refused = answers(spec)["invalid_client"]
    with pytest.raises(ContractViolation) as failure:
        error_text_in_rfc_charset(CheckContext(), _body(refused, {**refused.json(), member: value}))
    assert failure.value.check == Check.ERROR_TEXT_IN_RFC_CHARSET and member in str(failure.value)


@pytest.mark.parametrize(
    "uri", ["https://docs.example.com/oauth2/errors#invalid_client", "/errors?code=1", "urn:ietf:rfc:6749"]
)
def test_an_absolute_or_relative_error_uri_passes(uri: str) -> None:
    assert uri_reference_problem(uri) is None


def test_a_required_member_missing_is_caught_under_both_specs(spec: str) -> None:
    got = answers(spec)
    token, refused = got["token"].json(), got["invalid_client"].json()
    # Both require access_token and token_type; the published one refresh_token, expires_in and scope too.
    required = ["access_token", "token_type"] + (
        ["refresh_token", "expires_in", "scope"] if spec == "moov-published" else []
    )
    for member in required:
        without = _body(got["token"], {k: v for k, v in token.items() if k != member})
        with pytest.raises(ContractViolation) as failure:
            token_response_conforms(CheckContext(), without)
        assert failure.value.check == Check.TOKEN_RESPONSE_CONFORMS and member in str(failure.value)
    no_error = _body(got["invalid_client"], {k: v for k, v in refused.items() if k != "error"})
    with pytest.raises(ContractViolation) as failure:
        error_body_conforms(CheckContext(), no_error)
    assert failure.value.check == Check.ERROR_BODY_CONFORMS and "'error' is a required" in str(failure.value)
