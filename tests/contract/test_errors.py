"""The 400 paths: every RFC 6749 section 5.2 code the contract allows, each reached on purpose; the
body's shape; and no error ever repeats the secret it was sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_contract import strategies
from token_contract.checks import error_is, no_secret_echo
from token_contract.client import TokenClient
from token_spec import contract
from token_spec.names import Check

# Each error code and a request built to reach it; the codes come from the spec.
REACH = {
    "invalid_request": lambda c, m: c.post(
        {"scope": c.target.scopes[0] if c.target.scopes else "x"}, media=m
    ),
    "invalid_client": lambda c, m: c.post(
        {"grant_type": "client_credentials"}, media=m, client_secret=c.target.client_secret + "-wrong"
    ),
    "invalid_grant": lambda c, m: c.grant("refresh_token", refresh_token="never-issued-" + "0" * 40, media=m),
    "unsupported_grant_type": lambda c, m: c.post({"grant_type": "password"}, media=m),
    "invalid_scope": lambda c, m: c.grant(scope="/oauth2-token-contract.never-allowed", media=m),
}


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("code", [c for c in contract.load().error_codes if c in REACH])
def test_error_code_is_reachable(
    request: pytest.FixtureRequest, client: TokenClient, code: str, media: str
) -> None:
    if code == "invalid_grant":
        if not client.target.stateful:
            pytest.skip(f"{client.target.name} is stateless: it cannot tell issued refresh tokens apart")
        request.getfixturevalue("refresh_supported")
    error_is(REACH[code](client, media), code, check=Check.reached(code))


@pytest.mark.parametrize("media", ["json", "form"])
def test_unauthorized_client_is_reachable(client: TokenClient, media: str) -> None:
    """A client allowed client_credentials only asks to refresh: ``unauthorized_client``."""
    restricted = client.target.restricted_client
    if restricted is None:
        pytest.skip(f"{client.target.name}: no client limited to some grant types is known to the suite")
    exchange = client.post(
        {"grant_type": "refresh_token", "refresh_token": "whatever-token"},
        media=media,
        client_id=restricted.client_id,
        client_secret=restricted.client_secret,
    )
    error_is(exchange, "unauthorized_client", check=Check.UNAUTHORIZED_CLIENT_REACHED)


_BAD_REQUESTS = st.sampled_from(
    ["bad_grant", "bad_scope", "duplicate", "long_token", "wrong_type", "no_grant"]
)


@given(kind=_BAD_REQUESTS, media=strategies.media, placement=strategies.placements)
def test_errors_never_echo_the_secret(client: TokenClient, kind: str, media: str, placement: str) -> None:
    """Whatever went wrong, the answer does not contain the client secret the request carried."""
    params: list[tuple[str, object]] = {
        "bad_grant": [("grant_type", client.target.client_secret)],
        "bad_scope": [("grant_type", "client_credentials"), ("scope", client.target.client_secret)],
        "duplicate": [("grant_type", "client_credentials"), ("grant_type", "client_credentials")],
        "long_token": [
            ("grant_type", "refresh_token"),
            ("refresh_token", client.target.client_secret * (contract.load().refresh_token_max_length)),
        ],
        "wrong_type": [("grant_type", "client_credentials"), ("scope", 7)],
        "no_grant": [("scope", client.target.client_secret)],
    }[kind]
    if media == "form" and kind == "wrong_type":
        params = [("grant_type", "client_credentials"), ("scope", "a\x00b")]
    exchange = client.post(params, media=media, placement=placement)
    no_secret_echo(exchange)
    error_is(exchange, *contract.load().error_codes, check=Check.ERROR_BODY_CONFORMS)
