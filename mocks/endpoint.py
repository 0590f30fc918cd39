"""``POST /oauth2/token``: the request path, one component per step.

Check order (the first failing step answers; later steps never run):

1. method: anything but POST is 405 with ``Allow: POST``;
2. QA control: a ``Prefer`` header asking for ``code=``/``example=`` gets that documented answer;
3. parse: Content-Type, body size cap, UTF-8, JSON/form, duplicates -> 400 ``invalid_request``;
4. rate limit: per claimed client id (Basic or body), else per peer -> 429 with the retry header;
5. grant_type: missing/not a string -> ``invalid_request``; not in the enum -> ``unsupported_grant_type``;
6. schema: the spec's request schema -> ``invalid_scope`` (scope pattern only) or ``invalid_request``;
7. client authentication -> ``invalid_client`` (``invalid_request`` for two methods at once);
8. grant: ``unauthorized_client`` (grant type not allowed for the client), ``invalid_grant``,
   ``invalid_scope``, or 200 with the token.

Anything unexpected is answered 400 ``invalid_request`` (and flagged in the journal), never 500;
nothing about the request (body, headers) is logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from mocks.authentication import MALFORMED
from mocks.errors import InvalidRequest, MockError, UnsupportedGrantType
from mocks.parsing import ClientDisconnected

if TYPE_CHECKING:
    from mocks.components import Components

__all__ = ["TokenEndpoint"]

logger = logging.getLogger("mocks")


class RequestHeaders:
    """The four headers the endpoint reads, picked out of the ASGI scope (names arrive lower-cased)."""

    __slots__ = ("authorization", "content_length", "content_type", "duplicate_authorization", "prefer")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        headers = dict(raw)  # a repeated header keeps its last value
        self.content_type = headers.get(b"content-type")
        self.content_length = headers.get(b"content-length")
        self.authorization = headers.get(b"authorization")
        self.prefer = headers.get(b"prefer")
        self.duplicate_authorization = (
            len(headers) < len(raw) and sum(name == b"authorization" for name, _ in raw) > 1
        )


class TokenEndpoint:
    """The ASGI app behind the token path."""

    allowed_methods = "POST"

    def __init__(self, components: Components) -> None:
        self.components = components

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        response = await self.answer(scope, receive)
        if response is not None:
            await response(scope, receive, send)

    async def answer(self, scope: dict[str, Any], receive: Any) -> Response | None:
        """Runs the steps and journals the outcome; None when the client left mid-body.

        One coroutine for all the steps: this is the path every request takes, and each extra
        layer of calls on it measurably costs throughput.
        """
        c = self.components
        params: dict[str, Any] | None = None
        internal_error = False
        try:
            headers = RequestHeaders(scope["headers"])
            if scope["method"] != "POST":
                response = c.renderer.method_not_allowed(self.allowed_methods)
            elif (
                headers.prefer is not None
                and c.controls.enabled
                and (forced := c.controls.forced(headers.prefer))
            ):
                response = forced
            else:
                params = {}  # what was parsed, for the journal, even when a later step refuses
                try:
                    body = await c.parser.read_body(receive, headers.content_length)
                    params = c.parser.parse(headers.content_type, body)
                    basic = (
                        MALFORMED
                        if headers.duplicate_authorization
                        else c.authenticator.read_basic(headers.authorization)
                    )
                    peer = scope.get("client")
                    key, client_id = c.limiter.key(
                        c.authenticator.claimed_id(basic, params), peer[0] if peer else None
                    )
                    c.limiter.check(key, client_id)
                    grant = c.grants.grant(c.validator.grant_type(params))
                    c.validator.validate(params)
                    if grant is None:
                        raise UnsupportedGrantType("the grant type is not supported")
                    client = c.authenticator.authenticate(basic, params)
                    c.grants.authorize(client, params["grant_type"])
                    response = c.renderer.token(grant(client, params))
                except MockError as error:
                    response = c.renderer.error(error)
        except ClientDisconnected:
            return None
        except Exception as exc:  # the promise is "never a 500": log the type only, never values
            logger.error("token endpoint: unexpected %s", type(exc).__name__)
            response = c.renderer.error(InvalidRequest("the request could not be processed"))
            internal_error = True
        c.journal.record(scope, params, response.status_code, response.body, internal_error=internal_error)
        return response
