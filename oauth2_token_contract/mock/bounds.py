"""The server's bounds, and the answers a connection that passes one of them gets.

Named once here, light to import (no uvicorn): the runners in :mod:`oauth2_token_contract.mock.server`
configure uvicorn with them, the protocols in :mod:`oauth2_token_contract.mock.protocols` enforce
them, and the hardening tests measure against them. Every answer here is complete JSON that says
``Connection: close``, so no client reuses a connection the server is about to close.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "HEAD_TOO_LARGE",
    "LIMIT_CONCURRENCY",
    "LINGER_TIMEOUT",
    "MALFORMED",
    "MAX_HEADER_BYTES",
    "OVER_CAPACITY_RETRY_MS",
    "READ_TIMEOUT",
    "TIMEOUT_KEEP_ALIVE",
    "TOO_SLOW",
    "over_capacity_answer",
]

LIMIT_CONCURRENCY = 1024
OVER_CAPACITY_RETRY_MS = 1000
TIMEOUT_KEEP_ALIVE = 5
MAX_HEADER_BYTES = 16 * 1024
READ_TIMEOUT = 5.0
LINGER_TIMEOUT = 1.0


def _answer(status: bytes, body: bytes, *headers: bytes) -> bytes:
    """A complete JSON answer that closes the connection."""
    return b"".join(
        [
            b"HTTP/1.1 " + status + b"\r\n",
            b"content-type: application/json\r\n",
            b"cache-control: no-store\r\n",
            *(header + b"\r\n" for header in headers),
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
    )


def _refusal(description: str) -> bytes:
    """A complete 400 ``invalid_request`` answer that closes the connection."""
    body = b'{"error":"invalid_request","error_description":"' + description.encode() + b'"}'
    return _answer(b"400 Bad Request", body)


def over_capacity_answer(app: Any = None) -> bytes:
    """The 429 for a request past the connection cap: the spec's first 429 example, with its retry
    header saying ``OVER_CAPACITY_RETRY_MS`` in its unit (a 503 where the spec has no 429); the spec is
    the app's (``app.state.settings``) when it has one, else the one in force."""
    from oauth2_token_contract.spec import contract as contract_module  # noqa: PLC0415 - only when a server is built

    settings = getattr(getattr(app, "state", None), "settings", None)
    contract = getattr(settings, "contract", None) or contract_module.load()
    example = next(iter(contract.response_examples(429).values()), {"error": "rate_limited"})
    body = json.dumps(example, separators=(",", ":")).encode()
    if not contract.rate_limited:  # a spec without a 429: RFC 9110's 503, with Retry-After in seconds
        wait = str(-(-OVER_CAPACITY_RETRY_MS // 1000)).encode()
        return _answer(b"503 Service Unavailable", body, b"retry-after: " + wait)
    spelled = contract.retry.spell(OVER_CAPACITY_RETRY_MS).encode()
    return _answer(b"429 Too Many Requests", body, contract.retry.name.lower().encode() + b": " + spelled)


HEAD_TOO_LARGE = _refusal("the request headers are too large")
MALFORMED = _refusal("the request is not valid HTTP/1.1")
TOO_SLOW = _refusal("the request did not arrive in time")
