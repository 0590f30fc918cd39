"""How to test token expiry without waiting: move the mock's clock (and the application's)."""

from __future__ import annotations

from oauth2_token_contract.mock.controls_client import statuses


def test_an_expired_access_token_is_refreshed(mock, credentials, clocks, make_client):
    """15 minutes pass in an instant: the application notices its access token expired and uses
    its refresh token, once.

    ``mock.clock.advance(seconds)`` moves the mock's time (token expiry, JWT ``iat``/``exp``,
    refresh-token lifetimes, rate windows); the application's clock is injected and moved with it.
    """
    app = make_client(clock=clocks.now)
    first = app.access_token()
    assert app.access_token() == first  # cached while valid
    clocks.advance(15 * 60)
    assert app.access_token() != first
    grants = [entry["params"]["grant_type"] for entry in mock.requests(client_id=credentials.client_id)]
    assert grants == ["client_credentials", "refresh_token"]


def test_a_refresh_token_that_expired_overnight_means_starting_over(mock, credentials, clocks, make_client):
    """A night passes: the refresh token is past its lifetime, the mock answers ``invalid_grant``,
    and the application falls back to client credentials instead of failing."""
    app = make_client(clock=clocks.now)
    app.access_token()
    clocks.advance(25 * 3600)
    assert app.access_token()
    entries = mock.requests(client_id=credentials.client_id)
    assert [entry["params"]["grant_type"] for entry in entries] == [
        "client_credentials",
        "refresh_token",
        "client_credentials",
    ]
    assert statuses(entries) == [200, 400, 200]
    assert entries[1]["response"]["error"] == "invalid_grant"
