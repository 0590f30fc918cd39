"""Fixtures for the mock's own tests: one server per session (cleared per test), helpers for the rest.

The shared mock runs with rate limiting off so that no test depends on how fast the others ran;
the rate-limit tests start their own mocks with a tight budget. Every request has a timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.settings import DEFAULT_CONFIG, ClientConfig
from tests.support.mock_http import TIMEOUT, basic


@pytest.fixture(scope="session")
def default_settings():
    return load_settings()


@pytest.fixture(scope="session")
def opaque_client(default_settings) -> ClientConfig:
    return next(c for c in default_settings.clients.values() if c.token_type == "opaque")


@pytest.fixture(scope="session")
def jwt_client(default_settings) -> ClientConfig:
    return next(c for c in default_settings.clients.values() if c.token_type == "jwt")


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    with running_mock(rate_limit="off") as url:
        yield url


@pytest.fixture(scope="session")
def session_http(mock_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_url, timeout=TIMEOUT) as client:
        yield client


@pytest.fixture
def http(session_http: httpx.Client) -> httpx.Client:
    """The shared mock, reset: no tokens, no journal, no spent budget."""
    assert session_http.post("/__mock/reset").status_code == 204
    return session_http


@pytest.fixture
def body_creds(opaque_client: ClientConfig) -> dict[str, str]:
    return {"client_id": opaque_client.client_id, "client_secret": opaque_client.client_secret}


@pytest.fixture
def basic_auth(opaque_client: ClientConfig) -> dict[str, str]:
    return {"Authorization": basic(opaque_client.client_id, opaque_client.client_secret)}


@pytest.fixture
def token(http: httpx.Client, body_creds: dict[str, str]) -> Callable[..., httpx.Response]:
    """POST /oauth2/token as JSON with the opaque client's body credentials, plus ``fields``."""

    def post(**fields: Any) -> httpx.Response:
        return http.post("/oauth2/token", json={**body_creds, **fields})

    return post


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the default config with top-level sections replaced or deep-updated."""

    def write(update: Callable[[dict[str, Any]], None]) -> Path:
        data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        update(data)
        path = tmp_path / "clients.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    return write
