"""Correct variants: servers that use the latitude the contract and RFC 6749 leave, each one choice.

The suite must pass every one of them, as it must pass the mock as shipped; each is a false alarm
waiting to happen when a check is stricter than the rules (``oauth2_token_contract/spec/rules.py`` says what
each rule allows). ``Correct.allows`` names the rule whose latitude the variant uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    MockError,
    RateLimited,
)
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response, stamp
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.tokens import TokenMinter
from oauth2_token_contract.mock.validation import RequestValidator
from oauth2_token_contract.spec.contract import STAND_IN_TOKEN_LIMIT
from selfcheck.faults.model import CC_ONLY_CLIENT, JWT_CLIENT, Correct
from selfcheck.faults.rate_limit import NoRetryIn
from selfcheck.faults.token_limit import LengthBlindValidator
from selfcheck.faults.wire import LengthRequiredParser

__all__ = ["CORRECT"]


class InvalidGrantPastTheLimit(RequestValidator):
    """A refresh token past the limit called unknown (invalid_grant) rather than malformed."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.limit = settings.contract.refresh_token_max_length or STAND_IN_TOKEN_LIMIT

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if isinstance(token, str) and len(token) > self.limit:
            raise InvalidGrant("the refresh token is invalid")
        super().validate(params)


class NotFoundForOtherMethods(ResponseRenderer):
    def method_not_allowed(self, allowed: str = "POST") -> Response:
        return self.not_found()


class UnknownScopeDropped(Grants):
    """Scopes the client may not have are left out of the grant (which says what it granted)."""

    @staticmethod
    def scope_within(params: dict[str, Any], allowed: frozenset[str]) -> frozenset[str]:
        requested = params.get("scope")
        if requested is None:
            return allowed
        kept = frozenset(requested.split(" ")) & allowed
        if not kept:
            raise InvalidScope("none of the requested scopes may be granted")
        return kept


class TokenTypeCapitalised(ResponseRenderer):
    """``Opaque`` and ``JWT``: RFC 6749 section 5.1 makes token_type case insensitive."""

    def token_body(self, issued: Issued) -> dict[str, Any]:
        body = super().token_body(issued)
        body["token_type"] = "JWT" if issued.token_type == "jwt" else issued.token_type.capitalize()
        return body


class NoExpiresIn(ResponseRenderer):
    def token_body(self, issued: Issued) -> dict[str, Any]:
        body = super().token_body(issued)
        del body["expires_in"]
        return body


class NoRotation(Grants):
    """A refresh hands back the refresh token it was sent, which stays valid (RFC 6749 section 6)."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        token = params.get("refresh_token")
        record = self.store.get(token or "", self.clock.now())
        issued = super().refresh_token(client, params)
        if record is not None and isinstance(token, str):
            self.store.add(token, record, self.clock.now())
            if issued.refresh_token is not None:
                self.store.consume(issued.refresh_token)
            return issued._replace(refresh_token=token)
        return issued


class NoNewRefreshToken(Grants):
    """A refresh issues no new refresh token; the one sent stays valid."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        token = params.get("refresh_token")
        record = self.store.get(token or "", self.clock.now())
        issued = super().refresh_token(client, params)
        if record is not None and isinstance(token, str):
            self.store.add(token, record, self.clock.now())
        if issued.refresh_token is not None:
            self.store.consume(issued.refresh_token)
        return issued._replace(refresh_token=None)


