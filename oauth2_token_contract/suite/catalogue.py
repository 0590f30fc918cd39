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
from oauth2_token_contract.suite.errors import NotApplicable
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.flows import burst_until_429, obtain_refresh_token, obtain_token

__all__ = ["CATALOGUE", "EdgeCase"]


@dataclass(frozen=True)
class EdgeCase:
    name: str
    summary: str
    run: Callable[[TokenClient], None]
    needs: frozenset[str] = field(default_factory=frozenset)  # "state", "burst"


REFUSED_PAST_LIMIT = ("invalid_request", "invalid_grant")


@dataclass(frozen=True)
class _Refused:
    """A case one request settles: ``send`` makes it, and the target must refuse it with one of ``codes``."""

    send: Callable[[TokenClient], Exchange]
    codes: tuple[str, ...]
    check: Check
    asked: str

    def __call__(self, client: TokenClient) -> None:
        error_is(client.context, self.send(client), *self.codes, check=self.check, asked=self.asked)


def _limit() -> int:
    limit = contract.load().refresh_token_max_length
    if limit is None:
        raise NotApplicable("the spec sets no maxLength for refresh_token: this case has no limit to test")
    return limit


def _past() -> int:
    """The length past which a token is tested: the spec's limit, else the documentation page's 4096
    (a token past it was never issued whatever the server's own limit)."""
    return contract.load().refresh_token_max_length or contract.STAND_IN_TOKEN_LIMIT


def _basic(client: TokenClient) -> tuple[str, str]:
    return ("Authorization", basic_header(client.target.client_id, client.target.client_secret))


def _refresh(client: TokenClient, token: str) -> Exchange:
    return client.grant("refresh_token", refresh_token=token, media="form")


def _real_token_padded(client: TokenClient) -> Exchange:
    token, _, _ = obtain_refresh_token(client)
    return _refresh(client, token + "A" * (max(_past() - len(token), 0) + 1))


def _conflicting_credentials(client: TokenClient) -> Exchange:
    params = {"grant_type": "client_credentials", "client_secret": client.target.client_secret + "-wrong"}
    return client.post(params, media="form", placement="basic")


def _burst_429(client: TokenClient) -> None:
    exchange = burst_until_429(client, max_requests=3000, max_seconds=20)
    require(
        client.context, exchange is not None, Check.BURST_MEETS_429, "no 429 within 3000 requests or 20 s"
    )
    assert exchange is not None
    retry_in_is_digits(client.context, exchange)


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
            _Refused(
                lambda client: _refresh(client, "r" * _limit()),
                ("invalid_grant",),
                Check.UNKNOWN_REFRESH_TOKEN_REFUSED,
                "an unknown refresh token exactly at the limit",
            ),
            frozenset({"state"}),
        ),
        EdgeCase(
            "refresh-token-4097",
            "a refresh token one over the limit: refused (invalid_request or invalid_grant)",
            _Refused(
                lambda client: _refresh(client, "r" * (_past() + 1)),
                REFUSED_PAST_LIMIT,
                Check.REFRESH_TOKEN_LIMIT_ENFORCED,
                "a refresh token one character past the limit",
            ),
        ),
        EdgeCase(
            "padded-refresh-token",
            "a real refresh token padded past the limit: refused, not truncated",
            _Refused(
                _real_token_padded,
                REFUSED_PAST_LIMIT,
                Check.NO_TRUNCATION,
                "a real refresh token padded past the limit",
            ),
            frozenset({"state"}),
        ),
        EdgeCase(
            "duplicate-grant-type",
            "grant_type sent twice in a form: invalid_request",
            _Refused(
                lambda client: client.post([("grant_type", "client_credentials")] * 2, media="form"),
                ("invalid_request",),
                Check.DUPLICATE_PARAMETER_REFUSED,
                "grant_type twice in a form",
            ),
        ),
        EdgeCase(
            "conflicting-credentials",
            "a right secret in Basic and a wrong one in the body: refused",
            _Refused(
                _conflicting_credentials,
                ("invalid_request", "invalid_client"),
                Check.CONFLICTING_CREDENTIALS_REFUSED,
                "a right secret in Basic, a wrong one in the body",
            ),
        ),
        EdgeCase(
            "burst-429",
            "grants until 429; X-Retry-In is milliseconds as digits",
            _burst_429,
            frozenset({"burst"}),
        ),
        EdgeCase(
            "malformed-json-nul",
            "a JSON body of one NUL byte: invalid_request at once",
            _Refused(
                lambda client: client.send(b"\x00", headers=[("Content-Type", JSON), _basic(client)]),
                ("invalid_request",),
                Check.MALFORMED_BODY_REFUSED,
                "a JSON body of one NUL byte",
            ),
        ),
        EdgeCase(
            "grant-type-uppercase",
            "CLIENT_CREDENTIALS: unsupported_grant_type",
            _Refused(
                lambda client: client.post({"grant_type": "CLIENT_CREDENTIALS"}, media="form"),
                ("unsupported_grant_type",),
                Check.GRANT_TYPE_MATCHED_EXACTLY,
                "grant_type CLIENT_CREDENTIALS",
            ),
        ),
        EdgeCase("form-plus-scope", "scopes joined by + in a form are spaces", _form_plus_scope),
        EdgeCase(
            "refresh-widening",
            "a refresh asking for more than the original grant",
            _refresh_widening,
            frozenset({"state"}),
        ),
    )
}
