"""A token's whole life over shared state: ``serve --workers 2 --state redis://... --spec moov-published``.

Every request goes out on a connection of its own, several times over where it matters, so both
workers answer it: what one worker issued or revoked, the other knows at once. The stores' twins are
checked in Redis too: bounded, expiring, and a revoked grant's mark written with the delete.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import jwt
import pytest

from oauth2_token_contract.mock import MockControls, create_app, load_settings, running_mock
from oauth2_token_contract.mock.settings import ClientConfig
from tests.shared.conftest import EXAMPLE
from tests.support.mock_process import MockProcess
from tests.support.redis_server import RedisServer

PUBLISHED = "moov-published"
TIMEOUT = 10.0
TIMES = 6  # requests on fresh connections: both workers answer some
SETTINGS = load_settings(spec=PUBLISHED)
OTHER = next(
    c for c in SETTINGS.clients.values() if c.client_id != EXAMPLE.client_id and "/ping.read" in c.scopes
)
JWT_CLIENT = next(c for c in SETTINGS.clients.values() if c.token_format == "jwt")


@pytest.fixture
def mock(serve: Callable[..., AbstractContextManager[MockProcess]], state_args: list[str]) -> Iterator[str]:
    with serve("--workers", "2", "--rate-limit", "off", "--spec", PUBLISHED, *state_args) as served:
        yield served.url


def _creds(client: ClientConfig = EXAMPLE) -> dict[str, str]:
    return {"client_id": client.client_id, "client_secret": client.client_secret}


def issue(url: str, client: ClientConfig = EXAMPLE, scope: str = "/ping.read") -> dict[str, Any]:
    body = {**_creds(client), "grant_type": "client_credentials", "scope": scope}
    response = httpx.post(url + "/oauth2/token", json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(url: str, token: str, client: ClientConfig = EXAMPLE) -> httpx.Response:
    body = {**_creds(client), "grant_type": "refresh_token", "refresh_token": token}
    return httpx.post(url + "/oauth2/token", json=body, timeout=TIMEOUT)


def revoke(url: str, token: str, client: ClientConfig = EXAMPLE) -> httpx.Response:
    return httpx.post(url + "/oauth2/revoke", data={**_creds(client), "token": token}, timeout=TIMEOUT)


def pings(url: str, token: str | None, times: int = TIMES, **headers: str) -> list[httpx.Response]:
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    return [httpx.get(url + "/ping", headers=headers, timeout=TIMEOUT) for _ in range(times)]


def statuses(answers: list[httpx.Response]) -> set[int]:
    return {answer.status_code for answer in answers}


def test_a_revoked_access_token_is_refused_by_every_worker(mock: str) -> None:
    issued = issue(mock)
    assert statuses(pings(mock, issued["access_token"])) == {200}
    assert revoke(mock, issued["access_token"]).status_code == 204
    refused = pings(mock, issued["access_token"])
    assert statuses(refused) == {401}
    assert all('error="invalid_token"' in a.headers["www-authenticate"] for a in refused)
    assert refresh(mock, issued["refresh_token"]).status_code == 200  # its grant lives on


def test_a_revoked_refresh_token_ends_its_grant_for_every_worker(mock: str) -> None:
    first = issue(mock)
    second = refresh(mock, first["refresh_token"]).json()
    assert revoke(mock, second["refresh_token"]).status_code == 204
    again = refresh(mock, second["refresh_token"])
    assert again.status_code == 422 and "refresh_token" in again.json()
    for token in (first["access_token"], second["access_token"]):
        assert statuses(pings(mock, token)) == {401}


def test_another_clients_token_and_an_unknown_one(mock: str) -> None:
    theirs = issue(mock, OTHER)
    for _ in range(3):
        answer = revoke(mock, theirs["access_token"])
        assert (answer.status_code, answer.json()["error"]) == (400, "unauthorized_client")
    assert statuses(pings(mock, theirs["access_token"])) == {200}
    assert {revoke(mock, "never-issued").status_code for _ in range(3)} == {204}


def test_no_token_and_too_little_scope(mock: str) -> None:
    bare = pings(mock, None)
    assert statuses(bare) == {401}
    assert all("error=" not in a.headers["www-authenticate"] for a in bare)
    narrow = pings(mock, issue(mock, scope="/accounts.read")["access_token"])
    assert statuses(narrow) == {403}
    assert all(
        'error="insufficient_scope", scope="/ping.read"' in a.headers["www-authenticate"] for a in narrow
    )


def test_the_shared_clock_past_expires_in_ends_the_token_for_every_worker(mock: str) -> None:
    issued = issue(mock)
    with MockControls(mock) as controls:
        controls.clock.advance(issued["expires_in"] + 1)
    assert statuses(pings(mock, issued["access_token"])) == {401}


def test_both_workers_sign_with_the_key_the_jwks_publishes(mock: str) -> None:
    tokens = [issue(mock, JWT_CLIENT)["access_token"] for _ in range(TIMES)]
    keys = jwt.PyJWKClient(mock + "/.well-known/jwks.json")
    for token in tokens:
        key = keys.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://api.moov.io")
        assert claims["client_id"] == JWT_CLIENT.client_id
    assert len({jwt.get_unverified_header(t)["kid"] for t in tokens}) == 1
    metadata = httpx.get(mock + "/.well-known/oauth-authorization-server", timeout=TIMEOUT).json()
    assert metadata["revocation_endpoint"] == mock + "/oauth2/revoke"
    assert metadata["jwks_uri"] == mock + "/.well-known/jwks.json"


def test_prefer_forces_revocation_and_ping_statuses(mock: str) -> None:
    for status in (204, 400, 422, 429, 500, 504):
        answer = httpx.post(
            mock + "/oauth2/revoke", data={"token": "x"}, headers={"Prefer": f"code={status}"}
        )
        assert answer.status_code == status
    for status in (200, 401, 403, 404, 429, 500):
        assert httpx.get(mock + "/ping", headers={"Prefer": f"code={status}"}).status_code == status


def test_the_shared_journal_shows_no_token(mock: str) -> None:
    issued = issue(mock)
    pings(mock, issued["access_token"], times=2)
    revoke(mock, issued["refresh_token"])
    with MockControls(mock) as controls:
        entries = controls.requests()
    assert {e["path"] for e in entries} == {"/oauth2/token", "/ping", "/oauth2/revoke"}, entries
    assert not any(e["outside_contract"] for e in entries)
    shown = json.dumps(entries)
    assert issued["access_token"] not in shown and issued["refresh_token"] not in shown


def test_the_redis_twins_are_bounded_and_mark_a_revoked_grant(
    redis_server: RedisServer, namespace: str, write_config
) -> None:
    config = write_config(lambda data: data["store"].update(max_access_tokens=5))
    settings = load_settings(
        config, spec=PUBLISHED, rate_limit="off", state=redis_server.url(), namespace=namespace
    )
    app = create_app(settings)
    engine = app.state.components.access.engine
    with running_mock(app=app) as url:
        issued = [issue(url) for _ in range(8)]
        assert engine.client.zcard(engine.key("at-order")) == 5
        assert len(app.state.components.access) == 5
        assert revoke(url, issued[-1]["refresh_token"]).status_code == 204
        marks = list(engine.keys_matching("atg:*"))
        assert len(marks) == 1 and 0 < engine.client.pttl(marks[0]) <= EXAMPLE.expires_in * 1000 + 1
        assert statuses(pings(url, issued[-1]["access_token"], times=1)) == {401}
        assert statuses(pings(url, issued[-2]["access_token"], times=1)) == {200}
        assert all(engine.client.pttl(key) > 0 for key in engine.keys_matching("at:*"))
        assert httpx.post(url + "/__mock/reset").status_code == 204
        assert list(engine.keys_matching("at*")) == []
