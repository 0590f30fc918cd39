"""Any token-endpoint spec is read one way: edits of ours, Moov's published contract, foreign documents.

Each edit the issue lists is made to a copy of the project's spec and read back; each malformed or
foreign document gets one :class:`SpecError` line that names the file and what is missing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.reading import SpecError

OURS = yaml.safe_load(contract.DEFAULT_SPEC.read_text(encoding="utf-8"))
OP = ("paths", "/oauth2/token", "post")


def _write(tmp_path: Path, document: Any, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document) if name.endswith(".json") else yaml.safe_dump(document))
    return path


def _edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> contract.Contract:
    document = copy.deepcopy(OURS)
    edit(document)
    return contract.load(_write(tmp_path, document))


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/oauth2/token"]["post"]


def test_the_project_spec_reads_as_before() -> None:
    ours = contract.load()
    assert ours.token_path == "/oauth2/token"
    assert ours.grant_types == ("client_credentials", "refresh_token")
    assert ours.token_types == ("opaque", "jwt")
    assert (ours.retry.name, ours.retry.unit, ours.retry.documented) == ("X-Retry-In", "milliseconds", True)
    assert ours.statuses_for("invalid_scope") == (400,)
    # The mock answers only the documented 400; the suite also accepts RFC 6749 5.2's 401.
    assert ours.statuses_for("invalid_client") == (400,)
    assert ours.accepted_statuses_for("invalid_client") == (400, 401)
    assert ours.accepted_statuses_for("invalid_grant") == (400,)
    assert ours.assumptions == ("invalid_client as 401 with a WWW-Authenticate challenge too (RFC 6749 5.2)",)
    assert ours.contradictions == ()


def test_changed_token_limits_are_followed(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["Token"]["maxLength"] = 512
        document["components"]["schemas"]["IssuedToken"]["maxLength"] = 256

    read = _edited(tmp_path, edit)
    assert (read.refresh_token_max_length, read.issued_token_max_length) == (512, 256)


def test_an_added_token_type_is_allowed(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["TokenResponse"]["properties"]["token_type"]["enum"].append(
            "Bearer"
        )

    assert _edited(tmp_path, edit).token_types == ("opaque", "jwt", "Bearer")


def test_an_added_422_takes_the_refusals_about_a_field(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _operation(document)["responses"]["422"] = {
            "description": "validation",
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"scope": {"type": "string"}}}
                }
            },
        }

    read = _edited(tmp_path, edit)
    assert read.statuses_for("invalid_scope") == (400, 422)
    assert read.statuses_for("invalid_grant") == (400,)  # the 422 names no refresh_token field
    assert read.statuses_for("invalid_client") == (400,)
    assert read.accepted_statuses_for("invalid_client") == (400, 401)
    assert read.refusal_body(422, "invalid_scope", "unknown scope") == {"scope": "unknown scope"}
    assert read.refusal_body(400, "invalid_scope", "x") == {
        "error": "invalid_scope",
        "error_description": "x",
    }


def test_without_a_429_there_is_no_rate_limit_and_that_is_said(tmp_path: Path) -> None:
    read = _edited(tmp_path, lambda document: _operation(document)["responses"].pop("429"))
    assert not read.rate_limited
    assert "no rate limiting: the spec documents no 429" in read.assumptions


def test_the_retry_header_renamed_to_retry_after_is_in_seconds(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        headers = _operation(document)["responses"]["429"]["headers"]
        headers["Retry-After"] = {"schema": {"type": "string", "pattern": "^[0-9]+$"}, "required": True}
        del headers["X-Retry-In"]

    retry = _edited(tmp_path, edit).retry
    assert (retry.name, retry.unit, retry.documented) == ("Retry-After", "seconds", True)
    assert retry.wait_ms("2") == 2000
    assert retry.spell(1500) == "2"  # rounded up: a client told 1 s would come back too soon


def test_a_custom_retry_header_without_its_unit_is_not_the_retry_header(tmp_path: Path) -> None:
    """The unit of X-Retry-In is not in OpenAPI's words; without ``x-retry-unit`` nothing guesses it."""

    def edit(document: dict[str, Any]) -> None:
        del document["components"]["headers"]["XRetryIn"]["x-retry-unit"]

    read = _edited(tmp_path, edit)
    assert read.retry.name == "Retry-After"
    assert any("Retry-After" in line for line in read.assumptions)


