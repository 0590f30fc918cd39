"""What the endpoints of a token's life beside the token endpoint share: the steps around their own.

Revocation (:mod:`.revocation`), introspection (:mod:`.introspection`) and the protected resource
(:mod:`.resource`) each serve one documented operation
(:class:`~oauth2_token_contract.spec.operations.Operation`) and are built only where the spec documents
it. Around the step that is each one's own (:meth:`OperationEndpoint.handle`, synchronous, so no other
request runs in between), they share:

1. method: another method is 405 with ``Allow``;
2. QA control: ``Prefer: code=``/``example=`` forces any status the operation documents, ``delay=`` and
   ``fault=`` act as on the token path (:mod:`.forcing`, checked against this operation);
3. body (a POST): parsed as the token path parses its own (:mod:`.parsing`), capped alike;
4. shared state: what other processes changed (clients, the clock) is taken in first;
5. the operation's own step; its refusals take the status the operation documents for them;
6. the journal: the request and its answer, redacted (the ``token`` a request names, any
   ``Authorization``), under the operation's path.

A lost shared state is a 503, journalled as outside the contract; anything unexpected a 400
``invalid_request``, never a 500, and nothing of the request is logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from starlette.responses import Response

from oauth2_token_contract.mock.authentication import MALFORMED
from oauth2_token_contract.mock.endpoint import STATE_UNAVAILABLE, RequestHeaders
from oauth2_token_contract.mock.errors import (
    ControlError,
    InvalidRequest,
    MockError,
    StateMoved,
    StateUnavailable,
)
from oauth2_token_contract.mock.forcing import Answer, Answers
from oauth2_token_contract.mock.injection import Injected
from oauth2_token_contract.mock.parsing import ClientDisconnected, RequestParser
from oauth2_token_contract.mock.rendering import ResponseRenderer, control_error, state_unavailable
from oauth2_token_contract.spec.contract import STAND_IN_TOKEN_LIMIT, Operation

if TYPE_CHECKING:
    from oauth2_token_contract.mock.components import Components
    from oauth2_token_contract.mock.settings import ClientConfig, MockSettings

__all__ = ["CREDENTIALS", "Handled", "OperationEndpoint", "OperationRenderer"]

logger = logging.getLogger(__name__)
# RFC 7009 2.1 and RFC 7662 2.1 authenticate clients as RFC 6749 2.3 does: in the body too.
CREDENTIALS = ("client_id", "client_secret")
Handled = tuple[Response, "str | None"]  # the answer, and the client id it is filed under


class OperationRenderer(ResponseRenderer):
    """The renderer of one documented operation: its refusals, forced answers and headers. A forced
    status whose answer the operation documents no body for goes out without one."""

    contract: Operation

    def documented_headers(self, status: int) -> dict[str, str]:
        """The headers the operation documents for ``status`` with an example value."""
        return self._documented_headers(status)

    def _unexampled(self, code: int, headers: dict[str, str]) -> Response:
        if not self.contract.documents_body(code):
            return Response(b"", code, headers)
        return super()._unexampled(code, headers)


class OperationEndpoint:
    """The ASGI app behind one documented operation; :meth:`handle` is the operation's own step."""

    renderer_class: ClassVar[type[OperationRenderer]] = OperationRenderer
    reads_body: ClassVar[bool] = True

    def __init__(self, components: Components, operation: Operation) -> None:
        self.components = components
        self.operation = operation
        settings = components.settings
        self.renderer = self.renderer_class(settings, operation)
        self.answers = Answers(settings, self.renderer, operation)
        self.allowed = operation.method.upper()
        self.parser = RequestParser(settings, operation, CREDENTIALS) if self.reads_body else None
        contract = settings.contract
        # No token this mock issues is longer: a longer one is unknown without a look-up.
        self.token_limit = max(
            contract.issued_token_max_length or STAND_IN_TOKEN_LIMIT,
            contract.refresh_token_max_length or STAND_IN_TOKEN_LIMIT,
        )

    @property
    def settings(self) -> MockSettings:
        return self.components.settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        response = await self.answer(scope, receive)
        if response is not None:
            await response(scope, receive, send)

    async def answer(self, scope: dict[str, Any], receive: Any) -> Response | Injected | None:
        """Runs the shared steps around :meth:`handle` and journals the outcome."""
        c = self.components
        params: dict[str, Any] | None = None
        internal_error: bool | str = False
        claimed: str | None = None
        asked: Answer | None = None
        try:
            headers = RequestHeaders(scope["headers"])
            if scope["method"] != self.allowed:
                response = self.renderer.method_not_allowed(self.allowed)
            elif (
                headers.prefer is not None
                and c.controls.enabled
                and (asked := self.answers.from_prefer(headers.prefer)) is not None
                and asked.replaces
            ):
                response = self.renderer.forced(asked)
            else:
                params = {}
                try:
                    if self.parser is not None:
                        body = await self.parser.read_body(receive, headers.content_length)
                        params = self.parser.parse(headers.content_type, body)
                    if c.state.sync is not None:
                        c.state.sync()  # what other processes changed: clients, the clock
                    response, claimed = self.handle(scope, headers, params)
                except MockError as error:
                    response = self.renderer.error(error)
        except ClientDisconnected:
            return None
        except ControlError as error:
            response = control_error(error)
        except StateUnavailable as error:
            response, internal_error = state_unavailable(error.description), STATE_UNAVAILABLE
        except Exception as exc:  # never a 500: the type only, never values
            logger.error("%s endpoint: unexpected %s", self.operation.role, type(exc).__name__)
            response = self.renderer.error(InvalidRequest("the request could not be processed"))
            internal_error = True
        try:
            c.journal.record(
                scope, params, response.status_code, response.body, internal_error, claimed, asked
            )
        except StateUnavailable as error:
            response = state_unavailable(error.description)
            c.journal.record(scope, params, 503, response.body, STATE_UNAVAILABLE, claimed, asked)
        if asked is not None and asked.wraps:
            return c.controls.inject(self.renderer.stamp(response), asked)
        return self.renderer.stamp(response)

    def handle(self, scope: dict[str, Any], headers: RequestHeaders, params: dict[str, Any]) -> Handled:
        """The operation's own step: its answer, or a MockError the renderer answers."""
        raise NotImplementedError

    # --- steps the operations share ---------------------------------------------------------------

    def limit(self, client_id: str | None, scope: dict[str, Any]) -> None:
        """The client's budget (its peer's when unauthenticated), where the operation documents a 429."""
        if not self.operation.rate_limited:
            return
        limiter, peer = self.components.limiter, scope.get("client")
        key, budget_of = limiter.key(client_id, peer[0] if peer else None)
        try:
            limiter.check(key, budget_of)
        except StateMoved:  # a version check left armed by another request: the state is read again
            limiter.check(key, budget_of)

    def authenticated(
        self, scope: dict[str, Any], headers: RequestHeaders, params: dict[str, Any]
    ) -> ClientConfig:
        """The client, authenticated as the token endpoint does it (Basic or body), after its budget
        is counted; the refusal (``invalid_client``) after ``token`` is checked, as the token path
        checks its parameters before the credentials."""
        authenticator = self.components.authenticator
        basic = (
            MALFORMED if headers.duplicate_authorization else authenticator.read_basic(headers.authorization)
        )
        client = authenticator.identify(basic, params)
        self.limit(None if client is None else client.client_id, scope)
        self.token_of(params)
        return client if client is not None else authenticator.authenticate(basic, params)

    def token_of(self, params: dict[str, Any]) -> str:
        """The ``token`` parameter (RFC 7009 2.1, RFC 7662 2.1), required; ``token_type_hint`` is
        never trusted, so never read."""
        token = params.get("token")
        if not isinstance(token, str):
            raise InvalidRequest("token is required and must be a string")
        return token

    def success(self, body: bytes = b"", media_type: str | None = None) -> Response:
        """The operation's documented success, with its documented headers."""
        status = self.operation.success
        headers = self.renderer.documented_headers(status)
        if media_type is not None:
            headers["Content-Type"] = media_type
        return Response(body, status, headers)
