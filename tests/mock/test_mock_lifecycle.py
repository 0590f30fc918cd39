"""A token's whole life under Moov's published contract, in memory: issued, used at ``GET /ping``,
revoked at ``POST /oauth2/revoke`` (RFC 7009), expired on the mock's clock; and what the docs-page
contract, which documents neither operation, gets instead (404s).

Real HTTP against the mock on 127.0.0.1 (a thread); the shared half is
``tests/shared/test_shared_lifecycle.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.settings import ClientConfig
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN, basic

PUBLISHED = "moov-published"
REVOKE, PING = "/oauth2/revoke", "/ping"
SPEC = contract.load(PUBLISHED)
SETTINGS = load_settings(spec=PUBLISHED)
EXAMPLE = next(iter(SETTINGS.clients.values()))
OTHER = next(
    c for c in SETTINGS.clients.values() if c.client_id != EXAMPLE.client_id and "/ping.read" in c.scopes
)


@pytest.fixture(scope="module")
def published_url() -> Iterator[str]:
    with running_mock(rate_limit="off", spec=PUBLISHED) as url:
        yield url


@pytest.fixture
def http(published_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=published_url, timeout=TIMEOUT) as client:
        assert client.post("/__mock/reset").status_code == 204
        yield client


def creds(client: ClientConfig = EXAMPLE) -> dict[str, str]:
    return {"client_id": client.client_id, "client_secret": client.client_secret}


@pytest.fixture
def issue(http: httpx.Client) -> Callable[..., dict[str, Any]]:
    def grant(client: ClientConfig = EXAMPLE, **fields: str) -> dict[str, Any]:
        response = http.post(TOKEN, json={**creds(client), "grant_type": "client_credentials", **fields})
        assert response.status_code == 200, response.text
        return response.json()

    return grant


def ping(http: httpx.Client, token: str | None, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    return http.get(PING, headers=headers)


def revoke(http: httpx.Client, token: str, client: ClientConfig = EXAMPLE, **fields: str) -> httpx.Response:
    return http.post(REVOKE, json={**creds(client), "token": token, **fields})


def refresh(http: httpx.Client, token: str, client: ClientConfig = EXAMPLE) -> httpx.Response:
    return http.post(TOKEN, json={**creds(client), "grant_type": "refresh_token", "refresh_token": token})


def challenge(response: httpx.Response) -> str:
    return response.headers.get("www-authenticate", "")


def test_the_published_contract_reads_its_operations() -> None:
    assert set(SPEC.operations()) == {"token", "revocation", "resource"}
    assert SPEC.undocumented_operations == ("introspection", "metadata", "jwks")
    assert (SPEC.revocation.path, SPEC.revocation.success) == (REVOKE, 204)
    assert (SPEC.resource.path, SPEC.resource.method, SPEC.resource.scope) == (PING, "get", "/ping.read")
    assert any("RFC 7009 2.2" in line and "204" in line for line in SPEC.contradictions)


def test_a_valid_token_pings_with_an_empty_200_and_a_fresh_request_id(http, issue) -> None:
    token = issue(scope="/ping.read")["access_token"]
    first, second = ping(http, token), ping(http, token)
    assert (first.status_code, first.content) == (200, b"")
    assert "content-type" not in first.headers  # the published 200 documents no body
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_no_token_is_401_with_a_bearer_challenge_and_no_error(http) -> None:
    for answer in (ping(http, None), http.get(PING, headers={"Authorization": basic("a", "b")})):
        assert answer.status_code == 401
        assert challenge(answer).startswith('Bearer realm="')
        assert "error=" not in challenge(answer)
        assert answer.headers["x-request-id"]


def test_a_token_not_issued_here_or_malformed_is_invalid_token(http) -> None:
    for token in ("not-a-token-we-issued", "two words", "x" * 5000):
        answer = http.get(PING, headers={"Authorization": "Bearer " + token})
        assert answer.status_code == 401
        assert 'error="invalid_token"' in challenge(answer)


def test_a_token_in_the_query_is_not_read(http, issue) -> None:
    token = issue(scope="/ping.read")["access_token"]
    answer = http.get(PING, params={"access_token": token})
    assert answer.status_code == 401 and "error=" not in challenge(answer)


def test_a_token_without_the_scope_is_403_insufficient_scope(http, issue) -> None:
    answer = ping(http, issue(scope="/accounts.read")["access_token"])
    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in challenge(answer)
    assert 'scope="/ping.read"' in challenge(answer)


def test_the_clock_past_expires_in_ends_the_token(http, issue) -> None:
    issued = issue(scope="/ping.read")
    assert ping(http, issued["access_token"]).status_code == 200
    assert http.post("/__mock/clock", json={"advance_seconds": issued["expires_in"] - 5}).status_code == 200
    assert ping(http, issued["access_token"]).status_code == 200
    assert http.post("/__mock/clock", json={"advance_seconds": 6}).status_code == 200
    answer = ping(http, issued["access_token"])
    assert answer.status_code == 401 and 'error="invalid_token"' in challenge(answer)
    assert revoke(http, issued["access_token"]).status_code == 204  # expired: still a success


def test_revoking_an_access_token_refuses_it_and_leaves_its_refresh_token(http, issue) -> None:
    issued = issue(scope="/ping.read")
    answer = revoke(http, issued["access_token"])
    assert (answer.status_code, answer.content) == (204, b"")
    assert answer.headers["x-request-id"]
    refused = ping(http, issued["access_token"])
    assert refused.status_code == 401 and 'error="invalid_token"' in challenge(refused)
    renewed = refresh(http, issued["refresh_token"])
    assert renewed.status_code == 200  # latitude: the grant lives on
    assert ping(http, renewed.json()["access_token"]).status_code == 200


def test_revoking_a_refresh_token_ends_its_grant(http, issue) -> None:
    first = issue(scope="/ping.read")
    second = refresh(http, first["refresh_token"]).json()
    unrelated = issue(scope="/ping.read")
    assert revoke(http, second["refresh_token"], token_type_hint="refresh_token").status_code == 204
    again = refresh(http, second["refresh_token"])
    assert again.status_code == 422 and "refresh_token" in again.json()  # invalid_grant, per field
    for token in (first["access_token"], second["access_token"]):
        answer = ping(http, token)
        assert answer.status_code == 401 and 'error="invalid_token"' in challenge(answer)
    assert ping(http, unrelated["access_token"]).status_code == 200


def test_the_hint_is_never_trusted(http, issue) -> None:
    issued = issue(scope="/ping.read")
    assert revoke(http, issued["access_token"], token_type_hint="refresh_token").status_code == 204
    assert ping(http, issued["access_token"]).status_code == 401
    assert revoke(http, issued["refresh_token"], token_type_hint="no_such_type").status_code == 204
    assert refresh(http, issued["refresh_token"]).status_code == 422


def test_another_clients_token_is_refused_and_kept(http, issue) -> None:
    issued = issue(OTHER, scope="/ping.read")
    for token in (issued["access_token"], issued["refresh_token"]):
        answer = revoke(http, token)
        assert answer.status_code == 400
        assert answer.json()["error"] == "unauthorized_client"
        assert token not in answer.text
    assert ping(http, issued["access_token"]).status_code == 200
    assert refresh(http, issued["refresh_token"], OTHER).status_code == 200


def test_an_unknown_or_already_revoked_token_is_a_success(http, issue) -> None:
    assert revoke(http, "never-issued").status_code == 204
    token = issue()["access_token"]
    assert revoke(http, token).status_code == 204
    assert revoke(http, token).status_code == 204


def test_revocation_authenticates_the_client_like_the_token_endpoint(http, issue) -> None:
    issued = issue(scope="/ping.read")
    by_basic = http.post(
        REVOKE,
        data={"token": issued["access_token"]},
        headers={"Authorization": basic(EXAMPLE.client_id, EXAMPLE.client_secret)},
    )
    assert by_basic.status_code == 204
    wrong = http.post(REVOKE, json={"client_id": EXAMPLE.client_id, "client_secret": "wrong", "token": "x"})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")
    both = http.post(
        REVOKE,
        json={**creds(), "token": "x"},
        headers={"Authorization": basic(EXAMPLE.client_id, EXAMPLE.client_secret)},
    )
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")
    missing = http.post(REVOKE, json=creds())
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    assert http.get(REVOKE).status_code == 405
    assert http.post(PING).headers["allow"] == "GET"


@pytest.mark.parametrize("status", SPEC.revocation.statuses)
def test_prefer_forces_every_documented_revocation_status(http, status: int) -> None:
    answer = http.post(REVOKE, json=creds(), headers={"Prefer": f"code={status}"})
    assert answer.status_code == status
    assert answer.headers["x-request-id"]
    if SPEC.revocation.documents_body(status):
        assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize("status", SPEC.resource.statuses)
def test_prefer_forces_every_documented_ping_status(http, status: int) -> None:
    answer = http.get(PING, headers={"Prefer": f"code={status}"})
    assert answer.status_code == status
    assert answer.headers["x-request-id"]
    if status in (401, 403):
        assert challenge(answer).startswith("Bearer ")


def test_prefer_refuses_a_status_the_operation_does_not_document(http) -> None:
    answer = http.post(REVOKE, json=creds(), headers={"Prefer": "code=200"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "mock_control_error"


def test_the_journal_files_the_new_operations_and_shows_no_token(http, issue) -> None:
    issued = issue(scope="/ping.read")
    ping(http, issued["access_token"])
    revoke(http, issued["access_token"])
    revoke(http, issued["refresh_token"])
    entries = http.get("/__mock/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries[1:]] == [
        ("GET", PING, 200),
        ("POST", REVOKE, 204),
        ("POST", REVOKE, 204),
    ]
    assert not any(e["outside_contract"] for e in entries)
    assert {e["client_id"] for e in entries} == {EXAMPLE.client_id}
    shown = json.dumps(entries)
    for secret in (issued["access_token"], issued["refresh_token"], EXAMPLE.client_secret):
        assert secret not in shown


def test_metadata_names_the_endpoints_served(http, published_url: str) -> None:
    metadata = http.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == SETTINGS.jwt_issuer
    assert metadata["token_endpoint"] == published_url + TOKEN
    assert metadata["revocation_endpoint"] == published_url + REVOKE
    assert "introspection_endpoint" not in metadata  # not documented, not served
    assert metadata["jwks_uri"] == published_url + "/.well-known/jwks.json"
    assert metadata["grant_types_supported"] == ["client_credentials", "refresh_token"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]


def test_the_docs_page_contract_serves_none_of_them() -> None:
    docs = contract.load("docs-page")
    assert set(docs.operations()) == {"token"}
    assert docs.undocumented_operations == ("revocation", "introspection", "resource", "metadata", "jwks")
    with running_mock(rate_limit="off") as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        assert http.post(REVOKE, json={"token": "x"}).status_code == 404
        assert http.get(PING).status_code == 404
        assert http.post("/oauth2/introspect", json={"token": "x"}).status_code == 404
        metadata = http.get("/.well-known/oauth-authorization-server").json()
    assert "revocation_endpoint" not in metadata
