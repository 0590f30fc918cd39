"""A ``jwt`` access token read without verifying it: its claims must agree with the answer."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.checks.registry import check, fail
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["JWT_SLACK", "is_jwt", "jwt_agrees_with_response"]

# Seconds of slack between a JWT's times and the answer's: clocks and the round trip.
JWT_SLACK = 5


def _unverified_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"{len(parts)} dot-separated parts, a JWS has 3")

    def part(text: str) -> dict[str, Any]:
        decoded = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(decoded, dict):
            raise ValueError("a JWT part is not a JSON object")
        return decoded

    return part(parts[0]), part(parts[1])


def is_jwt(token: str) -> bool:
    try:
        _unverified_jwt(token)
    except ValueError:
        return False
    return True


def _claimed_scope(claims: dict[str, Any]) -> set[str] | None:
    """The scope a JWT claims: ``scope`` (RFC 9068, space-delimited) or ``scp`` (a list)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return set(value.split())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return set(value)
    return None


def _says_jwt(exchange: Exchange) -> bool:
    body = exchange.json()
    return isinstance(body, dict) and str(body.get("token_type", "")).lower() == "jwt"


@check(Check.JWT_AGREES_WITH_RESPONSE, status=200, when=_says_jwt)
def jwt_agrees_with_response(ctx: CheckContext, exchange: Exchange, *, now: float | None = None) -> None:
    """A ``jwt`` token is a JWT whose claims agree with the answer: ``exp`` is now + ``expires_in``
    (when both are given), ``iat`` is not in the future, a scope claim is the granted scope."""
    body = exchange.json()
    name = Check.JWT_AGREES_WITH_RESPONSE
    try:
        header, claims = _unverified_jwt(str(body.get("access_token", "")))
    except ValueError as exc:
        fail(
            name,
            f"token_type is jwt but access_token is not a JWT: {exc}",
            exchange,
            cause="token_type is jwt but access_token is not a JWT",
        )
    if "alg" not in header:
        fail(name, "the JWT header has no alg", exchange)
    moment = now or time.time()
    slack = JWT_SLACK + exchange.elapsed
    expires_in = body.get("expires_in")
    exp = claims.get("exp")
    if exp is not None and not isinstance(exp, int | float):
        fail(name, "the JWT's exp is not a number", exchange)
    if isinstance(exp, int | float) and isinstance(expires_in, int | float):
        # The RFC's lifetime, or (TOKEN_API_EXPIRES_IN=spec) the timestamp a spec may call it.
        by_spec = os.environ.get("TOKEN_API_EXPIRES_IN", "rfc") == "spec"
        expected = expires_in if by_spec else moment + expires_in
        if abs(exp - expected) > slack:
            fail(
                name,
                f"JWT exp is {exp:.0f}, but now + expires_in is {expected:.0f}",
                exchange,
                cause="the JWT's exp disagrees with expires_in",
            )
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat > moment + slack:
        fail(
            name,
            f"JWT iat {iat:.0f} is in the future (now {moment:.0f})",
            exchange,
            cause="the JWT's iat is in the future",
        )
    claimed = _claimed_scope(claims)
    stated = body.get("scope")
    if claimed is not None and isinstance(stated, str) and claimed != set(stated.split()):
        fail(
            name,
            f"the JWT claims scope {sorted(claimed)}, the answer grants {sorted(stated.split())}",
            exchange,
            cause="the JWT's scope claim disagrees with the granted scope",
        )
