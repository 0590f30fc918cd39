"""The suite's HTTP client against connections that fail: a stale pooled connection is retried once,
fresh; any other dropped connection is the target's failure, with its curl line."""

from __future__ import annotations

import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.client import STALE_CONNECTION_NOTE, TokenClient
from oauth2_token_contract.suite.errors import TargetUnreachable
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.targets import Target
from tests.support.closing_server import closing_server

REQUESTS = 40


def _client(url: str, pacer: Pacer) -> TokenClient:
    target = Target(name="closing", kind="remote", base_url=url, client_id="id-1",
                    client_secret="secret-value-1", scopes=(), budget=None, allow_burst=False)  # fmt: skip
    return TokenClient(target, pacer, timeout=5.0)


def test_a_request_on_a_connection_closed_under_it_is_sent_again_fresh() -> None:
    pacer = Pacer(budget=None)
    with closing_server(drop=0.5, seed=7) as server:
        client = _client(server.url, pacer)
        try:
            exchanges = [client.grant() for _ in range(REQUESTS)]
        finally:
            client.close()
    assert [e.status for e in exchanges] == [200] * REQUESTS
    resent = [e for e in exchanges if e.notes == (STALE_CONNECTION_NOTE,)]
    assert len(resent) == server.drops > 0, "the server never dropped a reused connection"
    assert STALE_CONNECTION_NOTE in resent[0].describe()
    # Each resend is a request of its own: the budget counts both.
    assert pacer.sent == REQUESTS + server.drops


def test_a_target_that_drops_every_request_fails_with_a_curl_line() -> None:
    with closing_server(drop=1.0, drop_fresh=True) as server:
        client = _client(server.url, Pacer(budget=None))
        try:
            with pytest.raises(TargetUnreachable) as raised:
                client.grant()
        finally:
            client.close()
    assert raised.value.check == Check.TARGET_ANSWERS
    assert raised.value.curl.startswith("curl ") and server.url in raised.value.curl
    assert "secret-value-1" not in str(raised.value)
