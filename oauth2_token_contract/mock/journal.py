"""The request journal behind ``GET /__mock/requests``: the last N requests of every documented
operation (token, revocation, introspection, the resource), redacted, and questions about them.

Entries are kept raw and bounded (a ``deque``) so the request path only appends a tuple; redaction
happens when someone reads the journal, by the project's one redactor
(:mod:`oauth2_token_contract.spec.redaction`): whatever could authenticate a caller never leaves it (the
``Authorization``/``Cookie`` headers, ``client_secret``, every token, sent or issued, a revoked or
introspected ``token`` too), and a client secret
sent in the wrong place is masked by its value, run-time clients' included (the journal watches the client
registry).

A question (:class:`Query`) filters by the client id a request claims, its grant type, its status
and its arrival (real time, not the mock's clock); :meth:`Journal.wait` holds the answer until an
entry matches, bounded, woken by the request path only while someone waits.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.forcing import Answer
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.spec.redaction import MASK, SECRET_HEADERS, Redactor

__all__ = ["MAX_WAITERS", "MAX_WAIT_SECONDS", "Journal", "Query"]

MAX_WAIT_SECONDS = 30.0
MAX_WAITERS = 64

# (sequence, time, method, path, raw headers, params, status, body, internal error, claimed client id, answer)
Entry = tuple[
    int,
    float,
    str,
    str,
    list[tuple[bytes, bytes]],
    "dict[str, Any] | None",
    int,
    bytes | memoryview,
    "bool | str",
    "str | None",
    "Answer | None",
]


@dataclass(frozen=True)
class Query:
    """Which entries a question is about; None matches anything."""

    client_id: str | None = None
    grant_type: str | None = None
    status: int | None = None
    since: float | None = None

    def matches(self, entry: Entry) -> bool:
        _, at, _, _, _, params, status, _, _, client_id, _ = entry
        return (
            (self.since is None or at >= self.since)
            and (self.status is None or status == self.status)
            and (self.client_id is None or client_id == self.client_id)
            and (self.grant_type is None or (params or {}).get("grant_type") == self.grant_type)
        )


class Journal:
    """The most recent token requests and the answers they got."""

    def __init__(self, settings: MockSettings) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(settings.journal_max_entries, 1))
        self.enabled = settings.journal_max_entries > 0
        self._sequence = 0
        self._waiters: list[asyncio.Future[None]] = []
        contract = settings.contract
        self.documented = frozenset(contract.statuses)
        # Each documented operation's path: its method and statuses (an entry elsewhere: the token's).
        self.operations = {
            op.path: (op.method.upper(), frozenset(op.statuses)) for op in contract.operations().values()
        }
        # A client secret sent in the wrong place (as a scope, a header) is masked by value too.
        self.redactor = Redactor()
        self.redactor.add(*(client.client_secret for client in settings.clients.values()))
        if isinstance(settings.clients, ClientRegistry):
            settings.clients.watch(self.client_changed)

    def record(  # noqa: PLR0917 - the request path calls it positionally: cheaper
        self,
        scope: dict[str, Any],
        params: dict[str, Any] | None,
        status: int,
        body: bytes | memoryview,
        internal_error: bool | str = False,
        client_id: str | None = None,
        answer: Answer | None = None,
    ) -> None:
        if self.enabled:
            self._sequence += 1
            entry = (
                self._sequence,
                time.time(),
                scope["method"],
                scope["path"],
                scope["headers"],
                params,
                status,
                body,
                internal_error,
                client_id,
                answer,
            )
            self._entries.append(entry)
            if self._waiters:
                self._wake()

    def client_changed(self, client_id: str, client: ClientConfig | None) -> None:
        if client is not None:
            self.redactor.add(client.client_secret)  # kept after a delete: old entries still hold it

    def entries(self, query: Query | None = None) -> list[dict[str, Any]]:
        return [self.redact(entry) for entry in self._matching(query)]

    def count(self, query: Query | None = None) -> int:
        return len(self._matching(query))

    async def wait(self, query: Query, seconds: float) -> list[dict[str, Any]]:
        """The matching entries, once there is one or ``seconds`` (at most ``MAX_WAIT_SECONDS``) passed.

        Each wake-up looks at the entries recorded since the last one only. ValueError when
        ``MAX_WAITERS`` already wait.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(seconds, MAX_WAIT_SECONDS)
        found, seen = self._matching(query), self._sequence
        while not found and (remaining := deadline - loop.time()) > 0:
            if len(self._waiters) >= MAX_WAITERS:
                raise ValueError(f"at most {MAX_WAITERS} requests may wait on the journal at once")
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            found = [entry for entry in self._newer_than(seen) if query.matches(entry)]
            seen = self._sequence
        return [self.redact(entry) for entry in found]

    def _newer_than(self, sequence: int) -> list[Entry]:
        """The entries recorded after ``sequence``, oldest first, read from the new end."""
        newer = []
        for entry in reversed(self._entries):
            if entry[0] <= sequence:
                break
            newer.append(entry)
        newer.reverse()
        return newer

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _matching(self, query: Query | None) -> list[Entry]:
        entries = list(self._entries)
        return entries if query is None else [entry for entry in entries if query.matches(entry)]

    def redact(self, entry: Entry) -> dict[str, Any]:
        sequence, at, method, path, raw_headers, params, status, body, internal_error, claimed, answer = entry
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw_headers:
            name = raw_name.decode("latin-1").lower()
            headers[name] = MASK if name in SECRET_HEADERS else raw_value.decode("latin-1")
        try:
            response: Any = json.loads(bytes(body)) if body else None
        except ValueError:
            response = None
        allowed, statuses = self.operations.get(path, ("POST", self.documented))
        documented = status in statuses or (method != allowed and status == 405)
        if isinstance(params, dict) and isinstance(params.get("token"), str):
            params = {**params, "token": MASK}  # the token a revocation or introspection names
        # A fault of the mock itself (a lost state engine) is named, and never part of the contract.
        fault = internal_error if isinstance(internal_error, str) else None
        return self.redactor.document(
            {
                "id": sequence,
                "time": at,
                "method": method,
                "path": path,
                "client_id": claimed,
                "headers": headers,
                "params": params,
                "status": status,
                "response": response,
                "internal_error": bool(internal_error),
                "fault": fault,
                "control": None if answer is None else answer.describe(),
                "outside_contract": not documented
                or fault is not None
                or (answer is not None and answer.outside_contract),
            }
        )

    def clear(self) -> None:
        self._entries.clear()
