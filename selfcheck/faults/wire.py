"""The endpoint as HTTP: an answer in time (a large body included) and other methods refused."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from starlette.responses import Response

from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


LARGE_BODY = 4 * 1024  # a body carrying a token near the 4096-character limit


class StallOnLargeBody(RequestParser):
    """Bodies past 4 KiB (a token near the limit) wait longer than any client does (bounded, so the
    server still stops)."""

    threshold: ClassVar[int] = 4 * 1024
    stall_seconds: ClassVar[float] = 12.0

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if len(body) > self.threshold:
            await asyncio.sleep(self.stall_seconds)
        return body


class SlowOnLargeBody(RequestParser):
    """Bodies past 4 KiB answered 2.5 s late: within any timeout, far later than the rest."""

    delay: ClassVar[float] = 2.5

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if len(body) > LARGE_BODY:
            await asyncio.sleep(self.delay)
        return body


class OtherMethodsAnswered(ResponseRenderer):
    """GET and the rest answered 200 with an empty JSON object, as a catch-all route does."""

    def method_not_allowed(self, allowed: str = "POST") -> Response:
        return json_response(200, {})


class NoAllowOn405(ResponseRenderer):
    def method_not_allowed(self, allowed: str = "POST") -> Response:
        return json_response(405, {"error": "method_not_allowed"})


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "stall-on-large-body",
            "bodies over 4 KiB stall for 12 s (longer than the suite's request timeout)",
            {"parser": StallOnLargeBody},
            breaks=("A8",),
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
    )
}
