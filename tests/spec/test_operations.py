"""The contract is a set of operations found by their role: revocation, introspection, a protected
resource (and the scope it needs), metadata, a JWK Set; each optional, said by ``contract.operations()``
and the lint, with a revocation's 204 reported as contradicting RFC 7009 2.2."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.lint import lint
from oauth2_token_contract.spec.reading import SpecError

PUBLISHED = yaml.safe_load(contract.spec_path("moov-published").read_text(encoding="utf-8"))


def _load(tmp_path: Path, document: dict[str, Any], **options: str) -> contract.Contract:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document))
    return contract.load(path, **options)


def test_the_shipped_contracts_name_what_they_document() -> None:
    published, docs = contract.load("moov-published"), contract.load("docs-page")
    assert [(r, o.method, o.path) for r, o in published.operations().items()] == [
        ("token", "post", "/oauth2/token"),
        ("revocation", "post", "/oauth2/revoke"),
        ("resource", "get", "/ping"),
    ]
    assert published.revocation.media_types == ("application/json", "application/x-www-form-urlencoded")
    assert set(published.revocation.request_parameters) == {
        "token",
        "token_type_hint",
        "client_id",
        "client_secret",
    }
    assert published.revocation.statuses == (204, 400, 422, 429, 500, 504)
    assert published.resource.statuses == (200, 401, 403, 404, 429, 500)
    assert not published.resource.documents_body(200)
    assert published.resource.required_headers(200)["x-request-id"]["schema"]["format"] == "uuid"
    assert list(docs.operations()) == ["token"]
    assert docs.contradictions == ()


def test_a_revocation_answering_204_contradicts_rfc_7009_and_the_lint_says_so() -> None:
    said: list[str] = []
    lint("moov-published", said.append)
    assert (
        "contradicts the RFC: /oauth2/revoke: the spec documents 204 for a revocation; RFC 7009 2.2 says 200"
        in said
    )
    operations = next(line for line in said if line.startswith("operations: token POST /oauth2/token"))
    assert "not documented: introspection, metadata, jwks" in operations


def test_a_revocation_answering_200_agrees(tmp_path: Path) -> None:
    document = copy.deepcopy(PUBLISHED)
    responses = document["paths"]["/oauth2/revoke"]["post"]["responses"]
    responses["200"] = responses.pop("204")
    read = _load(tmp_path, document)
    assert read.revocation.success == 200
    assert not any("RFC 7009" in line for line in read.contradictions)


def test_another_apis_token_in_a_body_is_not_a_revocation(tmp_path: Path) -> None:
    """Moov's whole document has POST /accounts/{accountID}/apple-pay/tokens, which takes a ``token``."""
    document = copy.deepcopy(PUBLISHED)
    del document["paths"]["/oauth2/revoke"]
    document["paths"]["/accounts/{accountID}/wallet/tokens"] = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"token": {"type": "string"}}}}}},
            "responses": {"200": {"description": "linked"}},
        }
    }  # fmt: skip
    assert _load(tmp_path, document).revocation is None


def test_the_resource_is_named_by_option_where_the_spec_does_not_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = copy.deepcopy(PUBLISHED)
    document["paths"]["/ping"]["get"]["description"] = "A simple endpoint."
    assert _load(tmp_path, document).resource is None
    monkeypatch.setenv("TOKEN_API_RESOURCE", "/ping")
    monkeypatch.setenv("TOKEN_API_RESOURCE_SCOPE", "/ping.read")
    read = _load(tmp_path, document)
    assert (read.resource.path, read.resource.scope) == ("/ping", "/ping.read")
    monkeypatch.setenv("TOKEN_API_RESOURCE", "/nowhere")
    with pytest.raises(SpecError, match=r"no operation at /nowhere \(TOKEN_API_RESOURCE\)"):
        _load(tmp_path, document)
    monkeypatch.delenv("TOKEN_API_RESOURCE")
    assert _load(tmp_path, document, resource="/ping").resource.scope == "/ping.read"


def test_a_bearer_security_scheme_names_the_resource_and_its_scope(tmp_path: Path) -> None:
    document = copy.deepcopy(PUBLISHED)
    document["components"]["securitySchemes"]["oauth"] = {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {"/me.read": "me"}}},
    }
    document["paths"]["/me"] = {
        "get": {"security": [{"oauth": ["/me.read"]}], "responses": {"200": {"description": "me"}}}
    }
    del document["paths"]["/ping"]
    read = _load(tmp_path, document)
    assert (read.resource.path, read.resource.scope) == ("/me", "/me.read")


def test_metadata_jwks_and_introspection_where_documented(tmp_path: Path) -> None:
    document = copy.deepcopy(PUBLISHED)
    document["paths"]["/.well-known/oauth-authorization-server"] = {
        "get": {"responses": {"200": {"description": "m"}}}
    }
    document["paths"]["/keys/jwks.json"] = {"get": {"responses": {"200": {"description": "k"}}}}
    document["paths"]["/oauth2/introspect"] = {
        "post": {
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}}}},
            "responses": {"200": {"description": "i", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"active": {"type": "boolean"}}}}}}},
        }
    }  # fmt: skip
    read = _load(tmp_path, document)
    assert read.undocumented_operations == ()
    assert (read.metadata.path, read.jwks.path, read.introspection.path) == (
        "/.well-known/oauth-authorization-server",
        "/keys/jwks.json",
        "/oauth2/introspect",
    )
    assert read.revocation.path == "/oauth2/revoke"  # it answers no ``active``
