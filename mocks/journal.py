"""The request journal behind ``GET /__mock/requests``: the last N token requests, redacted.

Entries are kept raw and bounded (a ``deque``) so the request path only appends a tuple; redaction
happens when someone reads the journal, by the project's one redactor (:mod:`token_spec.redaction`):
whatever could authenticate a caller never leaves it (the ``Authorization``/``Cookie`` headers,
``client_secret``, every token, sent or issued), and a client secret sent in the wrong place is
masked by its value.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

from mocks.settings import MockSettings
from token_spec.redaction import MASK, SECRET_HEADERS, Redactor

__all__ = ["Journal"]

Entry = tuple[
    float, str, str, list[tuple[bytes, bytes]], "dict[str, Any] | None", int, bytes | memoryview, bool
]


class Journal:
    """The most recent token requests and the answers they got."""

    def __init__(self, settings: MockSettings) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(settings.journal_max_entries, 1))
        self.enabled = settings.journal_max_entries > 0
        # A client secret sent in the wrong place (as a scope, a header) is masked by value too.
        self.redactor = Redactor()
        self.redactor.add(*(client.client_secret for client in settings.clients.values()))

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
        return [self.redact(entry) for entry in list(self._entries)]

    def redact(self, entry: Entry) -> dict[str, Any]:
        at, method, path, raw_headers, params, status, body, internal_error = entry
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw_headers:
            name = raw_name.decode("latin-1").lower()
            headers[name] = MASK if name in SECRET_HEADERS else raw_value.decode("latin-1")
        try:
            response: Any = json.loads(bytes(body)) if body else None
        except ValueError:
            response = None
        return self.redactor.document(
            {
                "time": at,
                "method": method,
                "path": path,
                "headers": headers,
                "params": params,
                "status": status,
                "response": response,
                "internal_error": internal_error,
            }
        )

    def clear(self) -> None:
        self._entries.clear()
