"""Rendering answers: every answer the mock's application sends is made here. Token responses, RFC
6749 errors, 429s, the answers QA forces (:mod:`~oauth2_token_contract.mock.forcing`), the 503 of a
lost shared state, a gateway's HTML, and the few non-contract replies. (Past a connection bound the
protocol answers below ASGI, in bytes: :mod:`~oauth2_token_contract.mock.bounds`.)

Headers come from the spec: a 200 carries every header the spec declares for it with the spec's
example values, and ``Cache-Control: no-store`` and ``Pragma: no-cache`` (RFC 6749 5.1) even where a spec
forgets them; a header documented as a uuid (``x-request-id``) is fresh on every answer; a 429 names
its wait in the retry header the spec names, in its unit. A refusal takes the status the spec
documents for it (400, or a per-field 422) and that status's body. Bodies are compact JSON;
descriptions never hold request values.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring_ascii as _quote
from types import MappingProxyType
from typing import Any

from starlette.responses import Response

from oauth2_token_contract.mock.errors import OAUTH_ERRORS, ControlError, MockError, RateLimited
from oauth2_token_contract.mock.forcing import GATEWAY_FAULTS, Answer
from oauth2_token_contract.mock.grants import Issued
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.spec.contract import FIELD_OF, NO_STORE, Contract, Operation

__all__ = [
    "JSON",
    "ResponseRenderer",
    "control_error",
    "gateway_response",
    "json_response",
    "raw_headers",
    "state_unavailable",
    "token_json",
]

JSON = "application/json"
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps builds an encoder per call
_CONTENT_TYPE = (b"content-type", JSON.encode())
_OWN = (b"content-length", b"content-type")
RawHeaders = list[tuple[bytes, bytes]]
_GATEWAY_TITLES = {  # as nginx words them
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}
# Documented headers with no example, made per answer from their schema's format.
_MADE: dict[str, Callable[[], str]] = {"uuid": lambda: str(uuid.uuid4())}


def fresh_headers(contract: Contract | Operation, status: int) -> list[tuple[bytes, Callable[[], str]]]:
    """The documented headers of ``status`` that change per answer (a uuid), as (raw name, maker)."""
    made = []
    for name, header in contract.response_headers(status).items():
        schema = header.get("schema") or {}
        maker = _MADE.get(str(schema.get("format", "")))
        if maker is not None and contract.header_example(status, name) == "":
            made.append((name.lower().encode("latin-1"), maker))
    return made


def stamp(response: Response, fresh: list[tuple[bytes, Callable[[], str]]]) -> Response:
    """``response`` with a fresh value of each per-answer header it does not carry yet."""
    if fresh:
        present = {name for name, _ in response.raw_headers}
        response.raw_headers.extend(
            (name, maker().encode("latin-1")) for name, maker in fresh if name not in present
        )
    return response


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


def gateway_response(status: int) -> Response:
    """What a reverse proxy in front of the endpoint answers when it fails: HTML, as nginx writes it."""
    title = _GATEWAY_TITLES[status]
    body = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n"
        f"<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return Response(body, status, media_type="text/html")


def control_error(error: ControlError) -> Response:
    """A QA control refused: ``mock_control_error``, never a contract answer."""
    body = {"error": "mock_control_error", "error_description": error.description}
    return json_response(error.status, body)


def state_unavailable(description: str) -> Response:
    """The answer when the shared state is lost: 503, off the contract, never a guess."""
    body = {"error": "temporarily_unavailable", "error_description": description}
    return json_response(503, body, {"Retry-After": "1"})


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
    """Turns grants and refusals into HTTP answers; built for another documented operation
    (``operation``: revocation, introspection, the resource), it renders that operation's refusals,
    forced answers and per-answer headers."""

    contract: Contract | Operation

    def __init__(self, settings: MockSettings, operation: Operation | None = None) -> None:
        contract = self.contract = settings.contract if operation is None else operation
        documented = {
            name: contract.header_example(200, name)
            for name in contract.response_headers(200)
            if contract.header_example(200, name)
        }
        lower = {name.lower() for name in documented}
        self.token_headers = {**{h: v for h, v in NO_STORE.items() if h.lower() not in lower}, **documented}
        # A subclass that reshapes the body gets it encoded from its dict; the plain body is written out.
        self._plain_token_body = type(self).token_body is ResponseRenderer.token_body
        self.retry = contract.retry
        self.retry_header = self.retry.name
        self.descriptions = {
            example["error"]: example.get("error_description")
            for status in contract.statuses
            for example in contract.response_examples(status).values()
            if isinstance(example, dict) and isinstance(example.get("error"), str)
        }
        # Per refusal code, the status it takes: a documented per-field 422 where one fits, else 400.
        self.statuses = {error.code: self._status_for(error.code) for error in OAUTH_ERRORS}
        self.fresh = {status: fresh_headers(contract, status) for status in contract.statuses}

    def _status_for(self, code: str) -> int:
        fits = self.contract.statuses_for(code)
        if 422 in fits and FIELD_OF.get(code):  # a refusal about one field, where 422 names fields
            return 422
        documented = self.contract.refusal_statuses
        return 400 if 400 in documented or not documented else documented[0]

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
        status = self.statuses.get(error.code, error.status)
        return json_response(status, self.error_body(error, status))

    def error_body(self, error: MockError, status: int = 400) -> dict[str, Any]:
        description = error.description or self.descriptions.get(error.code)
        if status == 422:
            return self.contract.refusal_body(422, error.code, description or error.code)
        return (
            {"error": error.code, "error_description": description} if description else {"error": error.code}
        )

    def rate_limited(self, error: RateLimited) -> Response:
        headers = {self.retry_header: self.retry.spell(error.retry_in_ms)}
        return json_response(error.status, self.error_body(error), headers)

    def stamp(self, response: Response) -> Response:
        """Add the per-answer headers the spec documents for the answer's status (a uuid request id)."""
        return stamp(response, self.fresh.get(response.status_code, []))

    def not_found(self) -> Response:
        return json_response(404, {"error": "not_found", "error_description": "no such path"})

    def method_not_allowed(self, allowed: str = "POST") -> Response:
        body = {"error": "method_not_allowed", "error_description": "use " + allowed}
        return json_response(405, body, {"Allow": allowed})

    # --- answers QA forced ---------------------------------------------------------------------------

    def forced(self, answer: Answer) -> Response:
        """The answer that stands in for the endpoint's (``answer.replaces``)."""
        if answer.fault in GATEWAY_FAULTS:
            return gateway_response(int(answer.fault))
        assert answer.code is not None
        if answer.error is not None:
            error = next(e for e in OAUTH_ERRORS if e.code == answer.error)()
            return json_response(answer.code, self.error_body(error, answer.code))
        examples = self.contract.response_examples(answer.code)
        headers = self._documented_headers(answer.code)
        if answer.retry_in is not None:
            headers = {**headers, self.retry_header: self.retry.spell(answer.retry_in)}
        if examples:
            return json_response(answer.code, examples[answer.example or next(iter(examples))], headers)
        return self._unexampled(answer.code, headers)

    def _documented_headers(self, status: int) -> dict[str, str]:
        return {
            name: str(header["example"])
            for name, header in self.contract.response_headers(status).items()
            if "example" in header
        }

    def _unexampled(self, code: int, headers: dict[str, str]) -> Response:
        """A documented status with no example: the body its schema asks for, or none."""
        if code == 429:
            return json_response(code, {"error": "rate_limited"}, headers)
        if 400 <= code < 500:
            body = self.contract.refusal_body(code, "invalid_request", "forced by the fault lab")
            return json_response(code, body, headers)
        if self.contract.response_schema(code):
            return json_response(code, {"error": "server_error"}, headers)
        return Response(b"", code, headers)
