"""Faults derived from the rule matrix (``oauth2_token_contract/spec/rules.py``), not from the checks: for
each row that the older corpus (``seeded.py``) left unbroken, a mistake a real token endpoint makes there, and
rows broken only in one media type or one credential place, so the suite is seen to cover each of them.

Every class overrides one method of one component, as in ``seeded.py``. A fault limited to one media
type reads it from :data:`MEDIA`, which :class:`MediaAware` (the parser override that comes with
such faults) sets for the request being answered.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextvars import ContextVar
from typing import Any, ClassVar

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import InvalidClient, InvalidGrant, InvalidRequest, InvalidScope
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.parsing import JsonMembers, RequestParser
from oauth2_token_contract.mock.responses import ResponseRenderer, json_response
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from oauth2_token_contract.mock.validation import RequestValidator
from starlette.responses import Response

from selfcheck.faults.model import CC_ONLY_CLIENT, Fault
from selfcheck.faults.seeded import AnyRefreshTokenAccepted, LengthBlindValidator

__all__ = ["MATRIX", "MEDIA", "MediaAware"]

MEDIA: ContextVar[str] = ContextVar("media", default="")
CC_ONLY_SECRET = "qa-cc-only-secret_Fw3nJ8sQ1xVd"  # mocks/clients.yaml
LARGE_BODY = 4 * 1024  # a body carrying a token near the 4096-character limit


class MediaAware(RequestParser):
    """Notes the media type of the request being answered (each request is its own task)."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        MEDIA.set("json" if content_type and b"json" in content_type.lower() else "form")
        return super().parse(content_type, body)


# -- answers ---------------------------------------------------------------------------------------
class TokenAsTextPlain(ResponseRenderer):
    """The token answer labelled text/plain, as a framework's default response class does."""

    def token(self, issued: Issued) -> Response:
        return Response(json.dumps(self.token_body(issued)), 200, dict(self.token_headers), "text/plain")


class OtherMethodsAnswered(ResponseRenderer):
    """GET and the rest answered 200 with an empty JSON object, as a catch-all route does."""

    def method_not_allowed(self, allowed: str = "POST") -> Response:
        return json_response(200, {})


class NoAllowOn405(ResponseRenderer):
    def method_not_allowed(self, allowed: str = "POST") -> Response:
        return json_response(405, {"error": "method_not_allowed"})


class SlowOnLargeBody(RequestParser):
    """Bodies past 4 KiB answered 2.5 s late: within any timeout, far later than the rest."""

    delay: ClassVar[float] = 2.5

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if len(body) > LARGE_BODY:
            await asyncio.sleep(self.delay)
        return body


