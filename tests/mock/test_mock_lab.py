"""``oauth2_token_contract.mock.controls_client.MockControls``: every control from Python, refusals
as ``ControlRefused``, and an import that needs neither uvicorn nor Starlette."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import ControlRefused, MockControls
from oauth2_token_contract.mock.controls_client import statuses
from tests.support.mock_http import TIMEOUT, TOKEN


@pytest.fixture
def lab(http, mock_url) -> Iterator[MockControls]:
    with MockControls(mock_url) as controls:
        yield controls


@pytest.fixture
def grant(mock_url):
    """A client_credentials request as ``client`` (created through the lab), plus ``fields``."""

    def send(client, **fields) -> httpx.Response:
        body = {"grant_type": "client_credentials", "client_id": client.client_id}
        body["client_secret"] = client.client_secret
        return httpx.post(mock_url + TOKEN, json={**body, **fields}, timeout=TIMEOUT)

    return send


def test_importing_the_lab_pulls_no_server_stack():
    code = (
        "import sys, oauth2_token_contract.mock.controls_client; "
        "print(sorted({'uvicorn', 'starlette'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == "[]"


def test_force_builds_the_prefer_header():
    assert MockControls.force(429) == {"Prefer": "code=429"}
    assert MockControls.force(400, "invalidClient") == {"Prefer": "code=400, example=invalidClient"}
    assert MockControls.force(delay=200, fault="truncate") == {"Prefer": "delay=200, fault=truncate"}
    with pytest.raises(ValueError, match="needs"):
        MockControls.force()


def test_clients_are_created_listed_and_deleted(lab, grant):
    made = lab.create_client(scopes=["/accounts.read"], rate_limit="5/second")
    assert made.client_id.startswith("lab-") and made.client_secret
    assert made.scopes == ("/accounts.read",)
    assert grant(made).status_code == 200
    listed = {client["client_id"]: client for client in lab.clients()}
    assert listed[made.client_id]["rate_limit"] == "5/second"
    lab.delete_client(made.client_id)
    assert grant(made).status_code == 400
    with pytest.raises(ControlRefused) as refused:
        lab.delete_client(made.client_id)
    assert refused.value.status == 404


def test_a_refused_control_says_why(lab):
    with pytest.raises(ControlRefused) as refused:
        lab.create_client(token_type="bearer")
    assert refused.value.status == 422
    assert "token_type" in refused.value.description


def test_rules_from_python(lab, grant):
    client = lab.create_client(scopes=["/accounts.read"])
    rule = lab.rule(client_id=client.client_id, times=2, code=429, retry_in=1500)
    assert [r["id"] for r in lab.rules()] == [rule]
    answers = [grant(client) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["x-retry-in"] == "1500"
    second = lab.rule(grant_type="refresh_token", fault="reset")
    lab.delete_rule(second)
    lab.rule(media="application/json", error="invalid_client")
    assert len(lab.rules()) == 1
    lab.clear_rules()
    assert lab.rules() == []


def test_the_clock_from_python(lab):
    assert lab.clock.offset == 0
    assert lab.clock.advance(60) == 60
    assert abs(lab.clock.now() - time.time() - 60) < 5
    lab.clock.reset()
    assert lab.clock.offset == 0


def test_journal_questions_from_python(lab, grant):
    client = lab.create_client(scopes=["/accounts.read"])
    grant(client)
    grant(client, scope="/nope")
    assert lab.count(client_id=client.client_id) == 2
    assert statuses(lab.requests(client_id=client.client_id)) == [200, 400]
    assert lab.count(client_id=client.client_id, status=400) == 1
    assert lab.count(client_id=client.client_id, grant_type="refresh_token") == 0
    with pytest.raises(TypeError, match="colour"):
        lab.count(colour="red")


def test_wait_for_returns_the_request_or_times_out(lab, grant):
    client = lab.create_client(scopes=["/accounts.read"])
    grant(client)
    assert statuses(lab.wait_for(client_id=client.client_id, timeout=2)) == [200]
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        lab.wait_for(client_id="nobody", timeout=0.3)
    assert time.monotonic() - started < 2


def test_reset_from_python(lab):
    made = lab.create_client(scopes=["/accounts.read"])
    lab.rule(code=429)
    lab.clock.advance(10)
    lab.reset()
    assert made.client_id not in [c["client_id"] for c in lab.clients()]
    assert lab.rules() == []
    assert lab.clock.offset == 0
