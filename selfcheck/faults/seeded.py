"""Seeded faults: realistic mistakes of token endpoints, each a small named override of the real mock.

A fault is never a second implementation: it subclasses one component and changes one thing, so what
it gets wrong is exactly what its name says. This is the first corpus, written beside the checks;
``matrix.py`` adds the faults the rule matrix showed missing. Overrides are grouped below by the
component they replace.
"""

from __future__ import annotations

import asyncio
from base64 import b64decode
from collections.abc import Callable
from typing import Any, ClassVar

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    MockError,
    RateLimited,
    UnsupportedGrantType,
)
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.responses import ResponseRenderer, json_response
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from oauth2_token_contract.mock.tokens import TokenMinter
from oauth2_token_contract.mock.validation import RequestValidator
from starlette.responses import Response

from selfcheck.faults.model import JWT_CLIENT, Fault

__all__ = ["SEEDED"]


# -- renderer: what the answers look like ----------------------------------------------------------
class BearerTokenType(ResponseRenderer):
    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "token_type": "Bearer"}


class ExpiresInString(ResponseRenderer):
    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "expires_in": str(issued.expires_in)}


class CacheableTokens(ResponseRenderer):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.token_headers = {}


class RetryInSeconds(ResponseRenderer):
    def rate_limited(self, error: Any) -> Any:
        error.retry_in_ms = max(1, error.retry_in_ms // 1000)
        return super().rate_limited(error)


class RetryInOverstated(ResponseRenderer):
    """Announces four times the real wait (a "safe" constant multiplier)."""

    def rate_limited(self, error: Any) -> Any:
        error.retry_in_ms *= 4
        return super().rate_limited(error)


class NoRetryIn(ResponseRenderer):
    def rate_limited(self, error: RateLimited) -> Response:
        return json_response(error.status, self.error_body(error))


class RateLimited503(ResponseRenderer):
    """Over budget answered as "service unavailable", as some gateways do."""

    def rate_limited(self, error: RateLimited) -> Response:
        return json_response(503, self.error_body(error), {self.retry_header: str(error.retry_in_ms)})


class ErrorsAsText(ResponseRenderer):
    """Errors as a plain-text line, the framework's default, instead of the RFC's JSON object."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, RateLimited):
            return super().error(error)
        return Response(f"{error.code}: {error.description or ''}", error.status, media_type="text/plain")


class InvalidClient401(ResponseRenderer):
    """``invalid_client`` as 401 with a challenge: RFC 6749 allows it, this contract does not."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, InvalidClient):
            return json_response(401, self.error_body(error), {"WWW-Authenticate": 'Basic realm="token"'})
        return super().error(error)


# -- minter: the tokens themselves ----------------------------------------------------------------
class CachedAccessToken(TokenMinter):
    """One access token per client, handed out again on every grant."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.cache: dict[str, str] = {}

    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.cache.setdefault(client.client_id, super().mint_opaque(client, scope, issued_at))


class OverlongAccessToken(TokenMinter):
    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return super().mint_opaque(client, scope, issued_at) * (self.max_length // 40 + 1)


class OpaqueCalledJwt(TokenMinter):
    """The jwt client gets an opaque string while the answer still says ``jwt``."""

    def mint_jwt(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.mint_opaque(client, scope, issued_at)


class JwtExpInMilliseconds(TokenMinter):
    def claims(self, client: ClientConfig, scope: str, issued_at: int) -> dict[str, Any]:
        claims = super().claims(client, scope, issued_at)
        return {**claims, "exp": claims["exp"] * 1000}


# -- authenticator: who is asking ------------------------------------------------------------------
class SecretNotChecked(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidClient("client authentication failed")
        return client


class BodyCredentialsRefused(Authenticator):
    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        if basic is None:
            raise InvalidClient("client authentication failed")
        return super().authenticate(basic, params)


class BasicRefused(Authenticator):
    def read_basic(self, authorization: bytes | None) -> BasicCredentials | None:
        basic = super().read_basic(authorization)
        return basic if basic is None else BasicCredentials(None)


class BasicNotFormDecoded(Authenticator):
    """Uses the Basic id and secret as base64 gave them, without the form-url-decoding of 2.3.1."""

    def read_basic(self, authorization: bytes | None) -> BasicCredentials | None:
        basic = super().read_basic(authorization)
        if basic is None or basic.client_id is None or authorization is None:
            return basic
        raw_id, _, raw_secret = b64decode(authorization.partition(b" ")[2].strip()).decode().partition(":")
        return BasicCredentials(raw_id, raw_secret)


class BothMethodsAccepted(Authenticator):
    """Basic plus a body secret: the body secret is silently ignored instead of refused."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        if basic is not None and basic.client_id is not None:
            params = {k: v for k, v in params.items() if k != "client_secret"}
        return super().authenticate(basic, params)


class UnknownClientInvalidGrant(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        if client_id not in self.clients:
            raise InvalidGrant("unknown client")
        return super().verify(client_id, secret)


class SecretInErrorDescription(Authenticator):
    """A "helpful" description that quotes the credentials it refused."""

    def verify(self, client_id: str, secret: str) -> ClientConfig:
        try:
            return super().verify(client_id, secret)
        except InvalidClient:
            raise InvalidClient(f"no client {client_id} with secret {secret}") from None


# -- parser: reading the body ------------------------------------------------------------------------
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class FormRefused(RequestParser):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.decoders.pop(FORM, None)


class JsonRefused(RequestParser):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.decoders.pop(JSON, None)


class CharsetRefused(RequestParser):
    """Compares the whole Content-Type, so ``; charset=utf-8`` makes it unknown."""

    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        if content_type is not None and b";" in content_type:
            raise InvalidRequest("unsupported Content-Type")
        return super().decoder(content_type)


class AnyContentTypeIsJson(RequestParser):
    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        try:
            return super().decoder(content_type)
        except InvalidRequest:
            return self.parse_json


class FormPlusKept(RequestParser):
    """Percent-decodes the form but leaves ``+`` as a plus, not a space."""

    def parse_form(self, text: str) -> dict[str, Any]:
        return super().parse_form(text.replace("+", "%2B"))


class DuplicatesAccepted(RequestParser):
    """A repeated parameter: the last one wins, as in a plain dict."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return super().collect(list(dict(pairs).items()))


class UnknownParametersRefused(RequestParser):
    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if any(name not in self.known for name, _ in pairs):
            raise InvalidRequest("unknown parameter")
        return super().collect(pairs)


class EmptyParametersKept(RequestParser):
    """An empty value is taken as given instead of as omitted (RFC 6749 section 3.1)."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        params = super().collect(pairs)
        params.update((name, value) for name, value in pairs if value == "" and name in self.known)
        return params


class ServerError(MockError):
    status = 500
    code = "server_error"


class MalformedJson500(RequestParser):
    """The JSON decoder's exception escapes as a 500."""

    def parse_json(self, text: str) -> dict[str, Any]:
        try:
            return super().parse_json(text)
        except InvalidRequest:
            raise ServerError from None


class StallOnLargeBody(RequestParser):
    """Bodies past 4 KiB (a token near the limit) wait longer than any client does (bounded, so the
    server still stops)."""

    threshold: ClassVar[int] = 4 * 1024
    stall_seconds: ClassVar[float] = 12.0

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if len(body) > self.threshold:
            await asyncio.sleep(self.stall_seconds)
        return body


# -- validator: the request schema -------------------------------------------------------------------
class CaseInsensitiveGrantType(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, str):
            params["grant_type"] = value.strip().lower()
        return super().grant_type(params)


class TrimmedGrantType(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, str):
            params["grant_type"] = value.strip()
        return super().grant_type(params)


class MissingGrantTypeUnsupported(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        if params.get("grant_type") is None:
            raise UnsupportedGrantType("the grant type is not supported")
        return super().grant_type(params)


class LengthBlindValidator(RequestValidator):
    """Does not enforce the refresh token's maxLength (the truncating server's other half)."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.limit = settings.contract.refresh_token_max_length

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if isinstance(token, str) and len(token) > self.limit:
            return super().validate({**params, "refresh_token": token[: self.limit]})
        return super().validate(params)


# -- grants: what is granted -------------------------------------------------------------------------
class WideningRefresh(Grants):
    """A refresh grants what was asked for, checked against the client's allowance, not the grant's."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Any:
        record = self.store.get(params.get("refresh_token", ""), self.clock.now())
        if record is not None:
            self.store.consume(params["refresh_token"])
            return self.issue(client, self.scope_within(params, client.scopes), client.scopes)
        return super().refresh_token(client, params)


class AnyRefreshTokenAccepted(Grants):
    """An unknown refresh token is taken as a fresh grant of the client's scopes."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if self.store.get(params.get("refresh_token", ""), self.clock.now()) is None:
            return self.client_credentials(client, params)
        return super().refresh_token(client, params)


class ScopeEchoed(Grants):
    """Grants whatever scope was asked for, allowed or not."""

    def client_credentials(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        requested = params.get("scope")
        if requested is None:
            return super().client_credentials(client, params)
        scope = frozenset(requested.split(" "))
        return self.issue(client, scope, scope)


class ScopeRequestIgnored(Grants):
    """Checks the requested scope, then grants the client's whole allowance anyway."""

    def client_credentials(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        self.scope_within(params, client.scopes)
        return self.issue(client, client.scopes, client.scopes)


class RefreshAnswersOriginalScope(Grants):
    """A narrowed refresh answers with the scope of the grant it refreshed, not the narrowed one."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        record = self.store.get(params.get("refresh_token", ""), self.clock.now())
        issued = super().refresh_token(client, params)
        return issued if record is None else issued._replace(scope=" ".join(sorted(record.scope)))


# -- store: the refresh tokens -----------------------------------------------------------------------
class FixedWidthStore(RefreshTokenStore):
    """Keys are compared on the issued tokens' width, as a CHAR(n) column silently truncates."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.width: int | None = None

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        self.width = self.width or len(token)
        super().add(token[: self.width], record, now)

    def get(self, token: str, now: float) -> RefreshRecord | None:
        return super().get(token[: self.width], now)

    def consume(self, token: str) -> RefreshRecord | None:
        return super().consume(token[: self.width])


# -- limiter: the budget -----------------------------------------------------------------------------
class NoRateLimit(RateLimiter):
    def check(self, key: str, client_id: str | None) -> None:
        return None


SEEDED: dict[str, Fault] = {
    f.name: f
    for f in (
        # renderer
        Fault(
            "token-type-bearer",
            "token_type is 'Bearer', not one of the spec's enum",
            {"renderer": BearerTokenType},
            breaks=("A2",),
        ),
        Fault(
            "expires-in-string",
            "expires_in is the string '900', not an integer",
            {"renderer": ExpiresInString},
            breaks=("A2",),
        ),
        Fault(
            "no-cache-control",
            "token answers lack Cache-Control: no-store and Pragma: no-cache",
            {"renderer": CacheableTokens},
            breaks=("A4",),
        ),
        Fault(
            "retry-in-seconds",
            "X-Retry-In in seconds, not milliseconds",
            {"renderer": RetryInSeconds},
            breaks=("T3",),
            rate_limit="20/second",
        ),
        Fault(
            "retry-in-overstated",
            "X-Retry-In four times the real wait",
            {"renderer": RetryInOverstated},
            breaks=("T4",),
        ),
        Fault(
            "no-retry-in",
            "429 without the X-Retry-In header",
            {"renderer": NoRetryIn},
            breaks=("T2",),
        ),
        Fault(
            "rate-limit-503",
            "over budget answered 503, not 429",
            {"renderer": RateLimited503},
            breaks=("A1",),
            burst_only=True,
        ),
        Fault(
            "errors-as-text",
            "400 answers are a text/plain line, not the RFC 6749 JSON error",
            {"renderer": ErrorsAsText},
            breaks=("A5",),
        ),
        Fault(
            "invalid-client-401",
            "invalid_client answered 401 with a challenge, a status the contract lacks",
            {"renderer": InvalidClient401},
            breaks=("A1", "E13/json/basic", "E13/json/body", "E13/form/basic", "E13/form/body"),
        ),
        # minter
        Fault(
            "same-token-every-time",
            "one cached access token per client, handed out on every grant",
            {"minter": CachedAccessToken},
            breaks=("S1",),
        ),
        Fault(
            "access-token-over-limit",
            "access tokens longer than the spec's 4096 characters",
            {"minter": OverlongAccessToken},
            breaks=("A2",),
        ),
        Fault(
            "jwt-not-a-jwt",
            "token_type jwt, but the access token is an opaque string",
            {"minter": OpaqueCalledJwt},
            breaks=("A7",),
            suite_client=JWT_CLIENT,
        ),
        Fault(
            "jwt-exp-in-milliseconds",
            "the JWT's exp claim in milliseconds",
            {"minter": JwtExpInMilliseconds},
            breaks=("A7",),
            suite_client=JWT_CLIENT,
        ),
        # authenticator
        Fault(
            "secret-not-checked",
            "a known client id passes with any secret",
            {"authenticator": SecretNotChecked},
            breaks=("E13/json/basic", "E13/json/body", "E13/form/basic", "E13/form/body"),
        ),
        Fault(
            "body-credentials-refused",
            "client_id and client_secret in the body are refused; only Basic works",
            {"authenticator": BodyCredentialsRefused},
            breaks=("E1/json/body", "E1/form/body"),
        ),
        Fault(
            "basic-refused",
            "Authorization: Basic is refused; only body credentials work",
            {"authenticator": BasicRefused},
            breaks=("E1/json/basic", "E1/form/basic"),
        ),
        Fault(
            "basic-not-form-decoded",
            "Basic id and secret used without form-url-decoding (RFC 6749 section 2.3.1)",
            {"authenticator": BasicNotFormDecoded},
            breaks=("E15",),
        ),
        Fault(
            "both-auth-methods-accepted",
            "Basic plus a body secret: the body secret ignored, even when it is wrong",
            {"authenticator": BothMethodsAccepted},
            breaks=("E11/json", "E11/form"),
        ),
        Fault(
            "unknown-client-invalid-grant",
            "an unknown client id answered invalid_grant, not invalid_client",
            {"authenticator": UnknownClientInvalidGrant},
            breaks=("E13/json/basic", "E13/json/body", "E13/form/basic", "E13/form/body"),
        ),
        Fault(
            "secret-in-error-description",
            "invalid_client's error_description quotes the id and secret it refused",
            {"authenticator": SecretInErrorDescription},
            breaks=("A6",),
        ),
        # parser
        Fault(
            "form-refused",
            "application/x-www-form-urlencoded bodies refused",
            {"parser": FormRefused},
            breaks=("E1/form/basic", "E1/form/body"),
        ),
        Fault(
            "json-refused",
            "application/json bodies refused",
            {"parser": JsonRefused},
            breaks=("E1/json/basic", "E1/json/body"),
        ),
        Fault(
            "charset-refused",
            "a Content-Type with a charset parameter is refused",
            {"parser": CharsetRefused},
            breaks=("E2/json", "E2/form"),
        ),
        Fault(
            "any-content-type-is-json",
            "any Content-Type (or none) is parsed as JSON",
            {"parser": AnyContentTypeIsJson},
            breaks=("E9",),
        ),
        Fault(
            "form-plus-not-decoded",
            "'+' in a form value stays a plus, so a two-scope request is one unknown scope",
            {"parser": FormPlusKept},
            breaks=("E3",),
        ),
        Fault(
            "duplicate-parameters-accepted",
            "a parameter sent twice is accepted (the last one wins)",
            {"parser": DuplicatesAccepted},
            breaks=("E4",),
        ),
        Fault(
            "unknown-parameters-refused",
            "unknown parameters refused instead of ignored (RFC 6749 section 3.2)",
            {"parser": UnknownParametersRefused},
            breaks=("E6/json", "E6/form"),
        ),
        Fault(
            "empty-parameters-kept",
            "empty values taken as given, not as omitted (RFC 6749 section 3.1)",
            {"parser": EmptyParametersKept},
            breaks=("E5/json", "E5/form"),
        ),
        Fault(
            "malformed-json-500",
            "malformed JSON answered 500, not 400 invalid_request",
            {"parser": MalformedJson500},
            breaks=("A1", "X3"),
        ),
        Fault(
            "stall-on-large-body",
            "bodies over 4 KiB stall for 12 s (longer than the suite's request timeout)",
            {"parser": StallOnLargeBody},
            breaks=("A8",),
        ),
        # validator
        Fault(
            "grant-type-case-insensitive",
            "grant_type matched case- and whitespace-insensitively",
            {"validator": CaseInsensitiveGrantType},
            breaks=("G2/json", "G2/form"),
        ),
        Fault(
            "grant-type-trimmed",
            "whitespace around grant_type trimmed away",
            {"validator": TrimmedGrantType},
            breaks=("G2/json", "G2/form"),
        ),
        Fault(
            "missing-grant-type-unsupported",
            "a missing grant_type answered unsupported_grant_type, not invalid_request",
            {"validator": MissingGrantTypeUnsupported},
            breaks=("G4/json", "G4/form", "R1"),
        ),
        # grants (and the validator that lets the truncation through)
        Fault(
            "refresh-truncated",
            "no length limit on refresh tokens, compared on the issued width: a padded one passes",
            {"store": FixedWidthStore, "validator": LengthBlindValidator},
            breaks=("L3/json", "L3/form"),
        ),
        Fault(
            "refresh-widens-scope",
            "a refresh may grant any scope the client has, beyond the original",
            {"grants": WideningRefresh},
            breaks=("S7",),
        ),
        Fault(
            "any-refresh-token-accepted",
            "an unknown refresh token is honoured as a fresh grant",
            {"grants": AnyRefreshTokenAccepted},
            breaks=("L2/json", "L2/form", "R3"),
        ),
        Fault(
            "scope-echoed-not-allowed",
            "a requested scope the client may not have is granted and echoed back",
            {"grants": ScopeEchoed},
            breaks=("R6/json", "R6/form"),
        ),
        Fault(
            "scope-request-ignored",
            "a narrower scope request gets the client's whole allowance",
            {"grants": ScopeRequestIgnored},
            breaks=("S2",),
        ),
        Fault(
            "refresh-ignores-narrowing",
            "a narrowed refresh answers with the original grant's scope",
            {"grants": RefreshAnswersOriginalScope},
            breaks=("S2",),
        ),
        # store
        Fault(
            "refresh-prefix-match",
            "refresh tokens compared on the issued width, so one with a character more still works",
            {"store": FixedWidthStore},
            breaks=("L4/json", "L4/form"),
        ),
        # limiter
        Fault("no-rate-limit", "never answers 429", {"limiter": NoRateLimit}, breaks=("T1",)),
    )
}
