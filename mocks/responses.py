"""Rendering answers: token responses, RFC 6749 errors, 429s, and the few non-contract replies.

Headers come from the spec: a 200 carries every header the spec declares for it (``Cache-Control:
no-store`` and ``Pragma: no-cache``, section 5.1) with the spec's example values, a 429 carries the
retry header the spec names. Bodies are compact JSON; descriptions never hold request values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _quote
from types import MappingProxyType
from typing import Any

from oauth2_token_contract.mock.errors import OAUTH_ERRORS, MockError, RateLimited
from oauth2_token_contract.mock.grants import Issued
from oauth2_token_contract.mock.settings import ConfigError, MockSettings
from starlette.responses import Response

__all__ = ["JSON", "ResponseRenderer", "json_response", "raw_headers", "token_json"]

JSON = "application/json"
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps builds an encoder per call
_CONTENT_TYPE = (b"content-type", JSON.encode())
_OWN = (b"content-length", b"content-type")
RawHeaders = list[tuple[bytes, bytes]]


def raw_headers(headers: Mapping[str, str] | None) -> RawHeaders:
    """Headers as ASGI wants them: names lower-cased, both sides latin-1 (what Starlette does)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]


class _JSONResponse(Response):
    """A Starlette ``Response`` for a body already encoded, with headers already in raw form.

    Built in one step where Starlette's ``__init__`` renders and builds headers in several; the
    mock serves no websockets and runs no background tasks, so ``__call__`` only sends.
    """

    media_type = JSON
    background = None

    def __init__(self, body: bytes, status_code: int, raw: RawHeaders) -> None:
        self.status_code = status_code
        self.body = body
        self.raw_headers = [*raw, (b"content-length", str(len(body)).encode()), _CONTENT_TYPE]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    raw = raw_headers(headers)
    if status < 200 or status in (204, 304) or any(name in _OWN for name, _ in raw):
        return Response(_ENCODE(body), status, headers, JSON)  # Starlette's rules for the rare cases
    return _JSONResponse(_ENCODE(body).encode(), status, raw)


def token_json(issued: Issued) -> bytes:
    """What ``_ENCODE(token_body(issued))`` gives, written out: no dict, no encoder walk."""
    expires_in = issued.expires_in
    text = (
        '{"access_token":' + _quote(issued.access_token)
        + ',"token_type":' + _quote(issued.token_type)
        + ',"expires_in":' + (int.__repr__(expires_in) if type(expires_in) is int else _ENCODE(expires_in))
        + ',"scope":' + _quote(issued.scope)
    )  # fmt: skip
    if issued.refresh_token is not None:
        text += ',"refresh_token":' + _quote(issued.refresh_token)
    return (text + "}").encode()


class ResponseRenderer:
    """Turns grants and refusals into HTTP answers."""

    def __init__(self, settings: MockSettings) -> None:
        contract = settings.contract
        unknown = {error.code for error in OAUTH_ERRORS} - set(contract.error_codes)
        if unknown:
            raise ConfigError(f"the spec's error enum lacks {sorted(unknown)}")
        self.token_headers = {
            name: contract.header_example(200, name) for name in contract.response_headers(200)
        }
        # A subclass that reshapes the body gets it encoded from its dict; the plain body is written out.
        self._plain_token_body = type(self).token_body is ResponseRenderer.token_body
        self.retry_header = contract.retry_header
        self.descriptions = {
            example["error"]: example.get("error_description")
            for status in (400, 429)
            for example in contract.response_examples(status).values()
        }

    @property
    def token_headers(self) -> Mapping[str, str]:
        """The 200's headers (read-only: assign a new mapping to change them)."""
        return self._token_headers

    @token_headers.setter
    def token_headers(self, headers: Mapping[str, str]) -> None:
        self._token_headers = MappingProxyType(dict(headers))
        raw = raw_headers(headers)
        self._token_raw = None if any(name in _OWN for name, _ in raw) else raw

    def token(self, issued: Issued) -> Response:
        raw = self._token_raw
        if raw is None:  # the headers set Content-Type or Content-Length themselves
            return json_response(200, self.token_body(issued), self._token_headers)
        body = token_json(issued) if self._plain_token_body else _ENCODE(self.token_body(issued)).encode()
        return _JSONResponse(body, 200, raw)

    def token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        }
        if issued.refresh_token is not None:
            body["refresh_token"] = issued.refresh_token
        return body

    def error(self, error: MockError) -> Response:
        if isinstance(error, RateLimited):
            return self.rate_limited(error)
        return json_response(error.status, self.error_body(error))

    def error_body(self, error: MockError) -> dict[str, Any]:
        description = error.description or self.descriptions.get(error.code)
        return (
            {"error": error.code, "error_description": description} if description else {"error": error.code}
        )

    def rate_limited(self, error: RateLimited) -> Response:
        headers = {self.retry_header: str(error.retry_in_ms)}
        return json_response(error.status, self.error_body(error), headers)

    def not_found(self) -> Response:
        return json_response(404, {"error": "not_found", "error_description": "no such path"})

    def method_not_allowed(self, allowed: str = "POST") -> Response:
        body = {"error": "method_not_allowed", "error_description": "use " + allowed}
        return json_response(405, body, {"Allow": allowed})
