"""The request journal behind ``GET /__mock/requests``: the last N token requests, redacted.

Entries are kept raw and bounded (a ``deque``) so the request path only appends a tuple; redaction
happens when someone reads the journal. Whatever could authenticate a caller never leaves it: the
``Authorization``/``Cookie`` headers, ``client_secret``, and every token, sent or issued.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

from mocks.settings import MockSettings

__all__ = ["REDACTED", "Journal"]

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
SECRET_FIELDS = frozenset({"client_secret", "refresh_token", "access_token", "id_token", "password"})

Entry = tuple[
    float, str, str, list[tuple[bytes, bytes]], "dict[str, Any] | None", int, bytes | memoryview, bool
]


def _redact_fields(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: REDACTED if key in SECRET_FIELDS else value for key, value in document.items()}
    return document


def _mask_secrets(document: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(document, str):
        for secret in secrets:
            document = document.replace(secret, REDACTED)
        return document
    if isinstance(document, dict):
        return {key: _mask_secrets(value, secrets) for key, value in document.items()}
    if isinstance(document, list):
        return [_mask_secrets(value, secrets) for value in document]
    return document


class Journal:
    """The most recent token requests and the answers they got."""

    def __init__(self, settings: MockSettings) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(settings.journal_max_entries, 1))
        self.enabled = settings.journal_max_entries > 0
        # A client secret sent in the wrong place (as a scope, a header) is masked by value too.
        self._secrets = tuple(client.client_secret for client in settings.clients.values())

    def record(
        self,
        scope: dict[str, Any],
        params: dict[str, Any] | None,
        status: int,
        body: bytes | memoryview,
        *,
        internal_error: bool = False,
    ) -> None:
        if self.enabled:
            entry = (
                time.time(),
                scope["method"],
                scope["path"],
                scope["headers"],
                params,
                status,
                body,
                internal_error,
            )
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        return [_mask_secrets(self.redact(entry), self._secrets) for entry in list(self._entries)]

    @staticmethod
    def redact(entry: Entry) -> dict[str, Any]:
        at, method, path, raw_headers, params, status, body, internal_error = entry
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw_headers:
            name = raw_name.decode("latin-1").lower()
            headers[name] = REDACTED if name in SECRET_HEADERS else raw_value.decode("latin-1")
        try:
            response: Any = _redact_fields(json.loads(bytes(body))) if body else None
        except ValueError:
            response = None
        return {
            "time": at,
            "method": method,
            "path": path,
            "headers": headers,
            "params": _redact_fields(params),
            "status": status,
            "response": response,
            "internal_error": internal_error,
        }

    def clear(self) -> None:
        self._entries.clear()
