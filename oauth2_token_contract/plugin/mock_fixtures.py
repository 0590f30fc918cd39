"""The ``token_mock`` fixture: the stateful mock for a client library's own tests.

A project that installs this package gets it through the pytest plugin (no conftest): one mock per
test session (per xdist worker) on a free loopback port, put back to its start state before each test,
so tests neither pay for a start-up each nor see each other's tokens, budgets, rules or clock.

    def test_my_client_waits_out_a_429(token_mock):
        token_mock.controls.rule(times=1, code=429, retry_in=200)
        client = MyClient(token_mock.token_url, *token_mock.credentials)
        assert client.get_token()
        assert token_mock.controls.count(grant_type="client_credentials") == 2

``--token-mock-url URL`` (or ``TOKEN_MOCK_URL``) points the fixture at a mock already running, a shared
one (``serve --state redis://...``) included, instead of starting one; each test's reset then clears that
mock's namespace only, and ``--token-mock-controls-token`` is the token its controls ask for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from oauth2_token_contract.mock.controls_client import MockControls
from oauth2_token_contract.mock.embedded import ClientCredentials, default_client
from oauth2_token_contract.mock.server import running_mock

__all__ = ["TokenMock", "token_mock", "token_mock_url"]


@dataclass(frozen=True)
class TokenMock:
    """A running mock: where it is, the client it knows from the start, and its QA controls."""

    url: str
    client: ClientCredentials
    controls: MockControls

    @property
    def token_url(self) -> str:
        return self.url + "/oauth2/token"

    @property
    def credentials(self) -> tuple[str, str]:
        """``(client_id, client_secret)`` of the configuration's first client (the spec's example)."""
        return self.client.client_id, self.client.client_secret


@pytest.fixture(scope="session")
def token_mock_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of a mock served on 127.0.0.1 for the whole session and stopped at its end, or
    the running one ``--token-mock-url`` names."""
    given = request.config.getoption("--token-mock-url", None)
    if given:
        yield given.rstrip("/")
        return
    with running_mock() as url:
        yield url


@pytest.fixture
def token_mock(token_mock_url: str, request: pytest.FixtureRequest) -> Iterator[TokenMock]:
    """The session's mock, reset to its start state for this test."""
    token = request.config.getoption("--token-mock-controls-token", None)
    with MockControls(token_mock_url, token=token) as controls:
        controls.reset()
        yield TokenMock(token_mock_url, default_client(), controls)
