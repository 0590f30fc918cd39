"""Issued tokens are unique (no two grants share an access token or a new refresh token) and long
enough to be unguessable."""

from __future__ import annotations

import math
from collections.abc import Iterable

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.jwt_claims import is_jwt
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.checks.sent import sent_parameter
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["MIN_TOKEN_LENGTH", "tokens_unguessable", "tokens_unique"]

# RFC 6749 section 10.10: the chance of guessing a token is at most 2^-128. A token is VSCHAR
# (Appendix A: 95 characters), so fewer than ceil(128 / log2(95)) = 20 characters cannot hold it,
# whatever the alphabet or the randomness behind them.
MIN_TOKEN_LENGTH = math.ceil(128 / math.log2(95))


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


@check(Check.TOKENS_UNGUESSABLE, status=200, method="POST")
def tokens_unguessable(ctx: CheckContext, exchange: Exchange) -> None:
    """Every token a 200 hands out has at least :data:`MIN_TOKEN_LENGTH` characters (RFC 6749 10.10).

    Length is all the suite can measure: a long token may still be predictable, but a short one is
    guessable whatever made it. An empty or non-string token is ``token_response_conforms``' to judge.
    """
    body = exchange.json()
    if not isinstance(body, dict):
        return
    for field in ("access_token", "refresh_token"):
        token = body.get(field)
        if isinstance(token, str) and 0 < len(token) < MIN_TOKEN_LENGTH:
            fail(
                Check.TOKENS_UNGUESSABLE,
                f"{field} has {len(token)} characters: too few for the 2^-128 chance of guessing it that "
                f"RFC 6749 10.10 asks (at least {MIN_TOKEN_LENGTH} VSCHAR characters)",
                exchange,
            )
