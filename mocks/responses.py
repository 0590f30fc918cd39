"""Rendering answers: token responses, RFC 6749 errors, 429s, and the few non-contract replies.

Headers come from the spec: a 200 carries every header the spec declares for it (``Cache-Control:
no-store`` and ``Pragma: no-cache``, section 5.1) with the spec's example values, a 429 carries the
retry header the spec names. Bodies are compact JSON; descriptions never hold request values.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from mocks.errors import OAUTH_ERRORS, MockError, RateLimited
from mocks.grants import Issued
from mocks.settings import ConfigError, MockSettings

__all__ = ["JSON", "ResponseRenderer", "json_response"]

JSON = "application/json"
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps builds an encoder per call
_CONTENT_TYPE = (b"content-type", JSON.encode())


class _JSONResponse(Response):
    """A ``Response`` whose headers are built the way Starlette builds them, in fewer steps."""

    media_type = JSON

    def init_headers(self, headers: Any = None) -> None:
        items = headers.items() if headers else ()
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in items]
        status = self.status_code
        if status < 200 or status in (204, 304) or any(k in _OWN for k, _ in raw):
            super().init_headers(headers)  # Starlette's rules for the rare cases
            return
        raw.append((b"content-length", str(len(self.body)).encode()))
        raw.append(_CONTENT_TYPE)
        self.raw_headers = raw


_OWN = (b"content-length", b"content-type")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return _JSONResponse(_ENCODE(body).encode(), status_code=status, headers=headers)


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
        self.retry_header = contract.retry_header
        self.descriptions = {
            example["error"]: example.get("error_description")
            for status in (400, 429)
            for example in contract.response_examples(status).values()
        }

    def token(self, issued: Issued) -> Response:
        return json_response(200, self.token_body(issued), self.token_headers)

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