class OldRefreshTokenKept(Grants):
    """After a rotation the old refresh token still works (the server MAY revoke it, section 6)."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        token = params.get("refresh_token")
        record = self.store.get(token or "", self.clock.now())
        issued = super().refresh_token(client, params)
        if record is not None and isinstance(token, str):
            self.store.add(token, record, self.clock.now())
        return issued


class JsonDuplicatesLastWins(RequestParser):
    """A repeated JSON key read as JSON parsers read it (the last wins); form duplicates refused."""

    def parse_json(self, text: str) -> dict[str, Any]:
        try:
            return super().parse_json(text)
        except MockError:
            stripped = self._last_wins(text)
            if stripped is None:
                raise
            return super().parse_json(stripped)

    def _last_wins(self, text: str) -> str | None:
        import json

        try:
            value = json.loads(text)  # a dict per object: the last of a repeated key wins
        except ValueError:
            return None
        return json.dumps(value) if isinstance(value, dict) else None  # an array is still no object


class BothMethodsAcceptedWhenEqual(Authenticator):
    """Basic and the same secret in the body accepted; a body secret that differs still refused."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        secret = params.get("client_secret")
        if basic is not None and basic.client_id is not None and secret == basic.client_secret:
            params = {k: v for k, v in params.items() if k != "client_secret"}
        return super().authenticate(basic, params)


