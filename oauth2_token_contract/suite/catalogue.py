"""Named edge cases QA can replay one at a time against any target (``python -m oauth2_token_contract replay
NAME``).

Each case sends a few requests built to reach one corner of the contract and judges the answers with
the same checks the suite uses; the replay tool prints every exchange, redacted, with a curl line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import (
    error_is,
    expect_status,
    granted,
    refresh_never_widens_scope,
    require,
    retry_in_is_digits,
)
from oauth2_token_contract.suite.client import FORM, JSON, TokenClient, basic_header
from oauth2_token_contract.suite.flows import burst_until_429, obtain_refresh_token, obtain_token

__all__ = ["CATALOGUE", "EdgeCase"]


@dataclass(frozen=True)
class EdgeCase:
    name: str
    summary: str
    run: Callable[[TokenClient], None]
    needs: frozenset[str] = field(default_factory=frozenset)  # "state", "burst"


REFUSED_PAST_LIMIT = ("invalid_request", "invalid_grant")


def _limit() -> int:
    return contract.load().refresh_token_max_length


def _basic(client: TokenClient) -> tuple[str, str]:
    return ("Authorization", basic_header(client.target.client_id, client.target.client_secret))


def _refresh_token_4097(client: TokenClient) -> None:
    exchange = client.grant("refresh_token", refresh_token="r" * (_limit() + 1), media="form")
    error_is(
        client.context,
        exchange,
        *REFUSED_PAST_LIMIT,
        check=Check.REFRESH_TOKEN_LIMIT_ENFORCED,
        asked="a refresh token one character past the limit",
    )


def _refresh_token_4096(client: TokenClient) -> None:
    exchange = client.grant("refresh_token", refresh_token="r" * _limit(), media="form")
    error_is(
        client.context,
        exchange,
        "invalid_grant",
        check=Check.UNKNOWN_REFRESH_TOKEN_REFUSED,
        asked="an unknown refresh token exactly at the limit",
    )


def _padded_refresh_token(client: TokenClient) -> None:
    token, _, _ = obtain_refresh_token(client)
    padded = token + "A" * (_limit() - len(token) + 1)
    exchange = client.grant("refresh_token", refresh_token=padded, media="form")
    error_is(
        client.context,
        exchange,
        *REFUSED_PAST_LIMIT,
        check=Check.NO_TRUNCATION,
        asked="a real refresh token padded past the limit",
    )


def _duplicate_grant_type(client: TokenClient) -> None:
    pairs = [("grant_type", "client_credentials"), ("grant_type", "client_credentials")]
    error_is(
        client.context,
        client.post(pairs, media="form"),
        "invalid_request",
        check=Check.DUPLICATE_PARAMETER_REFUSED,
        asked="grant_type twice in a form",
    )


def _conflicting_credentials(client: TokenClient) -> None:
    params = {"grant_type": "client_credentials", "client_secret": client.target.client_secret + "-wrong"}
    exchange = client.post(params, media="form", placement="basic")
    error_is(
        client.context,
        exchange,
        "invalid_request",
        "invalid_client",
        check=Check.CONFLICTING_CREDENTIALS_REFUSED,
        asked="a right secret in Basic, a wrong one in the body",
    )


def _burst_429(client: TokenClient) -> None:
    exchange = burst_until_429(client, max_requests=3000, max_seconds=20)
    require(
        client.context, exchange is not None, Check.BURST_MEETS_429, "no 429 within 3000 requests or 20 s"
    )
    assert exchange is not None
    retry_in_is_digits(client.context, exchange)


def _malformed_json_nul(client: TokenClient) -> None:
    exchange = client.send(b"\x00", headers=[("Content-Type", JSON), _basic(client)])
    error_is(
        client.context,
        exchange,
        "invalid_request",
        check=Check.MALFORMED_BODY_REFUSED,
        asked="a JSON body of one NUL byte",
    )


def _grant_type_uppercase(client: TokenClient) -> None:
    exchange = client.post({"grant_type": "CLIENT_CREDENTIALS"}, media="form")
    error_is(
        client.context,
        exchange,
        "unsupported_grant_type",
        check=Check.GRANT_TYPE_MATCHED_EXACTLY,
        asked="grant_type CLIENT_CREDENTIALS",
    )


def _form_plus_scope(client: TokenClient) -> None:
    scopes = client.target.scopes
    body = ("grant_type=client_credentials&scope=" + "+".join(scopes)).encode()
    exchange = client.send(body, headers=[("Content-Type", FORM), _basic(client)])
    expect_status(
        client.context, exchange, 200, check=Check.FORM_SPACE_DECODED, asked="scopes joined by + in a form"
    )
    got = granted(exchange, " ".join(scopes), scopes)
    require(
        client.context,
        got and got <= set(scopes),
        Check.FORM_SPACE_DECODED,
        f"granted {sorted(got)}",
        exchange,
    )


def _refresh_widening(client: TokenClient) -> None:
    scopes = client.target.scopes
    token, original, _ = obtain_refresh_token(client, scopes[0] if scopes else None)
    exchange = client.grant("refresh_token", refresh_token=token, scope=" ".join(scopes), media="form")
    if exchange.status == 200:
        refresh_never_widens_scope(client.context, exchange, original)
    else:
        error_is(
            client.context,
            exchange,
            "invalid_scope",
            check=Check.REFRESH_NEVER_WIDENS_SCOPE,
            asked="a refresh asking for more than the original grant",
        )


def _happy_path(client: TokenClient) -> None:
    obtain_token(client)


CATALOGUE: dict[str, EdgeCase] = {
    case.name: case
    for case in (
        EdgeCase("client-credentials", "a plain client_credentials grant, Basic credentials", _happy_path),
        EdgeCase(
            "refresh-token-4096",
            "an unknown refresh token exactly at the limit: invalid_grant",
            _refresh_token_4096,
            frozenset({"state"}),
        ),
        EdgeCase(
            "refresh-token-4097",
            "a refresh token one over the limit: refused (invalid_request or invalid_grant)",
            _refresh_token_4097,
        ),
        EdgeCase(
            "padded-refresh-token",
            "a real refresh token padded past the limit: refused, not truncated",
            _padded_refresh_token,
            frozenset({"state"}),
        ),
        EdgeCase(
            "duplicate-grant-type", "grant_type sent twice in a form: invalid_request", _duplicate_grant_type
        ),
        EdgeCase(
            "conflicting-credentials",
            "a right secret in Basic and a wrong one in the body: refused",
            _conflicting_credentials,
        ),
        EdgeCase(
            "burst-429",
            "grants until 429; X-Retry-In is milliseconds as digits",
            _burst_429,
            frozenset({"burst"}),
        ),
        EdgeCase(
            "malformed-json-nul", "a JSON body of one NUL byte: invalid_request at once", _malformed_json_nul
        ),
        EdgeCase("grant-type-uppercase", "CLIENT_CREDENTIALS: unsupported_grant_type", _grant_type_uppercase),
        EdgeCase("form-plus-scope", "scopes joined by + in a form are spaces", _form_plus_scope),
        EdgeCase(
            "refresh-widening",
            "a refresh asking for more than the original grant",
            _refresh_widening,
            frozenset({"state"}),
        ),
    )
}
