"""``POST /oauth2/token``: the request path, one component per step.

Check order (the first failing step answers; later steps never run):

1. method: anything but POST is 405 with ``Allow: POST``;
2. QA control: a ``Prefer`` header asking for ``code=``/``example=`` (or a gateway ``fault=``) gets
   that answer; a bad value of a known preference is 422 ``mock_control_error``;
3. parse: Content-Type, body size cap, UTF-8, JSON/form, duplicates -> 400 ``invalid_request``;
4. QA control: the first scripted rule the request matches (claimed client id, grant type, media
   type) answers, when its ``Prefer`` asked for nothing;
5. rate limit: per authenticated client, else per peer (see :mod:`oauth2_token_contract.mock.ratelimit`) ->
429 with
   the retry header; the credentials are checked here, their refusal waits for step 8;
6. grant_type: missing/not a string -> ``invalid_request``; not in the enum -> ``unsupported_grant_type``;
7. schema: the spec's request schema -> ``invalid_scope`` (scope pattern only) or ``invalid_request``;
8. client authentication -> ``invalid_client`` (``invalid_request`` for two methods at once);
9. grant: ``unauthorized_client`` (grant type not allowed for the client), ``invalid_grant``,
   ``invalid_scope``, or 200 with the token.

A ``delay`` or a delivery ``fault`` (from ``Prefer`` or a rule) then changes how the answer goes out
(:mod:`oauth2_token_contract.mock.injection`). Controls cost the request path two flag checks when unused: a
``Prefer`` header present, a rule in force. Anything unexpected is answered 400 ``invalid_request`` (and
flagged in the journal), never 500; nothing about the request (body, headers) is logged.

Over shared state (:mod:`oauth2_token_contract.mock.state`) steps 4 and 5 see what other processes
changed: the limiter's round trip also checks the namespace's version, and the steps run again when
it moved (at most ``RUNS`` times; skipped in memory). When the state cannot be reached the answer is
503, journalled as outside the contract, never a 200 or a refusal the shared state might contradict. A
shared journal writes the answer's blind writes (a refresh token issued) with its entry, in one round
trip before the answer leaves; when that fails, the answer becomes the 503.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from oauth2_token_contract.mock.authentication import MALFORMED
from oauth2_token_contract.mock.errors import (
    ControlError,
    InvalidRequest,
    MockError,
    StateMoved,
    StateUnavailable,
    UnsupportedGrantType,
)
from oauth2_token_contract.mock.forcing import Answer
from oauth2_token_contract.mock.injection import Injected
from oauth2_token_contract.mock.parsing import ClientDisconnected
from oauth2_token_contract.mock.rendering import control_error, state_unavailable

if TYPE_CHECKING:
    from oauth2_token_contract.mock.components import Components
    from oauth2_token_contract.mock.settings import ClientConfig

__all__ = ["STATE_UNAVAILABLE", "TokenEndpoint"]

logger = logging.getLogger(__name__)
STATE_UNAVAILABLE = "state_unavailable"  # the journal's name for an answer the lost engine forced
RUNS = 3  # the steps that read control state, at most this often (the last run checks first)


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


class Scripted(Exception):
    """A scripted rule answered: the remaining steps are skipped."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


class TokenEndpoint:
    """The ASGI app behind the token path."""

    allowed_methods = "POST"

    def __init__(self, components: Components) -> None:
        self.components = components
        self.shared = components.state if components.state.shared else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        response = await self.answer(scope, receive)
        if response is not None:
            await response(scope, receive, send)

    async def answer(  # noqa: PLR0912, PLR0915 - one coroutine for all the steps, on purpose (below)
        self, scope: dict[str, Any], receive: Any
    ) -> Response | Injected | None:
        """Runs the steps and journals the outcome; None when the client left mid-body.

        One coroutine for all the steps: this is the path every request takes, and each extra
        layer of calls on it measurably costs throughput.
        """
        c = self.components
        params: dict[str, Any] | None = None
        internal_error: bool | str = False
        claimed: str | None = None
        asked: Answer | None = None  # what a QA control asked of this answer
        client: ClientConfig | None = None
        try:
            headers = RequestHeaders(scope["headers"])
            if scope["method"] != "POST":
                response = c.renderer.method_not_allowed(self.allowed_methods)
            elif (
                headers.prefer is not None
                and c.controls.enabled
                and (asked := c.controls.prefer(headers.prefer)) is not None
                and asked.replaces
            ):
                response = c.controls.render(asked)
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
                    claimed = c.authenticator.claimed_id(basic, params)
                    for run in range(RUNS):  # over shared state: again when another process moved it
                        try:
                            if self.shared is not None:
                                self.shared.begin(run == RUNS - 1)
                            if asked is None and c.controls.rules.active:
                                grant_type = params.get("grant_type")
                                asked = c.controls.rules.take(claimed, grant_type, headers.content_type)
                                if asked is not None and asked.replaces:
                                    raise Scripted(c.controls.render(asked))
                            client = c.authenticator.identify(basic, params)
                            peer = scope.get("client")
                            key, client_id = c.limiter.key(
                                None if client is None else client.client_id, peer[0] if peer else None
                            )
                            c.limiter.check(key, client_id)
                            if self.shared is not None:
                                self.shared.confirm()
                            break
                        except StateMoved:
                            continue
                    grant = c.grants.grant(c.validator.grant_type(params))
                    c.validator.validate(params)
                    if grant is None:
                        raise UnsupportedGrantType("the grant type is not supported")
                    if client is None:
                        client = c.authenticator.authenticate(basic, params)  # raises the refusal
                    c.grants.authorize(client, params["grant_type"])
                    response = c.renderer.token(grant(client, params))
                except MockError as error:
                    response = c.renderer.error(error)
                except Scripted as scripted:
                    response = scripted.response
        except ClientDisconnected:
            return None
        except ControlError as error:
            response = control_error(error)
        except StateUnavailable as error:
            response, internal_error = state_unavailable(error.description), STATE_UNAVAILABLE
        except Exception as exc:  # the promise is "never a 500": log the type only, never values
            logger.error("token endpoint: unexpected %s", type(exc).__name__)
            response = c.renderer.error(InvalidRequest("the request could not be processed"))
            internal_error = True
        try:
            c.journal.record(
                scope, params, response.status_code, response.body, internal_error, claimed, asked
            )
        except StateUnavailable as error:  # a shared journal writes the answer's state with its entry
            response = state_unavailable(error.description)
            c.journal.record(scope, params, 503, response.body, STATE_UNAVAILABLE, claimed, asked)
        if asked is not None and asked.wraps:
            return c.controls.inject(c.renderer.stamp(response), asked)
        return c.renderer.stamp(response)
