"""The mock reads its limits from the spec at start: edit the spec and the mock follows."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec import contract
from tests.support.mock_http import TIMEOUT, TOKEN, error_of

SPEC = contract.load()
SMALLER = 64


@pytest.fixture
def shorter_spec(tmp_path: Path) -> Path:
    document = yaml.safe_load(SPEC.path.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Token"]["maxLength"] = SMALLER
    path = tmp_path / "oauth2-token.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert contract.load(path).refresh_token_max_length == SMALLER
    return path


def refresh_with(url: str, length: int, creds: dict[str, str]) -> httpx.Response:
    body = {"grant_type": "refresh_token", "refresh_token": "r" * length, **creds}
    return httpx.post(url + TOKEN, json=body, timeout=TIMEOUT)


def test_spec_path_in_settings_changes_the_limit(shorter_spec, body_creds):
    with running_mock(spec=shorter_spec, rate_limit="off") as url:
        assert error_of(refresh_with(url, SMALLER, body_creds)) == "invalid_grant"
        assert error_of(refresh_with(url, SMALLER + 1, body_creds)) == "invalid_request"


def test_token_api_spec_environment_changes_the_limit(shorter_spec, body_creds, monkeypatch):
    monkeypatch.setenv("TOKEN_API_SPEC", str(shorter_spec))
    with running_mock(rate_limit="off") as url:
        assert error_of(refresh_with(url, SMALLER + 1, body_creds)) == "invalid_request"


def test_the_repository_spec_limit_holds(mock_url, body_creds):
    assert error_of(refresh_with(mock_url, SMALLER + 1, body_creds)) == "invalid_grant"
    assert (
        error_of(refresh_with(mock_url, SPEC.refresh_token_max_length + 1, body_creds)) == "invalid_request"
    )
