"""``POST /oauth2/introspect`` (RFC 7662), where the spec documents an introspection operation.

After the shared steps (:mod:`.lifecycle`): the client's budget, ``token`` required (else
``invalid_request``), the client authenticated as at the token endpoint (``invalid_client``: 401 where
the operation documents it, RFC 7662 2.1, else 400), then the answer, 200:

* a live access token of this client: ``active: true`` with ``scope``, ``client_id``, ``token_type``,
  ``exp`` and ``iat`` (RFC 7662 2.2);
* a live refresh token of this client: ``active: true`` with ``scope``, ``client_id`` and ``exp`` (the
  mock keeps no issue time for refresh tokens);
* anything else, unknown, expired, revoked or another client's: ``{"active": false}`` and nothing more
  (RFC 7662 2.2: nothing that would tell such a token apart).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.endpoint import RequestHeaders
from oauth2_token_contract.mock.errors import MockError
from oauth2_token_contract.mock.lifecycle import Handled, OperationEndpoint, OperationRenderer
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.spec.contract import Operation

__all__ = ["IntrospectionEndpoint", "IntrospectionRenderer"]

INACTIVE = {"active": False}


class IntrospectionRenderer(OperationRenderer):
    """``invalid_client`` as 401 with a Basic challenge where the operation documents a 401."""

    def __init__(self, settings: MockSettings, operation: Operation | None = None) -> None:
        super().__init__(settings, operation)
        self.challenged = 401 in self.contract.statuses
        if self.challenged:
            self.statuses["invalid_client"] = 401

    def error(self, error: MockError) -> Response:
        response = super().error(error)
        if self.challenged and response.status_code == 401:
            response.raw_headers.append((b"www-authenticate", b'Basic realm="introspection"'))
        return response


class IntrospectionEndpoint(OperationEndpoint):
    """The introspection operation's own step."""

    renderer_class = IntrospectionRenderer

    def handle(self, scope: dict[str, Any], headers: RequestHeaders, params: dict[str, Any]) -> Handled:
        c = self.components
        client = self.authenticated(scope, headers, params)
        token = self.token_of(params)
        body: dict[str, Any] = INACTIVE
        if len(token) <= self.token_limit:
            now = c.clock.now()
            access = c.access.check(token, now)
            if access is not None:
                if access.client_id == client.client_id:
                    body = {"active": True, "scope": access.scope, "client_id": access.client_id,
                            "token_type": access.token_type, "exp": int(access.expires_at),
                            "iat": access.issued_at}  # fmt: skip
            elif (refresh := c.store.get(token, now)) is not None and refresh.client_id == client.client_id:
                scope_text = " ".join(sorted(refresh.scope))
                body = {"active": True, "scope": scope_text, "client_id": refresh.client_id,
                        "exp": int(refresh.expires_at)}  # fmt: skip
        text = json.dumps(body, separators=(",", ":")).encode()
        return self.success(text, "application/json"), client.client_id
