"""Clients at run time: created, listed without secrets and deleted over ``/__mock/clients``, checked
exactly like the YAML file's, usable at once by every part of the mock."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.redaction import MASK
from tests.support.mock_http import TIMEOUT, TOKEN, basic, error_of, journal

CLIENTS = "/__mock/clients"
SECRET = "runtime-Secret_7Qx2Lm9Vt4"
SPEC = contract.load()


def new_client(client_id: str = "runtime-client-1", **settings) -> dict:
    return {"client_id": client_id, "client_secret": SECRET, "scopes": ["/accounts.read"], **settings}


def grant(http: httpx.Client, client_id: str, secret: str = SECRET, **fields) -> httpx.Response:
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **fields}
    return http.post(TOKEN, json=body)


def test_a_created_client_is_usable_at_once(http):
    created = http.post(CLIENTS, json=new_client())
    assert created.status_code == 201
    assert created.json()["client_id"] == "runtime-client-1"
    assert created.json()["created_at_run_time"] is True
    issued = grant(http, "runtime-client-1")
    assert issued.status_code == 200
    assert issued.json()["scope"] == "/accounts.read"
    auth = {"Authorization": basic("runtime-client-1", SECRET)}
    assert http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=auth).status_code == 200
    assert error_of(grant(http, "runtime-client-1", "wrong-secret")) == "invalid_client"


def test_a_created_client_inherits_the_files_defaults(http, default_settings):
    listed = http.post(CLIENTS, json=new_client()).json()
    defaults = default_settings.client_defaults
    assert listed["format"] == defaults["format"]
    assert listed["expires_in"] == defaults["expires_in"]
    assert listed["refresh_expires_in"] == defaults["refresh_expires_in"]
    assert listed["grant_types"] == sorted(SPEC.grant_types)


def test_every_setting_of_the_file_applies(http):
    settings = {
        "token_type": "jwt",
        "expires_in": 120,
        "refresh_expires_in": 240,
        "grant_types": ["client_credentials"],
        "issue_refresh_tokens": False,
        "scopes": ["/accounts.read", "/profile.read"],
    }
    assert http.post(CLIENTS, json=new_client(**settings)).status_code == 201
    body = grant(http, "runtime-client-1").json()
    assert (body["token_type"], body["expires_in"], "refresh_token" in body) == ("jwt", 120, False)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "runtime-client-1"
    assert claims["exp"] - claims["iat"] == 120
    refresh = grant(http, "runtime-client-1", grant_type="refresh_token", refresh_token="x" * 20)
    assert error_of(refresh) == "unauthorized_client"
    assert error_of(grant(http, "runtime-client-1", scope="/accounts.write")) == "invalid_scope"


def test_a_created_client_has_a_budget_of_its_own(opaque_client):
    with (
        running_mock() as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as http,
    ):
        assert http.post(CLIENTS, json=new_client(rate_limit="2/minute")).status_code == 201
        assert [grant(http, "runtime-client-1").status_code for _ in range(3)] == [200, 200, 429]
        other = {"grant_type": "client_credentials", "client_id": opaque_client.client_id}
        other["client_secret"] = opaque_client.client_secret
        assert http.post(TOKEN, json=other).status_code == 200  # its budget is untouched


def test_the_listing_never_shows_a_secret(http, default_settings):
    http.post(CLIENTS, json=new_client())
    listed = http.get(CLIENTS)
    assert listed.status_code == 200
    text = listed.text
    assert SECRET not in text and "client_secret" not in text
    for client in default_settings.clients.values():
        assert client.client_secret not in text
    ids = [client["client_id"] for client in listed.json()["clients"]]
    assert ids == [*default_settings.clients, "runtime-client-1"]


def test_deleting_a_client_invalidates_it_and_its_refresh_tokens(http):
    http.post(CLIENTS, json=new_client())
    issued = grant(http, "runtime-client-1").json()
    assert http.delete(f"{CLIENTS}/runtime-client-1").status_code == 204
    assert error_of(grant(http, "runtime-client-1")) == "invalid_client"
    # Made again with the same id and secret, the old refresh token does not come back to life.
    http.post(CLIENTS, json=new_client())
    old = issued["refresh_token"]
    refresh = grant(http, "runtime-client-1", grant_type="refresh_token", refresh_token=old)
    assert error_of(refresh) == "invalid_grant"


def test_a_configured_client_can_be_deleted_and_reset_brings_it_back(http, token, opaque_client):
    assert http.delete(f"{CLIENTS}/{opaque_client.client_id}").status_code == 204
    assert error_of(token(grant_type="client_credentials")) == "invalid_client"
    http.post(CLIENTS, json=new_client())
    assert http.post("/__mock/reset").status_code == 204
    assert token(grant_type="client_credentials").status_code == 200
    assert "runtime-client-1" not in [c["client_id"] for c in http.get(CLIENTS).json()["clients"]]


def test_an_id_with_any_printable_character_can_be_deleted(http):
    odd = "run time/client?#%"
    assert http.post(CLIENTS, json=new_client(odd)).status_code == 201
    assert http.delete(f"{CLIENTS}/run%20time%2Fclient%3F%23%25").status_code == 204
    assert odd not in [c["client_id"] for c in http.get(CLIENTS).json()["clients"]]


def test_a_run_time_secret_is_masked_in_the_journal(http):
    http.post(CLIENTS, json=new_client())
    grant(http, "runtime-client-1", scope=SECRET)  # a secret sent where it does not belong
    text = json.dumps(journal(http))
    assert SECRET not in text
    assert MASK in text


@pytest.mark.parametrize(
    ("client", "named"),
    [
        (new_client(token_type="bearer"), "token_type"),
        (new_client(expires_in=0), "expires_in"),
        (new_client(expires_in=600, refresh_expires_in=600), "refresh_expires_in"),
        (new_client(grant_types=["password"]), "grant_types"),
        (new_client(scopes="/a\\b"), "scopes"),
        (new_client(rate_limit="lots"), "lots"),
        (new_client("x" * 256), "client_id"),
        (new_client("tab\there"), "client_id"),
        ({"client_id": "no-secret"}, "client_secret"),
        (["not", "a", "mapping"], "mapping"),
    ],
)
def test_a_client_the_file_would_refuse_is_refused(http, client, named):
    response = http.post(CLIENTS, json=client)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "mock_control_error"
    assert named in response.json()["error_description"]


def test_a_duplicate_id_is_a_conflict(http, opaque_client):
    assert http.post(CLIENTS, json=new_client(opaque_client.client_id)).status_code == 409
    http.post(CLIENTS, json=new_client())
    assert http.post(CLIENTS, json=new_client()).status_code == 409


def test_deleting_an_unknown_client_is_404(http):
    assert http.delete(f"{CLIENTS}/nobody-here").status_code == 404


def test_bodies_are_bounded_and_must_be_json(http):
    json_type = {"Content-Type": "application/json"}
    huge = http.post(CLIENTS, content=b"{" + b" " * 70_000 + b"}", headers=json_type)
    assert huge.status_code == 413
    assert http.post(CLIENTS, content=b"client_id=x").status_code == 422


def test_run_time_clients_are_capped():
    app = create_app(load_settings(rate_limit="off"))
    app.state.settings.clients.max_added = 3
    with running_mock(app=app) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        statuses = [http.post(CLIENTS, json=new_client(f"capped-{n}")).status_code for n in range(4)]
        assert statuses == [201, 201, 201, 409]
        http.delete(f"{CLIENTS}/capped-0")
        assert http.post(CLIENTS, json=new_client("capped-4")).status_code == 201


def test_a_jwt_client_whose_token_could_break_the_spec_is_refused(http):
    scopes = [f"/scope.{n:04d}" + "x" * 200 for n in range(19)]  # within the scope cap, too long a JWT
    response = http.post(CLIENTS, json=new_client(token_type="jwt", scopes=scopes))
    assert response.status_code == 422
    assert "maxLength" in response.json()["error_description"]
