"""Issued tokens are unique: no two grants share an access token or a new refresh token."""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.jwt_claims import is_jwt
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.checks.sent import sent_parameter
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["tokens_unique"]


@check(Check.TOKENS_UNIQUE, every_answer=False)
def tokens_unique(ctx: CheckContext, exchanges: Iterable[Exchange]) -> None:
    """No two grants share an access token or a new refresh token.

    A refresh that hands back the refresh token it was sent (no rotation) is allowed to; so are two
    identical JWTs the server may have minted within one second of its clock (a signer without
    ``jti`` makes the same token from the same claims): the later request sent less than a second
    after the earlier answer arrived. Not a second apart.
    """
    seen: dict[str, Exchange] = {}
    for exchange in exchanges:
        body = exchange.json() or {}
        for field in ("access_token", "refresh_token"):
            token = body.get(field)
            if not isinstance(token, str) or token == sent_parameter(exchange, "refresh_token"):
                continue
            earlier = seen.get(token)
            if earlier is not None:
                sent = exchange.answered_at - exchange.elapsed
                same_second = sent - earlier.answered_at < 1.0
                if not (field == "access_token" and same_second and is_jwt(token)):
                    fail(Check.TOKENS_UNIQUE, f"{field} was already issued to an earlier grant", exchange)
            seen[token] = exchange
