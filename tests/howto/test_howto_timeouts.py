"""How to test a client's timeout: make the mock answer late."""

from __future__ import annotations

import time

import pytest

from tests.howto.example_client import TokenUnavailable


def test_a_slow_token_endpoint_is_given_up_on_and_retried(mock, credentials, make_client):
    """The next token request of this client is answered 3 s late; the application waits at most
    0.5 s, gives up on it, and gets its token from the retry.

    ``rule(..., delay=MS)`` scripts the delay for the next matching request only (``times=N`` for
    more); for one request you send yourself, the header ``MockControls.force(delay=MS)`` does the
    same. The journal shows both requests: the mock processed the slow one too.
    """
    mock.rule(client_id=credentials.client_id, delay=3000)
    app = make_client(timeout=0.5, retries=1)
    started = time.monotonic()
    assert app.access_token()
    assert time.monotonic() - started < 2.5  # the app did not sit out the server's delay
    assert mock.count(client_id=credentials.client_id) == 2


def test_a_client_without_retries_reports_the_timeout(mock, credentials, make_client):
    """With no retries left, the application's own error surfaces after its own timeout."""
    mock.rule(client_id=credentials.client_id, delay=3000)
    app = make_client(timeout=0.5, retries=0)
    started = time.monotonic()
    with pytest.raises(TokenUnavailable):
        app.access_token()
    assert time.monotonic() - started < 2
