"""The endpoint as HTTP: an answer in time (a large body included), other methods refused, and the
request read as real clients send it: the media type and the Basic scheme in any letter case, a body in
the chunked transfer coding (with :class:`LengthRequired`, the 411 a correct server may answer instead)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from starlette.responses import Response

from oauth2_token_contract.mock.authentication import MALFORMED, Authenticator, BasicCredentials
from oauth2_token_contract.mock.errors import InvalidRequest, MockError
from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response
from selfcheck.faults.model import Fault

__all__ = ["FAULTS", "LengthRequired", "LengthRequiredParser"]


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


class MediaTypeCaseSensitive(RequestParser):
    """The media type compared as written: ``Application/JSON`` is no JSON."""

    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        media = (content_type or b"").decode("latin-1").split(";")[0].strip()
        if content_type and media not in self.decoders:
            raise InvalidRequest("unsupported Content-Type")
        return super().decoder(content_type)


class BasicSchemeCaseSensitive(Authenticator):
    """Only ``Basic`` spelt so is Basic: ``basic`` and ``BASIC`` are malformed credentials."""

    def read_basic(self, authorization: bytes | None) -> BasicCredentials | None:
        if authorization is not None and not authorization.startswith(b"Basic "):
            return MALFORMED
        return super().read_basic(authorization)


class ChunkedBodyRefused(RequestParser):
    """A body without a Content-Length (a chunked one) refused as invalid_request."""

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if content_length is None and body:
            raise InvalidRequest("a Content-Length is required")
        return body


class LengthRequired(MockError):
    """411 Length Required: RFC 9112 section 6.3 lets a server refuse a body without a Content-Length."""

    status = 411
    code = "length_required"


class LengthRequiredParser(RequestParser):
    """A correct variant: a chunked body answered 411, as RFC 9112 section 6.3 allows."""

    async def read_body(self, receive: Any, content_length: bytes | None) -> bytes:
        body = await super().read_body(receive, content_length)
        if content_length is None and body:
            raise LengthRequired("a Content-Length is required")
        return body


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
        Fault(
            "media-type-case-sensitive",
            "the media type matched as written: Application/JSON is refused",
            {"parser": MediaTypeCaseSensitive},
            breaks=("E18/json", "E18/form"),
        ),
        Fault(
            "basic-scheme-case-sensitive",
            "only Basic spelt so is read: basic and BASIC are invalid_client",
            {"authenticator": BasicSchemeCaseSensitive},
            breaks=("E19",),
        ),
        Fault(
            "chunked-body-refused",
            "a body without a Content-Length (chunked) refused as invalid_request",
            {"parser": ChunkedBodyRefused},
            breaks=("E20/json", "E20/form"),
        ),
    )
}
