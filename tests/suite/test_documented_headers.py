"""``documented_headers_conform`` on answers a real mock gave: Moov's published contract requires a
uuid ``x-request-id`` on every answer it documents, so an answer without one, or with a counter in
it, fails; the documentation page documents only Cache-Control and Pragma (``no_store_on_tokens``'s),
so the check judges nothing there. A spec that makes the header optional passes an answer without it,
and the schema's other words (``type: integer``, ``enum``, ``pattern``, ``maxLength``) are read off
the header's text as OpenAPI's ``simple`` style has it."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.checks.every_answer import documented_headers_conform, headers_judged
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange
from selfcheck.faults.responses import NoRequestId, RequestIdNotUuid
from tests.support.mock_answers import answers

PUBLISHED = "moov-published"


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_API_SPEC", PUBLISHED)


def _with_header(exchange: Exchange, name: str, value: str | None) -> Exchange:
    """The same answer, with ``name`` set to ``value`` (or removed)."""
    kept = [(k, v) for k, v in exchange.headers if k.lower() != name.lower()]
    return replace(exchange, headers=kept + ([(name, value)] if value is not None else []))


def test_the_published_mock_sends_a_uuid_request_id_on_every_answer(published: None) -> None:
    got = answers(PUBLISHED)
    assert [a.status for a in got.values()] == [200, 400, 422]
    for answer in got.values():
        assert headers_judged(answer.status) == ("x-request-id",)
        documented_headers_conform(CheckContext(), answer)


@pytest.mark.parametrize(
    ("renderer", "said"),
    [(NoRequestId, "without x-request-id, which the spec requires"), (RequestIdNotUuid, "not a uuid")],
)
def test_a_request_id_dropped_or_not_a_uuid_fails_on_every_answer(
    published: None, renderer: type, said: str
) -> None:
    for answer in answers(PUBLISHED, renderer).values():
        with pytest.raises(ContractViolation) as failure:
            documented_headers_conform(CheckContext(), answer)
        assert failure.value.check == Check.DOCUMENTED_HEADERS_CONFORM and said in str(failure.value)


def test_a_header_name_in_any_case_and_a_uuid_in_upper_case_pass(published: None) -> None:
    token = answers(PUBLISHED)["token"]
    value = str(token.header("x-request-id"))
    documented_headers_conform(CheckContext(), _with_header(token, "X-Request-ID", value.upper()))


def test_the_docs_page_documents_no_header_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache-Control and Pragma are no_store_on_tokens's (any letter case, other directives), the
    429's X-Retry-In retry_in_is_digits's: nothing is left to judge, however the mock is changed."""
    monkeypatch.setenv("TOKEN_API_SPEC", "docs-page")
    assert not any(headers_judged(status) for status in contract.load().statuses)
    for answer in answers("docs-page", NoRequestId).values():
        documented_headers_conform(CheckContext(), _with_header(answer, "Cache-Control", "No-Store"))


def _edited(tmp_path: Path, headers: dict[str, Any]) -> Path:
    """The published contract with ``headers`` documented on every answer instead of its own."""
    document = yaml.safe_load(contract.spec_path(PUBLISHED).read_text(encoding="utf-8"))
    for response in document["paths"]["/oauth2/token"]["post"]["responses"].values():
        response["headers"] = copy.deepcopy(headers)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_an_optional_request_id_may_be_absent_but_not_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _edited(
        tmp_path, {"x-request-id": {"required": False, "schema": {"type": "string", "format": "uuid"}}}
    )
    monkeypatch.setenv("TOKEN_API_SPEC", str(spec))
    for answer in answers(spec, NoRequestId).values():
        assert answer.header("x-request-id") is None
        documented_headers_conform(CheckContext(), answer)
    for answer in answers(spec, RequestIdNotUuid).values():
        with pytest.raises(ContractViolation, match="not a uuid"):
            documented_headers_conform(CheckContext(), answer)


SCHEMAS = {
    "X-Limit": {"required": True, "schema": {"type": "integer", "minimum": 0, "example": 5}},
    "X-Mode": {"schema": {"type": "string", "enum": ["live", "test"]}},
    "X-Trace": {"schema": {"type": "string", "pattern": "^[a-f0-9]{8}$", "maxLength": 8}},
    "X-Flags": {"content": {"text/plain": {"schema": {"type": "array", "items": {"type": "integer"}}}}},
}


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("X-Limit", None, "without X-Limit"),
        ("X-Limit", "five", "not integer"),
        ("X-Limit", "-1", "minimum"),
        ("X-Mode", "staging", "not one of ['live', 'test']"),
        ("X-Trace", "ABCDEF12", "does not match"),
        ("X-Trace", "abcdef123", "longer than 8 characters"),
        ("X-Flags", "1, two", "not integer"),
    ],
)
def test_each_schema_word_fails_a_header_that_breaks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str | None, said: str
) -> None:
    spec = _edited(tmp_path, SCHEMAS)
    monkeypatch.setenv("TOKEN_API_SPEC", str(spec))
    token = answers(spec)["token"]
    assert token.header("x-limit") == "5"  # the mock sends a documented example on a 200
    documented_headers_conform(CheckContext(), token)  # the optional ones absent
    fitting = {"X-Limit": "0", "X-Mode": "test", "X-Trace": "abcdef12", "X-Flags": "1, 2,3"}
    every = token
    for header, text in fitting.items():
        every = _with_header(every, header, text)
    documented_headers_conform(CheckContext(), every)
    with pytest.raises(ContractViolation) as failure:
        documented_headers_conform(CheckContext(), _with_header(every, name, value))
    assert failure.value.check == Check.DOCUMENTED_HEADERS_CONFORM and said in str(failure.value)
