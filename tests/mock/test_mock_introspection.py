"""What a spec that documents more gets: introspection (RFC 7662), a revocation answered 200 (RFC 7009
2.2), a resource whose scope an OAuth 2.0 security requirement names, and a resource chosen by option.

The spec is the tests' own (``tests/mock/specs/lifecycle.yaml``): neither shipped contract documents
introspection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock, running_mock_process
from oauth2_token_contract.mock.settings import ClientConfig
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN, basic

SPEC = Path(__file__).with_name("specs") / "lifecycle.yaml"
INTROSPECT, REVOKE = "/oauth2/introspect", "/oauth2/revoke"
SETTINGS = load_settings(spec=SPEC)
EXAMPLE = next(iter(SETTINGS.clients.values()))
JWT_CLIENT = next(c for c in SETTINGS.clients.values() if c.token_format == "jwt")


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running_mock(rate_limit="off", spec=SPEC) as served:
        yield served


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        assert client.post("/__mock/reset").status_code == 204
        yield client


def _creds(client: ClientConfig) -> dict[str, str]:
    return {"client_id": client.client_id, "client_secret": client.client_secret}


def issue(http: httpx.Client, client: ClientConfig = EXAMPLE, **fields: str) -> dict[str, Any]:
    response = http.post(TOKEN, data={**_creds(client), "grant_type": "client_credentials", **fields})
    assert response.status_code == 200, response.text
    return response.json()


def introspect(http: httpx.Client, token: str, client: ClientConfig = EXAMPLE) -> dict[str, Any]:
    response = http.post(INTROSPECT, data={**_creds(client), "token": token})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_the_spec_documents_every_operation() -> None:
    read = contract.load(SPEC)
    assert set(read.operations()) == {"token", "revocation", "introspection", "resource"}
    assert read.resource.scope == "/profile.read"
    assert read.revocation.success == 200
    assert read.contradictions == ()


def test_an_active_access_token_is_described(http) -> None:
    issued = issue(http, scope="/accounts.read")
    described = introspect(http, issued["access_token"])
    assert described["active"] is True
    assert described["scope"] == "/accounts.read"
    assert described["client_id"] == EXAMPLE.client_id
    assert described["token_type"] == issued["token_type"]
    assert described["exp"] - described["iat"] == issued["expires_in"]


def test_an_active_refresh_token_is_described(http) -> None:
    described = introspect(http, issue(http)["refresh_token"])
    assert described["active"] is True
    assert described["client_id"] == EXAMPLE.client_id
    assert set(described["scope"].split()) == EXAMPLE.default_grant


def test_inactive_tokens_disclose_nothing(http) -> None:
    mine, theirs = issue(http), issue(http, JWT_CLIENT)
    assert introspect(http, "never-issued") == {"active": False}
    assert introspect(http, theirs["access_token"]) == {"active": False}  # another client's
    assert http.post(REVOKE, data={**_creds(EXAMPLE), "token": mine["access_token"]}).status_code == 200
    assert introspect(http, mine["access_token"]) == {"active": False}  # revoked
    assert (
        http.post("/__mock/clock", json={"advance_seconds": EXAMPLE.refresh_expires_in + 1}).status_code
        == 200
    )
    assert introspect(http, mine["refresh_token"]) == {"active": False}  # expired


def test_revoking_a_refresh_token_makes_its_access_tokens_inactive(http) -> None:
    issued = issue(http)
    answer = http.post(REVOKE, data={**_creds(EXAMPLE), "token": issued["refresh_token"]})
    assert (answer.status_code, answer.content) == (200, b"")  # RFC 7009 2.2, as this spec documents
    assert introspect(http, issued["access_token"]) == {"active": False}


def test_a_client_that_does_not_authenticate_gets_401_with_a_challenge(http) -> None:
    answer = http.post(
        INTROSPECT, data={"token": "x"}, headers={"Authorization": basic(EXAMPLE.client_id, "no")}
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic ")
    missing = http.post(INTROSPECT, data=_creds(EXAMPLE))
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


def test_the_resource_needs_the_scope_its_security_names(http) -> None:
    allowed = issue(http, JWT_CLIENT, scope="/profile.read")["access_token"]
    answer = http.get("/profile", headers={"Authorization": "Bearer " + allowed})
    assert (answer.status_code, answer.json()) == (200, {})
    lacking = issue(http)["access_token"]  # the example client has no /profile.read
    refused = http.get("/profile", headers={"Authorization": "Bearer " + lacking})
    assert refused.status_code == 403
    assert 'scope="/profile.read"' in refused.headers["www-authenticate"]


def test_metadata_names_introspection_too(http) -> None:
    metadata = http.get("/.well-known/oauth-authorization-server").json()
    assert metadata["introspection_endpoint"].endswith(INTROSPECT)
    assert metadata["revocation_endpoint"].endswith(REVOKE)


def test_a_resource_named_by_option_and_its_scope() -> None:
    settings = load_settings(
        spec=SPEC, rate_limit="off", resource="/accounts", resource_scope="/accounts.write"
    )
    assert settings.contract.resource.path == "/accounts"
    with (
        running_mock(app=create_app(settings)) as served,
        httpx.Client(base_url=served, timeout=TIMEOUT) as http,
    ):
        wide = issue(http, scope="/accounts.write")["access_token"]
        narrow = issue(http, scope="/accounts.read")["access_token"]
        assert http.get("/accounts", headers={"Authorization": "Bearer " + wide}).status_code == 200
        assert http.get("/accounts", headers={"Authorization": "Bearer " + narrow}).status_code == 403
        assert http.get("/profile").status_code == 404  # the option chose another resource


def test_the_cli_passes_the_resource_and_a_path_the_spec_lacks_fails_at_start(tmp_path: Path) -> None:
    extra = ["--resource", "/accounts", "--resource-scope", "/accounts.read"]
    with running_mock_process(spec=SPEC, rate_limit="off", extra_args=extra) as served:
        assert httpx.get(served + "/accounts", timeout=TIMEOUT).status_code == 401
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--port", "0", "--spec", str(SPEC),
         "--resource", "/nowhere"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no operation at /nowhere (TOKEN_API_RESOURCE)" in done.stderr
