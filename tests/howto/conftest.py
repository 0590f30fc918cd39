"""The mock as a client library's tests use it: the plugin's ``token_mock`` fixture (one server for the
session, reset before each test), and a client of the test's own (as parallel CI jobs would each make
theirs)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from oauth2_token_contract.mock import MockControls
from oauth2_token_contract.mock.embedded import ClientCredentials
from oauth2_token_contract.plugin.mock_fixtures import TokenMock
from tests.howto.example_client import TokenClient


@pytest.fixture
def mock(token_mock: TokenMock) -> MockControls:
    """The mock's controls: the plugin's ``token_mock`` (one server per session, reset for each test)."""
    return token_mock.controls


@pytest.fixture
def mock_url(token_mock: TokenMock) -> str:
    return token_mock.url


@pytest.fixture
def credentials(mock: MockControls) -> ClientCredentials:
    """A client made for this test alone: its own budget, its own journal entries."""
    return mock.create_client(scopes=["/accounts.read"])


class Clocks:
    """The application's clock and the mock's, moved together: time passes for both sides."""

    def __init__(self, mock: MockControls) -> None:
        self.mock = mock
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.mock.clock.advance(seconds)
        self.offset += seconds


@pytest.fixture
def clocks(mock: MockControls) -> Clocks:
    return Clocks(mock)


@pytest.fixture
def make_client(mock_url: str, credentials: ClientCredentials) -> Iterator[Callable[..., TokenClient]]:
    """The application's token source for this test's client (options as ``TokenClient`` takes them)."""
    made: list[TokenClient] = []

    def make(**options: Any) -> TokenClient:
        client = TokenClient(
            mock_url + "/oauth2/token", credentials.client_id, credentials.client_secret, **options
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
