"""How to test a client's retry after 429: script the 429s."""

from __future__ import annotations

import itertools
import time

from oauth2_token_contract.mock.controls_client import statuses


def test_the_client_waits_x_retry_in_after_429(mock, credentials, make_client):
    """ "The next two requests from this client get 429 with X-Retry-In 1500, then normal answers."

    One rule scripts it; the journal then shows what the client did: two 429s, then a 200, and
    (from the entries' times) that it waited at least X-Retry-In before each retry.
    """
    mock.rule(client_id=credentials.client_id, times=2, code=429, retry_in=1500)
    app = make_client(retries=3)
    started = time.monotonic()
    assert app.access_token()
    assert time.monotonic() - started >= 3.0
    entries = mock.requests(client_id=credentials.client_id)
    assert statuses(entries) == [429, 429, 200]
    gaps = [later["time"] - earlier["time"] for earlier, later in itertools.pairwise(entries)]
    assert all(gap >= 1.5 for gap in gaps), gaps
    assert mock.rules() == []  # the rule is used up: the mock answers normally again
