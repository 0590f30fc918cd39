"""A round-robin front for tests: each request goes to the next backend in turn, as a load balancer
spreading requests (not connections) would, so one client's consecutive requests meet different mocks.

An ASGI app forwarding with httpx (its own connection pool per backend), served by the mock's own
uvicorn in a thread (:func:`oauth2_token_contract.mock.server.running_mock`). It keeps the method,
path, query, body and headers (less the hop-by-hop ones) as they came, and counts what each backend got.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import httpx

__all__ = ["RoundRobin"]

HOP_BY_HOP = {b"host", b"connection", b"keep-alive", b"transfer-encoding", b"content-length", b"upgrade"}
TIMEOUT = 30.0


class RoundRobin:
    """ASGI: the next backend answers each request."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.served = dict.fromkeys(backends, 0)
        self._turn = itertools.cycle(backends)
        self._lock = threading.Lock()
        self._clients = {url: httpx.AsyncClient(base_url=url, timeout=TIMEOUT) for url in backends}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        with self._lock:
            backend = next(self._turn)
            self.served[backend] += 1
        target = scope["raw_path"] + (b"?" + scope["query_string"] if scope["query_string"] else b"")
        headers = [(name, value) for name, value in scope["headers"] if name.lower() not in HOP_BY_HOP]
        answer = await self._clients[backend].request(
            scope["method"], target.decode("latin-1"), content=b"".join(chunks), headers=headers
        )
        out = [(n, v) for n, v in answer.headers.raw if n.lower() not in HOP_BY_HOP and n.lower() != b"date"]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": out})
        await send({"type": "http.response.body", "body": answer.content})
