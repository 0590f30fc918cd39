"""Delivering an answer late or broken: the delay and the wire faults of
:mod:`oauth2_token_contract.mock.forcing`.

:class:`Injected` stands in for a response (the journal reads its status and body as the endpoint
made them) and, when sent, waits out the delay, then delivers the answer as the fault says. A delay
and a slow body end early when the client leaves (a timed-out client frees the server at once).

``reset``, ``close`` and ``truncate`` act below ASGI: the mock's own server
(:mod:`oauth2_token_contract.mock.protocols`) lends a :class:`Wire` in the scope's extensions
(``scope["extensions"][WIRE]["wire"]``); served by anything else, such a fault is answered 422
``mock_control_error`` instead.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from starlette.responses import Response

from oauth2_token_contract.mock.errors import ControlError
from oauth2_token_contract.mock.forcing import SLOW_BODY_GAP, SLOW_BODY_PIECES, Answer
from oauth2_token_contract.mock.rendering import control_error

__all__ = ["WIRE", "Injected", "Wire"]

WIRE = "mock.wire"


class Wire(Protocol):
    """The connection under one request's answer, as the server lends it."""

    def reset(self) -> None:
        """Abort with a TCP reset; nothing more is sent."""

    def drop(self) -> None:
        """Close (FIN) after whatever was written; the answer stays unfinished."""


async def wait_unless_gone(receive: Any, seconds: float) -> bool:
    """Sleeps ``seconds``; False as soon as the client disconnects (True when it stayed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(receive(), remaining)
        except TimeoutError:
            return True
        if message["type"] == "http.disconnect":
            return False
    return True


class Injected:
    """A response delivered late and/or broken; ``status_code`` and ``body`` are the response's."""

    __slots__ = ("answer", "body", "response", "status_code")

    def __init__(self, response: Response, answer: Answer) -> None:
        self.response = response
        self.answer = answer
        self.status_code = response.status_code
        self.body = response.body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        answer, response = self.answer, self.response
        wire: Wire | None = (scope.get("extensions") or {}).get(WIRE, {}).get("wire")
        if answer.fault in ("reset", "close", "truncate") and wire is None:
            error = ControlError(
                f"fault={answer.fault} needs the mock's own server (token-contract-mock serve)"
            )
            await control_error(error)(scope, receive, send)
            return
        if answer.delay and not await wait_unless_gone(receive, answer.delay / 1000):
            return
        if answer.fault == "reset":
            assert wire is not None
            wire.reset()
        elif answer.fault == "close":
            assert wire is not None
            wire.drop()
        elif answer.fault == "truncate":
            assert wire is not None
            await self._start(send)
            half = bytes(self.body[: len(self.body) // 2])
            await send({"type": "http.response.body", "body": half, "more_body": True})
            wire.drop()
        elif answer.fault == "slow-body":
            await self._slowly(send, receive)
        else:
            await response(scope, receive, send)

    async def _start(self, send: Any) -> None:
        """The head, as the response would send it (its Content-Length: the whole body)."""
        headers = self.response.raw_headers
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})

    async def _slowly(self, send: Any, receive: Any) -> None:
        body = bytes(self.body)
        await self._start(send)
        size = -(-len(body) // SLOW_BODY_PIECES)
        for start in range(0, len(body), size or 1):
            if start and not await wait_unless_gone(receive, SLOW_BODY_GAP):
                return
            await send({"type": "http.response.body", "body": body[start : start + size], "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
