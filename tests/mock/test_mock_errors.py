"""The error mapping and the check order (see ``mock.endpoint``), and that no answer echoes a secret."""

from __future__ import annotations

import pytest

from oauth2_token_contract.spec import contract
from tests.support.mock_http import TOKEN, basic, error_of

SPEC = contract.load()


@pytest.mark.parametrize("value", [None, 1, True, ["client_credentials"], {"x": 1}])
def test_grant_type_missing_or_not_a_string_is_invalid_request(token, value):
    fields = {} if value is None else {"grant_type": value}
    assert error_of(token(**fields)) == "invalid_request"


@pytest.mark.parametrize(
    "value",
    [
        "password",
        "Client_Credentials",
        "CLIENT_CREDENTIALS",
        " client_credentials",
        "client_credentials ",
        "refresh_token\n",
        "authorization_code",
        "client credentials",
    ],
)
def test_grant_type_outside_the_enum_is_unsupported(token, value):
    assert error_of(token(grant_type=value)) == "unsupported_grant_type"


@pytest.mark.parametrize("scope", ["a  b", " a", "a ", 'a"b', "a\\b", "\t", "é"])
def test_malformed_scope_is_invalid_scope(token, scope):
    assert error_of(token(grant_type="client_credentials", scope=scope)) == "invalid_scope"


def test_scope_of_the_wrong_type_is_invalid_request(token):
    assert error_of(token(grant_type="client_credentials", scope=7)) == "invalid_request"


@pytest.mark.parametrize("grant_type", SPEC.grant_types)
def test_over_long_refresh_token_is_invalid_request_whatever_the_grant(token, grant_type):
    too_long = "r" * (SPEC.refresh_token_max_length + 1)
    assert error_of(token(grant_type=grant_type, refresh_token=too_long)) == "invalid_request"


def test_refresh_token_at_the_limit_is_looked_up_not_refused_as_malformed(token):
    at_limit = "r" * SPEC.refresh_token_max_length
    assert error_of(token(grant_type="refresh_token", refresh_token=at_limit)) == "invalid_grant"


def test_other_schema_violations_are_invalid_request(token):
    assert error_of(token(grant_type="client_credentials", client_id="x\x7f")) == "invalid_request"


# -- client authentication ------------------------------------------------------------------


def test_wrong_secret_is_invalid_client(http, opaque_client):
    body = {"grant_type": "client_credentials", "client_id": opaque_client.client_id, "client_secret": "nope"}
    assert error_of(http.post(TOKEN, json=body)) == "invalid_client"


def test_unknown_client_is_invalid_client(http):
    body = {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "nothing"}
    assert error_of(http.post(TOKEN, json=body)) == "invalid_client"


def test_missing_credentials_are_invalid_client(http, opaque_client):
    assert error_of(http.post(TOKEN, json={"grant_type": "client_credentials"})) == "invalid_client"
    only_id = {"grant_type": "client_credentials", "client_id": opaque_client.client_id}
    assert error_of(http.post(TOKEN, json=only_id)) == "invalid_client"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc",
        "Basic",
        "Basic !!!notbase64",
        "Basic " + "bm9jb2xvbg==",
        "Basic OnNlY3JldA==",
        "Basic /w==",
    ],
)
def test_malformed_authorization_is_invalid_client(http, header):
    response = http.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": header})
    assert error_of(response) == "invalid_client"


def test_wrong_basic_secret_is_invalid_client(http, opaque_client):
    headers = {"Authorization": basic(opaque_client.client_id, "wrong")}
    assert (
        error_of(http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=headers))
        == "invalid_client"
    )


def test_secret_in_both_places_is_invalid_request(http, basic_auth, body_creds):
    response = http.post(TOKEN, json={"grant_type": "client_credentials", **body_creds}, headers=basic_auth)
    assert error_of(response) == "invalid_request"


def test_body_client_id_matching_basic_is_accepted(http, basic_auth, opaque_client):
    body = {"grant_type": "client_credentials", "client_id": opaque_client.client_id}
    assert http.post(TOKEN, json=body, headers=basic_auth).status_code == 200


def test_body_client_id_not_matching_basic_is_invalid_client(http, basic_auth, jwt_client):
    body = {"grant_type": "client_credentials", "client_id": jwt_client.client_id}
    assert error_of(http.post(TOKEN, json=body, headers=basic_auth)) == "invalid_client"


# -- order --------------------------------------------------------------------------------


def test_grant_type_is_checked_before_the_schema_and_the_client(http):
    body = {"grant_type": "password", "scope": "a  b", "client_id": "nobody", "client_secret": "x"}
    assert error_of(http.post(TOKEN, json=body)) == "unsupported_grant_type"


def test_schema_is_checked_before_the_client(http):
    body = {"grant_type": "client_credentials", "scope": "a  b", "client_id": "nobody", "client_secret": "x"}
    assert error_of(http.post(TOKEN, json=body)) == "invalid_scope"
    too_long = "r" * (SPEC.refresh_token_max_length + 1)
    body = {
        "grant_type": "refresh_token",
        "refresh_token": too_long,
        "client_id": "nobody",
        "client_secret": "x",
    }
    assert error_of(http.post(TOKEN, json=body)) == "invalid_request"


def test_client_is_checked_before_the_grant(http):
    body = {
        "grant_type": "refresh_token",
        "refresh_token": "unknown",
        "client_id": "nobody",
        "client_secret": "x",
    }
    assert error_of(http.post(TOKEN, json=body)) == "invalid_client"


# -- nothing echoed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"grant_type": "client_credentials", "client_secret": "SECRET-CANARY-1"},
        {"grant_type": "SECRET-CANARY-1", "client_secret": "SECRET-CANARY-1"},
        {"grant_type": "client_credentials", "scope": "SECRET-CANARY-1", "client_secret": "SECRET-CANARY-1"},
        {
            "grant_type": "refresh_token",
            "refresh_token": "SECRET-CANARY-1",
            "client_secret": "SECRET-CANARY-1",
        },
    ],
)
def test_no_answer_echoes_request_values(http, opaque_client, fields):
    response = http.post(TOKEN, json={"client_id": opaque_client.client_id, **fields})
    assert response.status_code == 400
    assert "SECRET-CANARY" not in response.text
    assert opaque_client.client_secret not in response.text
    description = response.json().get("error_description", "")
    assert len(description) <= 1024
