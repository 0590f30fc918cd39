"""Scripted answers: rules matched on client id, grant type or media type answer the next N matching
requests, then the mock answers as usual; listed, deleted, capped, and loaded from a scenario file."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
import yaml

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.scripted import MAX_TIMES
from oauth2_token_contract.mock.settings import ConfigError
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN, error_of, journal

RULES = "/__mock/rules"
SPEC = contract.load()


def add_rule(http: httpx.Client, **rule) -> dict:
    response = http.post(RULES, json=rule)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_next_two_requests_get_429_then_normal_answers(http, token, opaque_client):
    rule = add_rule(
        http, match={"client_id": opaque_client.client_id}, times=2, answer={"code": 429, "retry_in": 1500}
    )
    assert rule["remaining"] == 2
    answers = [token(grant_type="client_credentials") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert [a.headers.get(SPEC.retry_header) for a in answers[:2]] == ["1500", "1500"]
    assert answers[0].json() == next(iter(SPEC.response_examples(429).values()))
    assert http.get(RULES).json()["rules"] == []  # used up, gone
    entries = journal(http)
    assert entries[0]["control"] == {"code": 429, "retry_in": 1500, "source": "rule", "rule": rule["id"]}
    assert entries[2]["control"] is None


def test_rules_match_on_grant_type_and_media(http, token, body_creds):
    add_rule(http, match={"grant_type": "refresh_token"}, answer={"error": "invalid_grant"})
    add_rule(http, match={"media": "application/x-www-form-urlencoded"}, answer={"code": 400})
    issued = token(grant_type="client_credentials").json()  # JSON, client_credentials: no rule
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    assert error_of(token(**refresh)) == "invalid_grant"
    # The scripted refusal consumed nothing: the refresh token still works.
    assert token(grant_type="refresh_token", refresh_token=issued["refresh_token"]).status_code == 200
    form = http.post(TOKEN, data={"grant_type": "client_credentials", **body_creds})
    assert error_of(form) == SPEC.response_examples(400)[next(iter(SPEC.response_examples(400)))]["error"]
    assert http.post(TOKEN, data={"grant_type": "client_credentials", **body_creds}).status_code == 200


def test_a_rule_for_another_client_leaves_this_one_alone(http, token, jwt_client):
    add_rule(http, match={"client_id": jwt_client.client_id}, times=5, answer={"fault": "503"})
    assert token(grant_type="client_credentials").status_code == 200
    assert http.get(RULES).json()["rules"][0]["remaining"] == 5


def test_rules_are_tried_in_order(http, token):
    first = add_rule(http, answer={"code": 429})
    add_rule(http, answer={"fault": "502"})
    assert token(grant_type="client_credentials").status_code == 429
    assert token(grant_type="client_credentials").status_code == 502
    assert token(grant_type="client_credentials").status_code == 200
    assert first["id"] == 1 or first["id"] > 0


def test_a_rule_may_delay_or_break_the_real_answer(http, token):
    add_rule(http, answer={"delay": 200})
    add_rule(http, answer={"fault": "close"})
    assert token(grant_type="client_credentials").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        token(grant_type="client_credentials")
    assert [entry["status"] for entry in journal(http)] == [200, 200]


def test_a_requests_own_prefer_wins_over_the_rules(http, token, body_creds):
    add_rule(http, answer={"code": 429})
    body = {"grant_type": "client_credentials", **body_creds}
    forced = http.post(TOKEN, json=body, headers={"Prefer": "code=200"})
    assert forced.status_code == 200
    assert http.get(RULES).json()["rules"][0]["remaining"] == 1  # not spent by that request
    assert token(grant_type="client_credentials").status_code == 429


def test_rules_are_listed_deleted_and_cleared(http):
    one = add_rule(http, match={"client_id": "a"}, times=3, answer={"code": 429})
    two = add_rule(http, match={"grant_type": "refresh_token"}, answer={"fault": "reset", "delay": 100})
    listed = http.get(RULES).json()["rules"]
    assert listed == [
        {"id": one["id"], "match": {"client_id": "a"}, "remaining": 3, "used": 0, "answer": {"code": 429}},
        {
            "id": two["id"],
            "match": {"grant_type": "refresh_token"},
            "remaining": 1,
            "used": 0,
            "answer": {"delay": 100, "fault": "reset"},
        },
    ]
    assert http.delete(f"{RULES}/{one['id']}").status_code == 204
    assert http.delete(f"{RULES}/{one['id']}").status_code == 404
    assert http.delete(f"{RULES}/not-a-number").status_code == 404
    assert http.delete(f"{RULES}/%C2%B2").status_code == 404  # a digit, but not an ASCII one
    assert [rule["id"] for rule in http.get(RULES).json()["rules"]] == [two["id"]]
    assert http.delete(RULES).status_code == 204
    assert http.get(RULES).json()["rules"] == []


@pytest.mark.parametrize(
    "rule",
    [
        {"match": {"client": "x"}, "answer": {"code": 429}},
        {"match": {"media": "text/plain"}, "answer": {"code": 429}},
        {"match": {"client_id": ""}, "answer": {"code": 429}},
        {"match": {"client_id": 5}, "answer": {"code": 429}},
        {"match": [], "answer": {"code": 429}},
        {"times": 0, "answer": {"code": 429}},
        {"times": MAX_TIMES + 1, "answer": {"code": 429}},
        {"times": "2", "answer": {"code": 429}},
        {"answer": {}},
        {"answer": {"code": 418}},
        {"answer": {"code": 429, "colour": "red"}},
        {"answer": {"error": "invalid_everything"}},
        {"answer": {"code": 429, "error": "invalid_grant"}},
        {"answer": {"code": 400, "retry_in": 100}},
        {"answer": {"retry_in": 0}},
        {"answer": {"fault": "502", "code": 400}},
        {"answer": {"fault": "melt"}},
        {"answer": {"delay": 30_001}},
        {"answer": {"example": "noSuchExample"}},
        {"answer": {"code": True}},
        {},
        {"match": {}, "times": 1, "answer": {"code": 429}, "extra": 1},
    ],
)
def test_a_bad_rule_is_refused_with_a_reason(http, rule):
    response = http.post(RULES, json=rule)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "mock_control_error"
    assert response.json()["error_description"]
    assert http.get(RULES).json()["rules"] == []


def test_rules_are_capped(http):
    app = create_app(load_settings(rate_limit="off"))
    app.state.components.controls.rules.max_rules = 2
    with running_mock(app=app) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as capped:
        assert [capped.post(RULES, json={"answer": {"code": 429}}).status_code for _ in range(3)] == [
            201,
            201,
            409,
        ]


def test_reset_clears_rules(http):
    add_rule(http, answer={"code": 429})
    http.post("/__mock/reset")
    assert http.get(RULES).json()["rules"] == []


# --- a scenario loaded at start ---------------------------------------------------------------------


@pytest.fixture
def scenario(tmp_path, opaque_client):
    path = tmp_path / "scenario.yaml"
    answer = {"code": 429, "retry_in": 1500}
    rules = [{"match": {"client_id": opaque_client.client_id}, "times": 2, "answer": answer}]
    path.write_text(yaml.safe_dump({"rules": rules}))
    return path


def test_a_scenario_file_scripts_the_first_answers_and_reset_rearms_it(scenario, body_creds):
    body = {"grant_type": "client_credentials", **body_creds}
    with (
        running_mock(scenario=scenario, rate_limit="off") as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as http,
    ):
        assert [http.post(TOKEN, json=body).status_code for _ in range(3)] == [429, 429, 200]
        http.post("/__mock/reset")
        assert http.post(TOKEN, json=body).status_code == 429


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("rules:\n  - answer: {code: 418}\n", "rules[0]"),
        ("rules: nope\n", "rules:"),
        ("- just a list\n", "mapping"),
    ],
)
def test_a_bad_scenario_stops_the_mock_at_start(tmp_path, content, named):
    path = tmp_path / "scenario.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        create_app(load_settings(scenario=path))


def test_a_scenario_needs_the_controls(tmp_path, scenario, write_config):
    config = write_config(lambda data: data.update(controls=False))
    with pytest.raises(ConfigError, match="controls"):
        create_app(load_settings(config, scenario=scenario))


def test_the_command_line_loads_a_scenario_and_refuses_a_bad_one(tmp_path, scenario):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - answer: {fault: melt}\n")
    result = subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--port", "0", "--scenario", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "fault" in result.stderr
    with running_mock(scenario=scenario, in_process=False) as url:
        assert len(httpx.get(url + RULES, timeout=TIMEOUT).json()["rules"]) == 1
