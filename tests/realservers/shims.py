"""Diagnostic shims: WSGI middleware that hides one known divergence of a real server, so that the
contract suite gets past it and shows what lies behind.

A real server that refuses JSON bodies fails nearly every test of the suite (the suite's own flows
send JSON), and one that answers ``token_type: Bearer`` fails every test that expects a 200: each
masks the rest. With a shim on, the suite reaches the next layer. Only for study: the evidence of
FINDINGS.md names the layer it was seen at, and ``<server>.expected.yaml`` describes the stock server,
never a shimmed one.

* ``json-as-form``: a request body labelled ``application/json`` (any parameters) that is a JSON
  object of string values is re-sent to the app as the equivalent form body, pairs and duplicates
  kept in order; any other body (malformed, not UTF-8, non-string values) reaches the app unchanged.
* ``opaque-token-type``: a 200 JSON answer whose ``token_type`` is ``Bearer`` (any case) says
  ``opaque`` instead, the rest of the body unchanged.
* ``invalid-client-400``: a 401 answer is sent as 400 (headers and body unchanged). The suite accepts
  RFC 6749 5.2's 401 ``invalid_client``; the shim also hides a challenge of the wrong scheme (DOT's).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["SHIMS", "apply_shims"]

Headers = list[tuple[str, str]]
Rewrite = Callable[[str, Headers, bytes], tuple[str, Headers, bytes]]


class _Pairs(list[tuple[str, Any]]):
    """A JSON object's members in order, duplicates kept (json's ``object_pairs_hook``)."""


def json_as_form(app: WSGIApplication) -> WSGIApplication:
    def shimmed(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        media = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if media == "application/json":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            try:
                data = json.loads(raw.decode("utf-8"), object_pairs_hook=_Pairs)
            except ValueError:
                data = None
            if isinstance(data, _Pairs) and all(isinstance(v, str) for _, v in data):
                form = urlencode(list(data)).encode()
                environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
                environ["CONTENT_LENGTH"] = str(len(form))
                environ["wsgi.input"] = io.BytesIO(form)
        return app(environ, start_response)

    return shimmed


def _rewriting(app: WSGIApplication, rewrite: Rewrite) -> WSGIApplication:
    """Buffer each answer and pass it through ``rewrite(status, headers, body)``."""

    def shimmed(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], object]:
            seen.update(status=status, headers=list(headers))
            return lambda data: None

        result = app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers, body = rewrite(seen["status"], seen["headers"], body)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    return shimmed


def opaque_token_type(app: WSGIApplication) -> WSGIApplication:
    def rewrite(status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
        if not status.startswith("200"):
            return status, headers, body
        try:
            token = json.loads(body)
        except ValueError:
            return status, headers, body
        if isinstance(token, dict) and str(token.get("token_type", "")).lower() == "bearer":
            token["token_type"] = "opaque"
            body = json.dumps(token).encode()
        return status, headers, body

    return _rewriting(app, rewrite)


def invalid_client_400(app: WSGIApplication) -> WSGIApplication:
    def rewrite(status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
        return ("400 Bad Request" if status.startswith("401") else status), headers, body

    return _rewriting(app, rewrite)


SHIMS: dict[str, Callable[[WSGIApplication], WSGIApplication]] = {
    "json-as-form": json_as_form,
    "opaque-token-type": opaque_token_type,
    "invalid-client-400": invalid_client_400,
}


def apply_shims(app: WSGIApplication, names: Sequence[str]) -> WSGIApplication:
    """``app`` wrapped in the named shims (the first named is the outermost)."""
    for name in reversed(names):
        app = SHIMS[name](app)
    return app