# -- grant types ---------------------------------------------------------------------------------------
class RefreshRefusedInJson(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if MEDIA.get() == "json":
            raise InvalidRequest("the refresh grant takes a form")
        return super().refresh_token(client, params)


class RefreshNeedsBasic(Authenticator):
    """The refresh grant accepts only Basic credentials."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        if params.get("grant_type") == "refresh_token" and basic is None:
            raise InvalidClient("client authentication failed")
        return super().authenticate(basic, params)


class PasswordGrantIsClientCredentials(RequestValidator):
    """``password`` handled like client_credentials: username and password never looked at."""

    def grant_type(self, params: dict[str, Any]) -> str:
        if params.get("grant_type") == "password":
            params["grant_type"] = "client_credentials"
        return super().grant_type(params)


class GrantTypeListTakesFirst(RequestValidator):
    """A JSON list of grant types read as its first element."""

    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, list) and value and isinstance(value[0], str):
            params["grant_type"] = value[0]
        return super().grant_type(params)

    def validate(self, params: dict[str, Any]) -> None:
        if isinstance(params.get("grant_type"), str):
            super().validate(params)


class MissingRefreshTokenInvalidGrant(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("refresh_token") is None:
            raise InvalidGrant("no such refresh token")
        return super().refresh_token(client, params)


class RefreshReadsJsonOnly(Grants):
    """The refresh grant looks for its token in JSON bodies only: in a form it is missing."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if MEDIA.get() == "form":
            raise InvalidRequest("refresh_token is required for this grant type")
        return super().refresh_token(client, params)


class ForgivingDefaults(RequestParser):
    """A body that cannot be read is no parameters at all (the next step makes it a grant)."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        try:
            return super().parse(content_type, body)
        except InvalidRequest:
            return {}


class GrantTypeDefaults(RequestValidator):
    """A missing grant_type taken as client_credentials."""

    def grant_type(self, params: dict[str, Any]) -> str:
        if params.get("grant_type") is None:
            params["grant_type"] = "client_credentials"
        return super().grant_type(params)


class UnknownGrantInvalidRequest(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, str) and value not in self.grant_types:
            raise InvalidRequest("invalid grant_type")
        return super().grant_type(params)


# -- encodings ---------------------------------------------------------------------------------------
class LenientJson(RequestParser):
    """A forgiving JSON reader: a trailing comma, and anything after the object, let through."""

    def parse_json(self, text: str) -> dict[str, Any]:
        text = re.sub(r",\s*}", "}", text.strip())
        try:
            document, _ = self.json.raw_decode(text)
        except (ValueError, RecursionError):
            return super().parse_json(text)
        return self.collect(document) if isinstance(document, JsonMembers) else super().parse_json(text)


class InvalidUtf8Dropped(RequestParser):
    """Bytes that are not UTF-8 silently dropped."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        return super().parse(content_type, body.decode("utf-8", "ignore").encode())


class JsonUnknownNonStringRefused(RequestParser):
    """Unknown JSON members that are not strings refused, though section 3.2 says ignore them."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if any(name not in self.known and not isinstance(value, str) for name, value in pairs):
            raise InvalidRequest("unexpected parameter type")
        return super().collect(pairs)


# -- client authentication ----------------------------------------------------------------------------
class BothMethodsInvalidClient(Authenticator):
    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        if basic is not None and params.get("client_secret") is not None:
            raise InvalidClient("client authentication failed")
        return super().authenticate(basic, params)


class BodyClientIdBesideBasicRefused(Authenticator):
    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        if basic is not None and params.get("client_id") is not None:
            raise InvalidRequest("use one client authentication method per request")
        return super().authenticate(basic, params)


class ClientIdAloneAccepted(Authenticator):
    """A client id in the body without its secret taken as a public client."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        body_id = params.get("client_id")
        if basic is None and isinstance(body_id, str) and params.get("client_secret") is None:
            client = self.clients.get(body_id)
            if client is not None:
                return client
        return super().authenticate(basic, params)


class WrongSecretInvalidGrant(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        try:
            return super().verify(client_id, secret)
        except InvalidClient:
            if client_id in self.clients:
                raise InvalidGrant("wrong credentials") from None
            raise


class SecretNotCheckedIn(Authenticator):
    """The secret goes unchecked for one media type and one credential place only."""

    media: ClassVar[str] = ""
    placement: ClassVar[str] = ""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        placement = "basic" if basic is not None else "body"
        client_id = basic.client_id if basic is not None else params.get("client_id")
        if MEDIA.get() == self.media and placement == self.placement and isinstance(client_id, str):
            client = self.clients.get(client_id)
            if client is not None:
                return client
        return super().authenticate(basic, params)


def secret_not_checked_in(media: str, placement: str) -> type[SecretNotCheckedIn]:
    return type(
        f"SecretNotCheckedIn_{media}_{placement}",
        (SecretNotCheckedIn,),
        {"media": media, "placement": placement},
    )


class RefreshSkipsAuthentication(Authenticator):
    """The refresh grant trusts the token and does not authenticate the client (the owner stands in)."""

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        try:
            return super().authenticate(basic, params)
        except InvalidClient:
            if params.get("grant_type") != "refresh_token":
                raise
            return UNAUTHENTICATED


UNAUTHENTICATED = ClientConfig("", "", frozenset(), "opaque", 1, 2, "off")


class RefreshOwnerStandsIn(Grants):
    """The grants' half of :class:`RefreshSkipsAuthentication`: the token's owner is the client."""

    def __init__(self, settings: MockSettings, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.clients = settings.clients

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if client is UNAUTHENTICATED:
            record = self.store.get(params.get("refresh_token") or "", self.clock.now())
            client = self.clients.get(record.client_id, client) if record is not None else client
        return super().refresh_token(client, params)


class GrantTypesNotEnforced(Grants):
    """Every client may use every grant type: the per-client list is never looked at."""

    @staticmethod
    def authorize(client: ClientConfig, grant_type: str) -> None:
        return None


# -- scope and refresh -------------------------------------------------------------------------------
class ScopeCaseInsensitive(Grants):
    """Scope tokens matched without regard to case, granted in the allowance's spelling."""

    @staticmethod
    def scope_within(params: dict[str, Any], allowed: frozenset[str]) -> frozenset[str]:
        requested = params.get("scope")
        if requested is not None:
            by_case = {s.lower(): s for s in allowed}
            params = {**params, "scope": " ".join(by_case.get(s.lower(), s) for s in requested.split(" "))}
        return Grants.scope_within(params, allowed)


class RefreshNeedsScope(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("scope") is None:
            raise InvalidScope("scope is required")
        return super().refresh_token(client, params)


class NarrowedRefreshRefused(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("scope") is not None:
            raise InvalidScope("a refresh keeps its scope")
        return super().refresh_token(client, params)


class RotatedTokenDead(Grants):
    """A refresh hands back a new refresh token, but never stores it."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        issued = super().refresh_token(client, params)
        if issued.refresh_token is not None:
            self.store.consume(issued.refresh_token)
        return issued


class AccessTokenRefreshes(Grants):
    """Access tokens are kept beside refresh tokens, and refresh too."""

    def issue(self, client: ClientConfig, scope: frozenset[str], refresh_scope: frozenset[str]) -> Issued:
        issued = super().issue(client, scope, refresh_scope)
        record = RefreshRecord(client.client_id, refresh_scope, self.clock.now() + client.refresh_expires_in)
        self.store.add(issued.access_token, record, self.clock.now())
        return issued


class LastCharacterIgnored(RefreshTokenStore):
    """Refresh tokens compared without their last character."""

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        super().add(token[:-1], record, now)

    def get(self, token: str, now: float) -> RefreshRecord | None:
        return super().get(token[:-1], now)

    def consume(self, token: str) -> RefreshRecord | None:
        return super().consume(token[:-1])


class LimitOffByOne(RequestValidator):
    """The refresh token's limit taken as 4095: one at 4096 refused as malformed."""

    def validate(self, params: dict[str, Any]) -> None:
        token = params.get("refresh_token")
        if isinstance(token, str) and len(token) >= 4096:
            raise InvalidRequest("refresh_token too long")
        super().validate(params)


class SharedRefreshToken(Grants):
    """One refresh token per client, handed to every grant."""

    def __init__(self, settings: MockSettings, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.tokens: dict[str, str] = {}

    def issue(self, client: ClientConfig, scope: frozenset[str], refresh_scope: frozenset[str]) -> Issued:
        issued = super().issue(client, scope, refresh_scope)
        if issued.refresh_token is None:
            return issued
        shared = self.tokens.setdefault(client.client_id, issued.refresh_token)
        record = RefreshRecord(client.client_id, client.scopes, self.clock.now() + client.refresh_expires_in)
        self.store.add(shared, record, self.clock.now())
        return issued._replace(refresh_token=shared)


def _cells(rule: str) -> tuple[str, ...]:
    return tuple(
        f"{rule}/{media}/{placement}" for media in ("json", "form") for placement in ("basic", "body")
    )


MATRIX: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "token-answered-as-text",
            "the token answer labelled text/plain",
            {"renderer": TokenAsTextPlain},
            breaks=("A3",),
        ),
        Fault(
            "slow-on-large-body",
            "bodies past 4 KiB answered 2.5 s late",
            {"parser": SlowOnLargeBody},
            breaks=("A9",),
        ),
        Fault(
            "other-methods-answered-200",
            "GET and the rest answered 200",
            {"renderer": OtherMethodsAnswered},
            breaks=("A10",),
        ),
        Fault(
            "405-without-allow",
            "405 for other methods, without an Allow header",
            {"renderer": NoAllowOn405},
            breaks=("A10",),
        ),
        Fault(
            "refresh-refused-in-json",
            "the refresh grant refused in JSON bodies",
            {"parser": MediaAware, "grants": RefreshRefusedInJson},
            breaks=("G1/json/basic", "G1/json/body"),
        ),
        Fault(
            "refresh-needs-basic",
            "the refresh grant refuses body credentials",
            {"authenticator": RefreshNeedsBasic},
            breaks=("G1/json/body", "G1/form/body"),
        ),
        Fault(
            "refresh-reads-json-only",
            "the refresh grant finds its token in JSON bodies only",
            {"parser": MediaAware, "grants": RefreshReadsJsonOnly},
            breaks=("G1/form/basic", "G1/form/body"),
        ),
        Fault(
            "unreadable-body-is-a-grant",
            "a body that cannot be read is no parameters, and no grant_type means client_credentials",
            {"parser": ForgivingDefaults, "validator": GrantTypeDefaults},
            breaks=("X2", "E7", "G4/json", "G4/form", "R1"),
        ),
        Fault(
            "password-grant-issues-tokens",
            "grant_type password handled as client_credentials",
            {"validator": PasswordGrantIsClientCredentials},
            breaks=("G3/json", "G3/form"),
        ),
        Fault(
            "grant-type-list-takes-first",
            "a JSON list of grant types read as its first element",
            {"validator": GrantTypeListTakesFirst},
            breaks=("G5",),
        ),
        Fault(
            "missing-refresh-token-invalid-grant",
            "a refresh without refresh_token answered invalid_grant",
            {"grants": MissingRefreshTokenInvalidGrant},
            breaks=("G6/json", "G6/form"),
        ),
        Fault(
            "unknown-grant-invalid-request",
            "an unknown grant type answered invalid_request",
            {"validator": UnknownGrantInvalidRequest},
            breaks=("R5", "G2/json", "G2/form"),
        ),
        Fault(
            "lenient-json",
            "trailing commas and text after the JSON object let through",
            {"parser": LenientJson},
            breaks=("E7",),
        ),
        Fault(
            "invalid-utf8-dropped",
            "bytes that are not UTF-8 silently dropped",
            {"parser": InvalidUtf8Dropped},
            breaks=("E8/json", "E8/form"),
        ),
        Fault(
            "json-unknown-non-string-refused",
            "unknown JSON members that are not strings refused",
            {"parser": JsonUnknownNonStringRefused},
            breaks=("X1", "E6/json"),
        ),
        Fault(
            "both-methods-invalid-client",
            "the same secret in Basic and the body answered invalid_client",
            {"authenticator": BothMethodsInvalidClient},
            breaks=("E10",),
        ),
        Fault(
            "body-client-id-beside-basic-refused",
            "client_id in the body beside Basic refused",
            {"authenticator": BodyClientIdBesideBasicRefused},
            breaks=("E12",),
        ),
        Fault(
            "client-id-alone-accepted",
            "a client id without its secret taken as a public client",
            {"authenticator": ClientIdAloneAccepted},
            breaks=("E14/json", "E14/form"),
        ),
        Fault(
            "wrong-secret-invalid-grant",
            "a wrong secret answered invalid_grant",
            {"authenticator": WrongSecretInvalidGrant},
            breaks=("R2", *_cells("E13")),
        ),
        *(
            Fault(
                f"secret-not-checked-{media}-{placement}",
                f"the secret goes unchecked for {placement} credentials in {media} bodies only",
                {"parser": MediaAware, "authenticator": secret_not_checked_in(media, placement)},
                breaks=(f"E13/{media}/{placement}",),
            )
            for media in ("json", "form")
            for placement in ("basic", "body")
        ),
        Fault(
            "refresh-skips-authentication",
            "a refresh is granted without the client's credentials",
            {"authenticator": RefreshSkipsAuthentication, "grants": RefreshOwnerStandsIn},
            breaks=("S8/json", "S8/form"),
        ),
        Fault(
            "grant-types-not-enforced",
            "a client limited to client_credentials may refresh",
            {"grants": GrantTypesNotEnforced},
            breaks=("R4",),
            env=(
                ("TOKEN_API_RESTRICTED_CLIENT_ID", CC_ONLY_CLIENT),
                ("TOKEN_API_RESTRICTED_CLIENT_SECRET", CC_ONLY_SECRET),
            ),
        ),
        Fault(
            "scope-case-insensitive",
            "scope tokens matched without regard to case",
            {"grants": ScopeCaseInsensitive},
            breaks=("S3/json", "S3/form"),
        ),
        Fault(
            "refresh-needs-scope",
            "a refresh without scope refused as invalid_scope",
            {"grants": RefreshNeedsScope},
            breaks=("S4",),
        ),
        Fault(
            "narrowed-refresh-refused",
            "a refresh asking for less scope refused",
            {"grants": NarrowedRefreshRefused},
            breaks=("S6",),
        ),
        Fault(
            "rotated-refresh-token-dead",
            "the refresh token a refresh hands back never works",
            {"grants": RotatedTokenDead},
            breaks=("S5",),
        ),
        Fault(
            "access-token-refreshes",
            "an access token works as a refresh token",
            {"grants": AccessTokenRefreshes},
            breaks=("S9/json", "S9/form"),
        ),
        Fault(
            "last-character-ignored",
            "refresh tokens compared without their last character",
            {"store": LastCharacterIgnored},
            breaks=("S10/json", "S10/form"),
        ),
        Fault(
            "any-token-any-length",
            "no length limit, and any refresh token honoured as a fresh grant",
            {"validator": LengthBlindValidator, "grants": AnyRefreshTokenAccepted},
            breaks=("L1", "L2/json", "L2/form"),
        ),
        Fault(
            "limit-off-by-one",
            "a refresh token of exactly 4096 characters refused as malformed",
            {"validator": LimitOffByOne},
            breaks=("L2/json", "L2/form"),
        ),
        Fault(
            "shared-refresh-token",
            "one refresh token per client, handed to every grant",
            {"grants": SharedRefreshToken},
            breaks=("S1",),
        ),
    )
}
