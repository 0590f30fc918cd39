"""How to check how often a client asked for a token: ask the journal, do not read it all."""

from __future__ import annotations

import threading


def test_the_client_fetches_its_token_exactly_once(mock, credentials, make_client):
    """Ten calls that need a token, one token request: ``mock.count(...)`` answers the question."""
    app = make_client()
    tokens = {app.access_token() for _ in range(10)}
    assert len(tokens) == 1
    assert mock.count(client_id=credentials.client_id, grant_type="client_credentials") == 1


def test_wait_for_a_request_made_in_the_background(mock, credentials, make_client):
    """An application that fetches its token on a worker thread: ``mock.wait_for(...)`` returns as
    soon as the request arrives (bounded by ``timeout``), so the test never sleeps."""
    app = make_client()
    worker = threading.Thread(target=app.access_token)
    worker.start()
    entries = mock.wait_for(client_id=credentials.client_id, timeout=5)
    worker.join()
    assert entries[0]["status"] == 200
    assert mock.count(client_id=credentials.client_id) == 1
