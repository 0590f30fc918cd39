"""How to test a client against a dropped connection: script a fault for its next request."""

from __future__ import annotations

import httpx
import pytest

from oauth2_token_contract.mock import MockControls
from tests.howto.example_client import TokenUnavailable


@pytest.mark.parametrize("fault", ["close", "reset", "truncate"])
def test_a_dropped_connection_is_retried(mock, credentials, make_client, fault):
    """The connection of the next token request is closed without an answer (``close``), reset
    (``reset``) or cut halfway through the body (``truncate``); the application retries and gets
    its token. The journal shows the fault on the first request, whose answer the mock did make:
    the request was processed, only its answer was lost, as when a network drops it.
    """
    mock.rule(client_id=credentials.client_id, fault=fault)
    app = make_client(retries=1)
    assert app.access_token()
    first, second = mock.requests(client_id=credentials.client_id)
    assert first["control"]["fault"] == fault
    assert first["outside_contract"] is True
    assert second["control"] is None


def test_a_gateway_error_reaches_the_application_as_its_own_error(mock, credentials, make_client):
    """A proxy in front of the auth server answers 503 (HTML, outside the contract): opt in with
    ``fault="503"`` (or 502, 504). This application retries only network errors and 429, so it
    reports the 503 as its own error; the test shows it does not mistake the HTML for a token."""
    mock.rule(client_id=credentials.client_id, fault="503")
    app = make_client(retries=1)
    with pytest.raises(TokenUnavailable, match="503"):
        app.access_token()


def test_one_request_of_your_own_can_carry_the_fault(mock, mock_url, credentials):
    """Without a rule: a request that sends ``Prefer: fault=reset`` (``MockControls.force``) is reset."""
    form = {"grant_type": "client_credentials"}
    auth = (credentials.client_id, credentials.client_secret)
    with pytest.raises(httpx.ReadError):
        httpx.post(
            mock_url + "/oauth2/token", data=form, auth=auth, headers=MockControls.force(fault="reset")
        )
