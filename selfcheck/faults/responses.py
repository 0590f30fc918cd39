"""What every answer must look like: the token answer's schema, media type and headers, the
RFC 6749 error body and status, no secret echoed back, a JWT that agrees with its answer.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.authentication import Authenticator
from oauth2_token_contract.mock.errors import InvalidClient, InvalidGrant, MockError, RateLimited
from oauth2_token_contract.mock.grants import Issued
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response, stamp
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.tokens import TokenMinter
from oauth2_token_contract.spec.contract import STAND_IN_TOKEN_LIMIT
from selfcheck.faults.model import JWT_CLIENT, Fault

__all__ = ["FAULTS"]


class BearerTokenType(ResponseRenderer):
    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "token_type": "Bearer"}


class ExpiresInString(ResponseRenderer):
    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "expires_in": str(issued.expires_in)}


class ExpiresInTimestamp(ResponseRenderer):
    """expires_in as the Unix time the token expires: Moov's published document's word, not the RFC's."""

    def token_body(self, issued: Any) -> dict[str, Any]:
        return {**super().token_body(issued), "expires_in": int(time.time()) + issued.expires_in}


class OverlongAccessToken(TokenMinter):
    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        limit = self.max_length or STAND_IN_TOKEN_LIMIT  # past the spec's limit, or past the stand-in
        return super().mint_opaque(client, scope, issued_at) * (limit // 40 + 1)


class TokenAsTextPlain(ResponseRenderer):
    """The token answer labelled text/plain, as a framework's default response class does."""

    def token(self, issued: Issued) -> Response:
        return Response(json.dumps(self.token_body(issued)), 200, dict(self.token_headers), "text/plain")


class TokenTypeTwice(ResponseRenderer):
    """A token answer that names token_type twice, as a template and a serializer each add it: a
    client whose parser keeps the first reads Bearer, the next one reads the real type."""

    def token(self, issued: Issued) -> Response:
        body = '{"token_type":"Bearer",' + json.dumps(self.token_body(issued), separators=(",", ":"))[1:]
        return Response(body, 200, dict(self.token_headers), "application/json")


class CacheableTokens(ResponseRenderer):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        no_headers: dict[str, str] = {}
        self.token_headers = no_headers


class ErrorsAsText(ResponseRenderer):
    """Errors as a plain-text line, the framework's default, instead of the RFC's JSON object."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, RateLimited):
            return super().error(error)
        return Response(f"{error.code}: {error.description or ''}", error.status, media_type="text/plain")


class InvalidClient401NoChallenge(ResponseRenderer):
    """``invalid_client`` as 401 without the ``WWW-Authenticate`` challenge RFC 6749 5.2 requires."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, InvalidClient):
            return json_response(401, self.error_body(error))
        return super().error(error)


class InvalidClient401BearerChallenge(ResponseRenderer):
    """``invalid_client`` as 401 challenging Bearer, even to a client that sent Basic."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, InvalidClient):
            return json_response(401, self.error_body(error), {"WWW-Authenticate": 'Bearer realm="token"'})
        return super().error(error)


class InvalidGrant401(ResponseRenderer):
    """``invalid_grant`` as 401 with a challenge: RFC 6749 5.2 allows 401 for invalid_client only."""

    def error(self, error: MockError) -> Response:
        if isinstance(error, InvalidGrant):
            return json_response(401, self.error_body(error), {"WWW-Authenticate": 'Basic realm="token"'})
        return super().error(error)


class NoRequestId(ResponseRenderer):
    """The per-answer headers the spec requires (Moov's ``x-request-id``) never sent."""

    def stamp(self, response: Response) -> Response:
        return response


class RequestIdNotUuid(ResponseRenderer):
    """The request id a counter (1, 2, 3...), where the spec's schema says a uuid."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        counter = itertools.count(1)
        self._next = lambda: str(next(counter))

    def stamp(self, response: Response) -> Response:
        made = [(name, self._next) for name, _ in self.fresh.get(response.status_code, [])]
        return stamp(response, made)


class ErrorDescriptionNonAscii(ResponseRenderer):
    """error_description in typographic quotes, as text for people: outside the printable ASCII
    RFC 6749 5.2 allows (JSON escapes it, ``\\u201c``, but the value is still the character)."""

    def error_body(self, error: MockError, status: int = 400) -> dict[str, Any]:
        body = super().error_body(error, status)
        if "error" not in body:  # a per-field 422 carries no RFC 6749 member
            return body
        said = body.get("error_description") or error.code
        return {**body, "error_description": f"\u201c{said}\u201d"}


class SecretInErrorDescription(Authenticator):
    """A "helpful" description that quotes the credentials it refused."""

    def verify(self, client_id: str, secret: str) -> ClientConfig:
        try:
            return super().verify(client_id, secret)
        except InvalidClient:
            raise InvalidClient(f"no client {client_id} with secret {secret}") from None


class OpaqueCalledJwt(TokenMinter):
    """The jwt client gets an opaque string while the answer still says ``jwt``."""

    def mint_jwt(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.mint_opaque(client, scope, issued_at)


class JwtExpInMilliseconds(TokenMinter):
    def claims(self, client: ClientConfig, scope: str, issued_at: int) -> dict[str, Any]:
        claims = super().claims(client, scope, issued_at)
        return {**claims, "exp": claims["exp"] * 1000}


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
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
            "expires-in-timestamp",
            "expires_in is a Unix timestamp, not the lifetime in seconds RFC 6749 5.1 says",
            {"renderer": ExpiresInTimestamp},
            breaks=("A2",),
        ),
        Fault(
            "access-token-over-limit",
            "access tokens longer than the spec's 4096 characters",
            {"minter": OverlongAccessToken},
            breaks=("A2",),
        ),
        Fault(
            "token-type-twice",
            "the token answer names token_type twice (Bearer first, the real type after)",
            {"renderer": TokenTypeTwice},
            breaks=("A14",),
        ),
        Fault(
            "token-answered-as-text",
            "the token answer labelled text/plain",
            {"renderer": TokenAsTextPlain},
            breaks=("A3",),
        ),
        Fault(
            "no-cache-control",
            "token answers lack Cache-Control: no-store and Pragma: no-cache",
            {"renderer": CacheableTokens},
            breaks=("A4",),
        ),
        Fault(
            "errors-as-text",
            "400 answers are a text/plain line, not the RFC 6749 JSON error",
            {"renderer": ErrorsAsText},
            breaks=("A5",),
        ),
        Fault(
            "invalid-client-401-no-challenge",
            "invalid_client answered 401 without the WWW-Authenticate challenge RFC 6749 5.2 requires",
            {"renderer": InvalidClient401NoChallenge},
            breaks=("A1",),
        ),
        Fault(
            "invalid-client-401-bearer-challenge",
            "invalid_client answered 401 challenging Bearer to a client that sent Basic",
            {"renderer": InvalidClient401BearerChallenge},
            breaks=("A1",),
        ),
        Fault(
            "invalid-grant-401",
            "invalid_grant answered 401, a status RFC 6749 5.2 keeps for invalid_client",
            {"renderer": InvalidGrant401},
            breaks=("A1", "R3"),
        ),
        Fault(
            "no-request-id",
            "answers lack the x-request-id the spec requires on every status",
            {"renderer": NoRequestId},
            breaks=("A12",),
        ),
        Fault(
            "request-id-not-uuid",
            "x-request-id is a counter, not the uuid the spec's schema says",
            {"renderer": RequestIdNotUuid},
            breaks=("A12",),
        ),
        Fault(
            "error-description-non-ascii",
            "error_description in typographic quotes, outside the characters RFC 6749 5.2 allows",
            {"renderer": ErrorDescriptionNonAscii},
            breaks=("A13",),
        ),
        Fault(
            "secret-in-error-description",
            "invalid_client's error_description quotes the id and secret it refused",
            {"authenticator": SecretInErrorDescription},
            breaks=("A6",),
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
    )
}
