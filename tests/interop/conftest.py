"""Fixtures for the interop tests: one mock per session (rate limiting off), cleared per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import load_settings, running_mock
from oauth2_token_contract.mock.settings import ClientConfig


@pytest.fixture(scope="session")
def interop_url() -> Iterator[str]:
    with running_mock(rate_limit="off") as url:
        yield url


@pytest.fixture
def token_url(interop_url: str) -> str:
    with httpx.Client(timeout=5) as http:
        assert http.post(interop_url + "/__mock/reset").status_code == 204
    return interop_url + "/oauth2/token"


@pytest.fixture(scope="session")
def client() -> ClientConfig:
    """The seed's example client (opaque tokens)."""
    return next(c for c in load_settings().clients.values() if c.token_type == "opaque")


@pytest.fixture(scope="session")
def jwt_client() -> ClientConfig:
    return next(c for c in load_settings().clients.values() if c.token_type == "jwt")