def test_a_bad_retry_unit_is_one_line(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["components"]["headers"]["XRetryIn"]["x-retry-unit"] = "fortnights"

    with pytest.raises(
        SpecError, match=r"X-Retry-In has x-retry-unit: fortnights; use milliseconds or seconds"
    ):
        _edited(tmp_path, edit)


def test_another_path_and_form_bodies_only(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/oauth/token"] = document["paths"].pop("/oauth2/token")
        del document["paths"]["/oauth/token"]["post"]["requestBody"]["content"]["application/json"]

    read = _edited(tmp_path, edit)
    assert read.token_path == "/oauth/token"
    assert read.media_types == ("application/x-www-form-urlencoded",)


def test_an_operation_alone_is_read_with_the_default_path_assumed(tmp_path: Path) -> None:
    operation = contract.load().operation
    read = contract.load(_write(tmp_path, operation, "operation.json"))
    assert read.token_path == "/oauth2/token"
    assert any("only the operation" in line for line in read.assumptions)


def test_the_published_contract_reads_with_its_differences_and_its_contradiction() -> None:
    published = contract.load("moov-published")
    assert published.token_types == ("Bearer",)
    assert published.statuses_for("invalid_scope") == (400, 422)
    assert published.statuses_for("invalid_grant") == (400, 422)
    assert published.server_errors == (500, 504)
    assert set(published.required_token_fields) >= {"refresh_token", "expires_in", "scope"}
    assert "x-moov-version" in published.request_headers
    assert published.required_headers(200)["x-request-id"]["schema"]["format"] == "uuid"
    assert published.retry.name == "Retry-After" and not published.retry.documented
    assert any("Cache-Control: no-store" in line for line in published.assumptions)
    assert any("timestamp" in line and "RFC 6749 5.1" in line for line in published.contradictions)


def test_a_whole_document_with_many_operations_finds_the_token_one(tmp_path: Path) -> None:
    """As downloaded, Moov's document holds about ninety paths and shares its components."""
    document = copy.deepcopy(yaml.safe_load(contract.spec_path("moov-published").read_text()))
    for n in range(90):
        document["paths"][f"/accounts/{n}"] = {
            "get": {"responses": {"200": {"description": "ok"}}},
            "post": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GenericError"}}}
                },
                "responses": {"200": {"description": "ok"}},
            },
        }
    read = contract.load(_write(tmp_path, document))
    assert read.token_path == "/oauth2/token"
    assert read.token_types == ("Bearer",)


def test_several_token_operations_need_a_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = copy.deepcopy(OURS)
    document["paths"]["/v2/token"] = copy.deepcopy(document["paths"]["/oauth2/token"])
    _operation_v2 = document["paths"]["/v2/token"]["post"]
    _operation_v2["operationId"] = "createTokenV2"
    path = _write(tmp_path, document)
    with pytest.raises(SpecError, match=r"several token operations .*name one in TOKEN_API_OPERATION"):
        contract.load(path)
    monkeypatch.setenv("TOKEN_API_OPERATION", "createTokenV2")
    assert contract.load(path).token_path == "/v2/token"


BROKEN: dict[str, tuple[Any, str]] = {
    "not-openapi": ({"name": "a config file", "items": [1, 2]}, r"not an OpenAPI 3 document"),
    "swagger-2": ({"swagger": "2.0", "openapi": "2.0", "paths": {}}, r"OpenAPI 2.0 is not supported"),
    "no-token-operation": (
        {"openapi": "3.1.0", "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}}},
        r"no operation whose request body has a grant_type property",
    ),
    "a-list": ([1, 2, 3], r"not an OpenAPI document \(the file is not a mapping\)"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_foreign_document_is_one_line(tmp_path: Path, name: str) -> None:
    document, message = BROKEN[name]
    with pytest.raises(SpecError, match=message) as raised:
        contract.load(_write(tmp_path, document))
    assert "\n" not in str(raised.value) and str(tmp_path) in str(raised.value)


def test_a_missing_file_and_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"no such file"):
        contract.load(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: [3.1\n  paths: {")
    with pytest.raises(SpecError, match=r"not valid YAML or JSON"):
        contract.load(bad)


def test_a_200_without_a_schema_is_named(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del _operation(document)["responses"]["200"]["content"]

    with pytest.raises(SpecError, match=r"the 200 answer has no JSON schema"):
        _edited(tmp_path, edit)


def test_unresolvable_and_looping_references_are_named(tmp_path: Path) -> None:
    def dangling(document: dict[str, Any]) -> None:
        _operation(document)["responses"]["400"]["content"]["application/json"]["schema"] = {
            "$ref": "#/components/schemas/Nowhere"
        }

    with pytest.raises(SpecError, match=r"\$ref '#/components/schemas/Nowhere' does not resolve"):
        _edited(tmp_path, dangling)

    def looping(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["TokenError"] = {"$ref": "#/components/schemas/TokenError"}

    with pytest.raises(SpecError, match=r"refers to itself"):
        _edited(tmp_path, looping)
