"""Target selection and its safety rules, refused before any request is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauth2_token_contract.suite.errors import UnsafeTarget
from oauth2_token_contract.suite.targets import DEFAULT_BUDGET, Settings, is_loopback, plan

CREDS = {"TOKEN_API_CLIENT_ID": "abc", "TOKEN_API_CLIENT_SECRET": "s3cr3t-value"}


def test_the_mock_is_the_default_with_its_own_client() -> None:
    chosen = plan("mock", Settings.from_env({}), env={})
    assert (chosen.kind, chosen.base_url, chosen.budget) == ("mock", None, None)
    assert chosen.client_id and chosen.client_secret and chosen.scopes


def test_a_url_needs_credentials() -> None:
    with pytest.raises(UnsafeTarget, match="TOKEN_API_CLIENT_ID"):
        plan("https://auth.example.com", Settings.from_env({}), env={})


def test_a_url_gets_a_budget_and_no_burst_by_default() -> None:
    chosen = plan("https://auth.example.com/", Settings.from_env(CREDS), env=CREDS)
    assert chosen.kind == "remote"
    assert chosen.base_url == "https://auth.example.com"
    assert chosen.budget == DEFAULT_BUDGET
    assert not chosen.allow_burst


def test_plain_http_off_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(UnsafeTarget, match="plain http"):
        plan("http://auth.example.com", Settings.from_env(CREDS), env=CREDS)
    allowed = {**CREDS, "TOKEN_API_ALLOW_INSECURE_HTTP": "1"}
    assert plan("http://auth.example.com", Settings.from_env(allowed), env=allowed).base_url


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.5.6.7"])
def test_plain_http_on_loopback_is_fine(host: str) -> None:
    assert is_loopback(host.strip("[]") if host.startswith("[") else host)
    assert plan(f"http://{host}:8080", Settings.from_env(CREDS), env=CREDS).kind == "remote"


def test_a_named_target_reads_its_credentials_from_its_own_variables(tmp_path: Path, monkeypatch) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n  staging:\n    base_url: https://staging.example.com\n"
        "    client_id_env: STG_ID\n    client_secret_env: STG_SECRET\n    scope_env: STG_SCOPE\n"
    )
    monkeypatch.setattr("oauth2_token_contract.suite.targets.TARGETS_FILE", targets)
    env = {"STG_ID": "id-1", "STG_SECRET": "secret-1", "STG_SCOPE": "a b"}
    chosen = plan("staging", Settings.from_env({}), env=env)
    assert (chosen.name, chosen.base_url, chosen.client_id, chosen.scopes) == (
        "staging",
        "https://staging.example.com",
        "id-1",
        ("a", "b"),
    )
    with pytest.raises(UnsafeTarget, match="STG_SECRET"):
        plan("staging", Settings.from_env({}), env={"STG_ID": "id-1"})


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(UnsafeTarget, match="unknown target"):
        plan("nowhere", Settings.from_env({}), env={})


def test_budget_and_burst_come_from_the_environment() -> None:
    env = {**CREDS, "TOKEN_API_MAX_REQUESTS": "12", "TOKEN_API_ALLOW_BURST": "1"}
    chosen = plan("https://auth.example.com", Settings.from_env(env), env=env)
    assert (chosen.budget, chosen.allow_burst) == (12, True)
