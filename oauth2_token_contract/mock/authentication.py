"""Client authentication: HTTP Basic (RFC 6749 section 2.3.1) or ``client_id``/``client_secret`` in the body.

Rules, in the order they are applied:

* An ``Authorization`` header that is not well-formed Basic (other scheme, bad base64, no ``:``,
  invalid UTF-8 or percent-encoding, empty id) is ``invalid_client``.
* Basic plus a body ``client_secret`` is two methods in one request: ``invalid_request`` (section 2.3).
* Basic plus a body ``client_id`` is accepted when they match; a mismatch is ``invalid_client`` (the
  client's identity is ambiguous, so authentication fails).
* Without Basic, both body parameters are needed; a missing one, an unknown id or a wrong secret is
  ``invalid_client``. Secrets are compared with :func:`hmac.compare_digest`, also for unknown ids.
"""

from __future__ import annotations

import binascii
import hmac
import secrets
from base64 import b64decode
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from oauth2_token_contract.mock.errors import InvalidClient, InvalidRequest, MockError
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings

__all__ = ["Authenticator", "BasicCredentials"]


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """What an ``Authorization`` header carried; ``client_id`` is None when it was malformed."""

    client_id: str | None
    client_secret: str | None = None


MALFORMED = BasicCredentials(None)


class Authenticator:
    """Finds the client a request speaks for, or refuses it."""

    def __init__(self, settings: MockSettings) -> None:
        self.clients = settings.clients  # the shared registry: clients created at run time included
        self._decoy = secrets.token_urlsafe(32).encode()

    def read_basic(self, authorization: bytes | None) -> BasicCredentials | None:
        """The Basic credentials (form-url-decoded after base64), MALFORMED, or None without a header."""
        if authorization is None:
            return None
        scheme, _, token = authorization.partition(b" ")
        if scheme.lower() != b"basic":
            return MALFORMED
        try:
            text = b64decode(token.strip(), validate=True).decode("utf-8")
            raw_id, colon, raw_secret = text.partition(":")
            client_id = unquote_plus(raw_id, errors="strict")
            secret = unquote_plus(raw_secret, errors="strict")
        except (binascii.Error, ValueError):
            return MALFORMED
        if not colon or not client_id:
            return MALFORMED
        return BasicCredentials(client_id, secret)

    @staticmethod
    def claimed_id(basic: BasicCredentials | None, params: dict[str, Any]) -> str | None:
        """The client id a request claims, before any check: what the journal and rules file it under."""
        if basic is not None and basic.client_id:
            return basic.client_id
        client_id = params.get("client_id")
        return client_id if isinstance(client_id, str) else None

    def identify(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig | None:
        """The client the request's credentials prove, or None; what the rate limiter keys on.

        A refusal waits for its own step (:meth:`authenticate`, after the request's other checks).
        """
        try:
            return self.authenticate(basic, params)
        except MockError:
            return None

    def authenticate(self, basic: BasicCredentials | None, params: dict[str, Any]) -> ClientConfig:
        body_id, body_secret = params.get("client_id"), params.get("client_secret")
        if basic is not None:
            if basic.client_id is None:
                raise InvalidClient("client authentication failed")
            if body_secret is not None:
                raise InvalidRequest("use one client authentication method per request")
            if body_id is not None and body_id != basic.client_id:
                raise InvalidClient("client authentication failed")
            client_id, secret = basic.client_id, basic.client_secret or ""
        elif isinstance(body_id, str) and isinstance(body_secret, str):
            client_id, secret = body_id, body_secret
        else:
            raise InvalidClient("client authentication failed")
        return self.verify(client_id, secret)

    def verify(self, client_id: str, secret: str) -> ClientConfig:
        client = self.clients.get(client_id)
        expected = client.client_secret.encode() if client is not None else self._decoy
        matches = hmac.compare_digest(secret.encode("utf-8", "surrogatepass"), expected)
        if client is None or not matches:
            raise InvalidClient("client authentication failed")
        return client
