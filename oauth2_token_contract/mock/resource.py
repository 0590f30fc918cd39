"""The protected resource (RFC 6750), where the spec documents one: Moov's ``GET /ping``.

After the shared steps (:mod:`.lifecycle`), the token is the one in ``Authorization: Bearer TOKEN``
(RFC 6750 2.1; the mock reads no token from the query or the body):

* no token, or another scheme (Basic): 401 with ``WWW-Authenticate: Bearer realm="..."`` and no error
  code (RFC 6750 3.1: a request without authentication gets none);
* a malformed header (two of them, an empty or non-b64token value): ``invalid_request``, 400 where the
  operation documents a 400, else 401 ``invalid_token``;
* a token this mock did not issue, or expired (on the mock's clock), revoked, or of a revoked grant:
  401 ``WWW-Authenticate: Bearer realm="...", error="invalid_token"``;
* then the token's client's budget (where the operation documents a 429);
* a token without the scope the resource needs: 403 ``error="insufficient_scope", scope="..."``;
* else the documented success (Moov's 200 documents headers and no body: no body).

The answers carry the operation's documented headers (``x-request-id``, fresh each time) and a body
only where the operation documents one. The realm is the API the tokens are for (their ``aud``).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.endpoint import RequestHeaders
from oauth2_token_contract.mock.lifecycle import Handled, OperationEndpoint, OperationRenderer
from oauth2_token_contract.mock.rendering import json_response

__all__ = ["ResourceEndpoint", "ResourceRenderer"]

_B64TOKEN = re.compile(rb"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 2.1


class ResourceRenderer(OperationRenderer):
    """The resource's refusals: RFC 6750 3 challenges, a body only where the operation documents one."""

    realm = "mock"

    def challenge(self, error: str | None = None, scope: str | None = None) -> str:
        said = f'Bearer realm="{self.realm}"'
        if error is not None:
            said += f', error="{error}"'
        if scope is not None:
            said += f', scope="{scope}"'
        return said

    def refused(self, status: int, error: str | None = None, scope: str | None = None) -> Response:
        headers = {**self._documented_headers(status), "WWW-Authenticate": self.challenge(error, scope)}
        if not self.contract.documents_body(status):
            return Response(b"", status, headers)
        return json_response(status, {"error": error or "invalid_token"}, headers)

    def _unexampled(self, code: int, headers: dict[str, str]) -> Response:
        if code in (401, 403):
            return self.refused(code, None if code == 401 else "insufficient_scope", self.contract.scope)
        return super()._unexampled(code, headers)


class ResourceEndpoint(OperationEndpoint):
    """The protected resource's own step."""

    renderer_class = ResourceRenderer
    reads_body = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.renderer, ResourceRenderer)
        self.refuse = self.renderer.refused
        self.renderer.realm = str(self.components.minter.audience or "mock").replace('"', "")

    def handle(  # noqa: PLR0911 - one answer per step of RFC 6750 3
        self, scope: dict[str, Any], headers: RequestHeaders, params: dict[str, Any]
    ) -> Handled:
        c, needed = self.components, self.operation.scope
        authorization = headers.authorization
        if headers.duplicate_authorization:
            return self.malformed(), None
        if authorization is None:
            return self.refuse(401), None
        scheme, _, raw = authorization.partition(b" ")
        if scheme.lower() != b"bearer":
            return self.refuse(401), None  # another method: as if none (RFC 6750 3.1)
        raw = raw.strip(b" ")
        if not _B64TOKEN.fullmatch(raw):
            return self.malformed(), None
        token = raw.decode("ascii")
        record = c.access.check(token, c.clock.now()) if len(token) <= self.token_limit else None
        if record is None:
            return self.refuse(401, "invalid_token"), None
        self.limit(record.client_id, scope)
        if needed is not None and needed not in record.scope.split(" "):
            return self.refuse(403, "insufficient_scope", needed), record.client_id
        body = b"{}" if self.operation.response_schema(self.operation.success) else b""
        return self.success(body, "application/json" if body else None), record.client_id

    def malformed(self) -> Response:
        if 400 in self.operation.statuses:
            return self.refuse(400, "invalid_request")
        return self.refuse(401, "invalid_token")
