"""Grant types: each offered one granted in every media type and credential place, ``grant_type``
required and matched exactly, an unoffered or unknown one refused with the right error, and a client
held to the grant types it may use.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    UnsupportedGrantType,
)
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.settings import ClientConfig
from oauth2_token_contract.mock.validation import RequestValidator
from selfcheck.faults.media import MEDIA, MediaAware
from selfcheck.faults.model import CC_ONLY_CLIENT, Fault

__all__ = ["FAULTS"]


CC_ONLY_SECRET = "qa-cc-only-secret_Fw3nJ8sQ1xVd"  # mocks/clients.yaml


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


class UnknownGrantInvalidRequest(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        value = params.get("grant_type")
        if isinstance(value, str) and value not in self.grant_types:
            raise InvalidRequest("invalid grant_type")
        return super().grant_type(params)


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


class MissingGrantTypeUnsupported(RequestValidator):
    def grant_type(self, params: dict[str, Any]) -> str:
        if params.get("grant_type") is None:
            raise UnsupportedGrantType("the grant type is not supported")
        return super().grant_type(params)


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


class MissingRefreshTokenInvalidGrant(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("refresh_token") is None:
            raise InvalidGrant("no such refresh token")
        return super().refresh_token(client, params)


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


class RefreshReadsJsonOnly(Grants):
    """The refresh grant looks for its token in JSON bodies only: in a form it is missing."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if MEDIA.get() == "form":
            raise InvalidRequest("refresh_token is required for this grant type")
        return super().refresh_token(client, params)


class GrantTypesNotEnforced(Grants):
    """Every client may use every grant type: the per-client list is never looked at."""

    @staticmethod
    def authorize(client: ClientConfig, grant_type: str) -> None:
        return None


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
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
            "unknown-grant-invalid-request",
            "an unknown grant type answered invalid_request",
            {"validator": UnknownGrantInvalidRequest},
            breaks=("R5", "G2/json", "G2/form"),
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
            "missing-grant-type-unsupported",
            "a missing grant_type answered unsupported_grant_type, not invalid_request",
            {"validator": MissingGrantTypeUnsupported},
            breaks=("G4/json", "G4/form", "R1"),
        ),
        Fault(
            "unreadable-body-is-a-grant",
            "a body that cannot be read is no parameters, and no grant_type means client_credentials",
            {"parser": ForgivingDefaults, "validator": GrantTypeDefaults},
            breaks=("X2", "E7", "G4/json", "G4/form", "R1"),
        ),
        Fault(
            "missing-refresh-token-invalid-grant",
            "a refresh without refresh_token answered invalid_grant",
            {"grants": MissingRefreshTokenInvalidGrant},
            breaks=("G6/json", "G6/form"),
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
            "grant-types-not-enforced",
            "a client limited to client_credentials may refresh",
            {"grants": GrantTypesNotEnforced},
            breaks=("R4",),
            env=(
                ("TOKEN_API_RESTRICTED_CLIENT_ID", CC_ONLY_CLIENT),
                ("TOKEN_API_RESTRICTED_CLIENT_SECRET", CC_ONLY_SECRET),
            ),
        ),
    )
}