class BareRateLimit(ResponseRenderer):
    """A 429 with X-Retry-In and Retry-After, and no body."""

    def rate_limited(self, error: RateLimited) -> Response:
        seconds = str(max(1, -(-error.retry_in_ms // 1000)))
        headers = {self.retry_header: str(error.retry_in_ms), "Retry-After": seconds}
        return Response(b"", 429, headers)


class RetryInWholeSeconds(ResponseRenderer):
    """X-Retry-In rounded up to whole seconds, as a server that converts its Retry-After does."""

    def rate_limited(self, error: RateLimited) -> Response:
        error.retry_in_ms = max(1, -(-error.retry_in_ms // 1000)) * 1000
        return super().rate_limited(error)


class ChattyHeadersAndErrors(ResponseRenderer):
    """More than the minimum: extra cache directives, a charset, error_uri and extra members."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.token_headers = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}

    def token(self, issued: Issued) -> Response:
        response = json_response(200, self.token_body(issued), self.token_headers)
        response.headers["content-type"] = "application/json; charset=UTF-8"
        return response

    def error_body(self, error: MockError, status: int = 400) -> dict[str, Any]:
        body = super().error_body(error, status)
        return {**body, "error_uri": "https://docs.example.com/oauth2/errors", "trace_id": "abc123"}


class InvalidClient401(ResponseRenderer):
    """``invalid_client`` as 401 with a Basic challenge, as RFC 6749 5.2 allows (and requires after
    Basic); authlib and django-oauth-toolkit answer so."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, InvalidClient):
            return json_response(401, self.error_body(error), {"WWW-Authenticate": 'Basic realm="token"'})
        return super().error(error)


class RequestIdUpperCase(ResponseRenderer):
    """``X-Request-Id`` with its uuid in upper-case hex: header names are case insensitive (RFC 9110
    section 5.1), and so are a uuid's hex digits (RFC 9562 section 4)."""

    def stamp(self, response: Response) -> Response:
        made = [(name.title(), _upper(maker)) for name, maker in self.fresh.get(response.status_code, [])]
        return stamp(response, made)


def _upper(maker: Callable[[], str]) -> Callable[[], str]:
    return lambda: maker().upper()


class DeterministicJwt(TokenMinter):
    """JWTs without a jti: two grants in the same second for the same scope get the same token."""

    def claims(self, client: ClientConfig, scope: str, issued_at: int) -> dict[str, Any]:
        claims = super().claims(client, scope, issued_at)
        del claims["jti"]
        return claims


CORRECT: dict[str, Correct] = {
    c.name: c
    for c in (
        Correct("opaque", "the mock as shipped; the suite speaks for the spec's example client"),
        Correct("jwt", "the suite speaks for the client that gets JWTs", suite_client=JWT_CLIENT),
        Correct("tight-rate-limit", "every client limited to 20 requests a second", rate_limit="20/second"),
        Correct(
            "client-credentials-only",
            "the suite speaks for a client limited to client_credentials, without refresh tokens",
            suite_client=CC_ONLY_CLIENT,
        ),
        Correct(
            "refresh-token-length-unchecked",
            "no length check: a client_credentials grant ignores refresh_token, a refresh looks it up",
            overrides={"validator": LengthBlindValidator},
            allows="L1",
        ),
        Correct(
            "invalid-grant-past-the-limit",
            "a refresh token past 4096 characters is invalid_grant",
            overrides={"validator": InvalidGrantPastTheLimit},
            allows="L1",
        ),
        Correct(
            "404-for-other-methods",
            "GET and the rest answered 404",
            overrides={"renderer": NotFoundForOtherMethods},
            allows="A10",
        ),
        Correct(
            "unknown-scope-dropped",
            "scopes the client may not have are dropped, the rest granted",
            overrides={"grants": UnknownScopeDropped},
            allows="R6",
        ),
        Correct(
            "token-type-capitalised",
            "token_type Opaque or JWT",
            overrides={"renderer": TokenTypeCapitalised},
            allows="A2",
        ),
        Correct(
            "token-type-capitalised-jwt",
            "token_type JWT to the client that gets JWTs",
            overrides={"renderer": TokenTypeCapitalised},
            suite_client=JWT_CLIENT,
            allows="A2",
        ),
        Correct(
            "no-expires-in",
            "no expires_in in token answers",
            overrides={"renderer": NoExpiresIn},
            allows="A2",
        ),
        Correct(
            "no-rotation",
            "a refresh hands back the same refresh token",
            overrides={"grants": NoRotation},
            allows="S5",
        ),
        Correct(
            "no-new-refresh-token",
            "a refresh issues no new refresh token",
            overrides={"grants": NoNewRefreshToken},
            allows="S5",
        ),
        Correct(
            "old-refresh-token-kept",
            "after a rotation the old refresh token still works",
            overrides={"grants": OldRefreshTokenKept},
            allows="S5",
        ),
        Correct(
            "json-duplicates-last-wins",
            "a repeated JSON key: the last one wins",
            overrides={"parser": JsonDuplicatesLastWins},
            allows="E4",
        ),
        Correct(
            "both-methods-accepted-when-equal",
            "Basic and the same secret in the body accepted",
            overrides={"authenticator": BothMethodsAcceptedWhenEqual},
            allows="E10",
        ),
        Correct(
            "bare-429",
            "a 429 without a body, with Retry-After beside X-Retry-In",
            overrides={"renderer": BareRateLimit},
            allows="T2",
        ),
        Correct(
            "retry-in-whole-seconds",
            "X-Retry-In rounded up to whole seconds",
            overrides={"renderer": RetryInWholeSeconds},
            allows="T4",
        ),
        Correct(
            "chatty-answers",
            "extra cache directives, a charset, error_uri and extra error members",
            overrides={"renderer": ChattyHeadersAndErrors},
            allows="A4",
        ),
        Correct(
            "invalid-client-401",
            "invalid_client answered 401 with a Basic challenge",
            overrides={"renderer": InvalidClient401},
            allows="A1",
        ),
        Correct(
            "slow-limit-no-wait-hint",
            "30 requests per 5 s per client, each 429 naming no wait (RFC 6585: the header is optional)",
            rate_limit="30 per 5 seconds",
            overrides={"renderer": NoRetryIn},
            allows="T2",
        ),
        Correct(
            "request-id-upper-case",
            "X-Request-Id named so, its uuid in upper-case hex",
            overrides={"renderer": RequestIdUpperCase},
            allows="A12",
        ),
        Correct(
            "deterministic-jwt",
            "JWTs without jti: the same token within a second",
            overrides={"minter": DeterministicJwt},
            suite_client=JWT_CLIENT,
            allows="S1",
        ),
        Correct(
            "chunked-length-required",
            "a body without a Content-Length (chunked) answered 411 Length Required",
            overrides={"parser": LengthRequiredParser},
            allows="E20",
        ),
    )
}
