"""The mock answers by the contract it is given: Moov's published version, edits of ours, several at once.

Each test serves a spec on loopback and reads the answers over HTTP: token type names, refusal
statuses and bodies, per-answer headers, the retry header's name and unit, and no 429 at all where a
spec documents none.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.versions import VersionedApp
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN

SEED = next(iter(load_settings().clients.values()))
AUTH = (SEED.client_id, SEED.client_secret)
OURS = yaml.safe_load(contract.DEFAULT_SPEC.read_text(encoding="utf-8"))


def _grant(url: str, **body: str) -> httpx.Response:
    return httpx.post(
        url + TOKEN, data={"grant_type": "client_credentials", **body}, auth=AUTH, timeout=TIMEOUT
    )


def _spec(tmp_path: Path, edit: Any) -> Path:
    document = copy.deepcopy(OURS)
    edit(document)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _responses(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/oauth2/token"]["post"]["responses"]


def test_the_published_contract_is_served_with_its_names_statuses_and_headers() -> None:
    with running_mock(spec="moov-published", rate_limit="off") as url:
        token = _grant(url, scope="/accounts.read")
        refused = _grant(url, scope="/admin.all")
        wrong = httpx.post(url + TOKEN, data={"grant_type": "client_credentials"}, auth=(SEED.client_id, "x"))
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "Bearer"
    assert {"refresh_token", "expires_in", "scope"} <= set(token.json())
    assert token.headers["cache-control"] == "no-store"  # RFC 6749 5.1, though the spec forgets it
    ids = {r.headers["x-request-id"] for r in (token, refused, wrong)}
    assert len(ids) == 3 and all(uuid.UUID(i) for i in ids)
    assert refused.status_code == 422 and set(refused.json()) == {"scope"}
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"


def test_a_documented_status_without_an_example_can_be_forced() -> None:
    with running_mock(spec="moov-published", rate_limit="off") as url:
        answers = {
            code: httpx.post(url + TOKEN, headers={"Prefer": f"code={code}"}) for code in (500, 504, 422)
        }
    assert {code: a.status_code for code, a in answers.items()} == {500: 500, 504: 504, 422: 422}
    assert all("x-request-id" in a.headers for a in answers.values())


def test_a_spec_without_a_429_gets_no_rate_limiting(tmp_path: Path) -> None:
    spec = _spec(tmp_path, lambda d: _responses(d).pop("429"))
    with running_mock(spec=spec, rate_limit="2/minute") as url:
        statuses = {_grant(url).status_code for _ in range(5)}
    assert statuses == {200}


def test_the_retry_header_renamed_to_retry_after_says_seconds(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        headers = _responses(document)["429"]["headers"]
        del headers["X-Retry-In"]
        headers["Retry-After"] = {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}

    with running_mock(spec=_spec(tmp_path, edit), rate_limit="1/minute") as url:
        assert _grant(url).status_code == 200
        limited = _grant(url)
    assert limited.status_code == 429
    assert "x-retry-in" not in limited.headers
    assert 1 <= int(limited.headers["retry-after"]) <= 60  # seconds, rounded up


def test_an_added_token_type_and_another_path(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/oauth/token"] = document["paths"].pop("/oauth2/token")
        token_type = document["components"]["schemas"]["TokenResponse"]["properties"]["token_type"]
        token_type["enum"] = ["Bearer"]

    with running_mock(spec=_spec(tmp_path, edit), rate_limit="off") as url:
        moved = httpx.post(url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=AUTH)
        old = _grant(url)
    assert moved.status_code == 200 and moved.json()["token_type"] == "Bearer"
    assert old.status_code == 404


def test_an_added_422_takes_an_unknown_scope(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        schema = {"type": "object", "properties": {"scope": {"type": "string", "maxLength": 200}}}
        _responses(document)["422"] = {
            "description": "validation",
            "content": {"application/json": {"schema": schema}},
        }

    with running_mock(spec=_spec(tmp_path, edit), rate_limit="off") as url:
        refused = _grant(url, scope="/admin.all")
        malformed = httpx.post(url + TOKEN, content=b"{", headers={"Content-Type": "application/json"})
    assert refused.status_code == 422 and set(refused.json()) == {"scope"}
    assert malformed.status_code == 400 and malformed.json()["error"] == "invalid_request"


def test_two_versions_at_once_chosen_by_x_moov_version() -> None:
    published = create_app(load_settings(spec="moov-published", rate_limit="off"))
    page = create_app(load_settings(spec="docs-page", rate_limit="off"))
    app = VersionedApp({"v2025.10.00": published, "1.0.0": page})
    with running_mock(app=app) as url:
        default = _grant(url).json()["token_type"]
        asked = {
            version: httpx.post(
                url + TOKEN,
                data={"grant_type": "client_credentials"},
                auth=AUTH,
                headers={"X-Moov-Version": version},
                timeout=TIMEOUT,
            ).json()["token_type"]
            for version in ("v2025.10.00", "1.0.0", "v1999.01.00")
        }
    assert default == "Bearer"
    assert asked == {"v2025.10.00": "Bearer", "1.0.0": "opaque", "v1999.01.00": "Bearer"}


@pytest.mark.parametrize("spec", ["docs-page", "moov-published"])
def test_the_default_clients_start_under_each_shipped_version(spec: str) -> None:
    settings = load_settings(spec=spec)
    assert {c.token_format for c in settings.clients.values()} == {"opaque", "jwt"}
    assert {c.token_type for c in settings.clients.values()} <= set(contract.load(spec).token_types)
