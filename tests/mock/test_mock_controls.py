"""QA controls: Prism-style Prefer, the redacted journal, reset, and all of them off with
``controls: false`` (the faults, clock, clients, rules and journal queries have modules of their own)."""

from __future__ import annotations

import json
import time

import pytest

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.redaction import MASK
from tests.support.mock_http import TOKEN, journal

SPEC = contract.load()


@pytest.mark.parametrize("status", SPEC.statuses)
def test_prefer_code_answers_the_first_documented_example(http, status):
    response = http.post(TOKEN, headers={"Prefer": f"code={status}"})
    assert response.status_code == status
    assert response.json() == next(iter(SPEC.response_examples(status).values()))
    for name in SPEC.response_headers(status):
        assert response.headers[name] == SPEC.header_example(status, name)


def test_prefer_429_carries_the_retry_header_example(http):
    response = http.post(TOKEN, headers={"Prefer": "code=429"})
    assert response.headers[SPEC.retry_header] == SPEC.header_example(429, SPEC.retry_header)


@pytest.mark.parametrize(
    ("status", "name"), [(s, n) for s in SPEC.statuses for n in SPEC.response_examples(s)]
)
def test_prefer_example_by_name(http, status, name):
    response = http.post(TOKEN, headers={"Prefer": f"code={status}, example={name}"})
    assert (response.status_code, response.json()) == (status, SPEC.response_examples(status)[name])
    alone = http.post(TOKEN, headers={"Prefer": f"example={name}"})
    assert alone.json() == SPEC.response_examples(status)[name]


@pytest.mark.parametrize(
    "prefer", ["code=418", "example=noSuchExample", "code=400, example=opaque", "code=abc"]
)
def test_prefer_unknown_is_a_control_error(http, prefer):
    response = http.post(TOKEN, headers={"Prefer": prefer})
    assert response.status_code == 422
    assert response.json()["error"] == "mock_control_error"


def test_prefer_without_code_or_example_is_ignored(http, body_creds):
    body = {"grant_type": "client_credentials", **body_creds}
    response = http.post(TOKEN, json=body, headers={"Prefer": "dynamic=true"})
    assert response.status_code == 200
    assert response.json()["access_token"] not in {
        ex["access_token"] for ex in SPEC.response_examples(200).values()
    }


def test_journal_records_and_redacts(http, basic_auth, token, opaque_client):
    issued = token(grant_type="client_credentials").json()
    refreshed = token(grant_type="refresh_token", refresh_token=issued["refresh_token"]).json()
    http.post(TOKEN, data={"grant_type": "client_credentials"}, headers=basic_auth)
    entries = journal(http)
    assert [entry["status"] for entry in entries] == [200, 200, 200]
    text = json.dumps(entries)
    for secret in (
        opaque_client.client_secret,
        issued["access_token"],
        issued["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        basic_auth["Authorization"].split()[1],
    ):
        assert secret not in text
    assert entries[0]["params"]["client_id"] == opaque_client.client_id
    assert entries[0]["params"]["client_secret"] == MASK
    assert entries[1]["params"]["refresh_token"] == MASK
    assert entries[2]["headers"]["authorization"] == MASK
    assert entries[0]["response"]["access_token"] == MASK
    assert entries[0]["response"]["scope"] == issued["scope"]


def test_journal_is_bounded(write_config, opaque_client):
    import httpx

    from oauth2_token_contract.mock import running_mock

    def configure(data):
        data["journal"]["max_entries"] = 3

    with (
        running_mock(write_config(configure), rate_limit="off") as url,
        httpx.Client(base_url=url, timeout=5) as c,
    ):
        for _ in range(7):
            c.post(TOKEN, json={"grant_type": "client_credentials"})
        assert len(journal(c)) == 3


def test_reset_clears_the_journal(http, token):
    token(grant_type="client_credentials")
    assert journal(http)
    assert http.post("/__mock/reset").status_code == 204
    assert journal(http) == []


def test_controls_can_be_turned_off(write_config, opaque_client):
    import httpx

    from oauth2_token_contract.mock import running_mock

    def configure(data):
        data["controls"] = False

    with (
        running_mock(write_config(configure), rate_limit="off") as url,
        httpx.Client(base_url=url, timeout=5) as c,
    ):
        assert c.get("/__mock/requests").status_code == 404
        forced = c.post(TOKEN, json={"grant_type": "client_credentials"}, headers={"Prefer": "code=200"})
        assert forced.status_code == 400
        for path in ("/__mock/clock", "/__mock/clients", "/__mock/rules", "/__mock/reset"):
            assert c.post(path, json={}).status_code == 404, path
        body = {"grant_type": "client_credentials", "client_id": opaque_client.client_id}
        body["client_secret"] = opaque_client.client_secret
        for prefer in ("fault=reset", "fault=502", "delay=5000", "fault=melt"):
            started = time.monotonic()
            assert c.post(TOKEN, json=body, headers={"Prefer": prefer}).status_code == 200, prefer
            assert time.monotonic() - started < 2
