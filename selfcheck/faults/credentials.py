"""Client authentication: the secret checked in every media type and credential place, Basic and
body credentials each accepted alone (Basic form-url-decoded), the two together refused, and a failed
authentication answered invalid_client.
"""

from __future__ import annotations

from base64 import b64decode
from typing import Any, ClassVar

from oauth2_token_contract.mock.authentication import Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import InvalidClient, InvalidGrant, InvalidRequest
from oauth2_token_contract.mock.settings import ClientConfig
from selfcheck.faults.media import MEDIA, MediaAware
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


class SecretNotChecked(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidClient("client authentication failed")
        return client


class UnknownClientInvalidGrant(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        if client_id not in self.clients:
            raise InvalidGrant("unknown client")
        return super().verify(client_id, secret)


class WrongSecretInvalidGrant(Authenticator):
    def verify(self, client_id: str, secret: str) -> ClientConfig:
        try:
            return super().verify(client_id, secret)
        except InvalidClient:
            if client_id in self.clients:
                raise InvalidGrant("wrong credentials") from None
            raise


def _cells(rule: str) -> tuple[str, ...]:
    return tuple(
        f"{rule}/{media}/{placement}" for media in ("json", "form") for placement in ("basic", "body")
    )


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


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "secret-not-checked",
            "a known client id passes with any secret",
            {"authenticator": SecretNotChecked},
            breaks=("E13/json/basic", "E13/json/body", "E13/form/basic", "E13/form/body"),
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
            "unknown-client-invalid-grant",
            "an unknown client id answered invalid_grant, not invalid_client",
            {"authenticator": UnknownClientInvalidGrant},
            breaks=("E13/json/basic", "E13/json/body", "E13/form/basic", "E13/form/body"),
        ),
        Fault(
            "wrong-secret-invalid-grant",
            "a wrong secret answered invalid_grant",
            {"authenticator": WrongSecretInvalidGrant},
            breaks=("R2", *_cells("E13")),
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
    )
}
