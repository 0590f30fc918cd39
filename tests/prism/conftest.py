"""Real Prism processes for the wrapper's tests, started once per module, and a tiny upstream to proxy to.

Prism costs ~0.7 s a start, so every fixture that runs it is module-scoped.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from oauth2_token_contract.mock.prism import PrismServer, PrismUnavailable, running_prism
from oauth2_token_contract.spec import contract

NOT_INSTALLED = "npm ci --prefix mocks has not run"
# Generous for a local Prism, short enough that a hang fails the test instead of the run.
REQUEST_TIMEOUT = 5.0
MODE_HEADER = "X-Upstream-Mode"


@contextlib.contextmanager
def prism_or_skip(**options: Any) -> Iterator[PrismServer]:
    """``running_prism`` that skips, saying what to run, when Node or the package is missing."""
    try:
        with running_prism(**options) as server:
            yield server
    except PrismUnavailable as error:
        pytest.skip(f"{NOT_INSTALLED}: {error}")


@pytest.fixture(scope="module")
def spec() -> contract.Contract:
    return contract.load()


@pytest.fixture(scope="module")
def prism_mock() -> Iterator[PrismServer]:
    with prism_or_skip() as server:
        yield server


@pytest.fixture(scope="module")
def mock_client(prism_mock: PrismServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=prism_mock.base_url, timeout=REQUEST_TIMEOUT) as client:
        yield client


@dataclass
class Upstream:
    """What the proxied target saw, and where it listens."""

    base_url: str
    received: list[dict[str, Any]] = field(default_factory=list)


def _upstream_answer(spec: contract.Contract, mode: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    """The upstream's reply per mode: one faithful answer and one breach of each kind Prism checks."""
    token = spec.response_examples(200)["opaque"]
    no_cache = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    answers: dict[str, tuple[int, dict[str, str], dict[str, Any]]] = {
        "valid": (200, no_cache, token),
        "invalid-body": (
            200,
            no_cache,
            {**token, "access_token": "", "expires_in": 0, "token_type": "bearer"},
        ),
        "no-cache-headers": (200, {}, token),
        "429-without-retry": (429, {}, spec.response_examples(429)["rateLimited"]),
        "undocumented-status": (503, {}, {"error": "temporarily_unavailable"}),
    }
    return answers[mode]


@pytest.fixture(scope="module")
def upstream(spec: contract.Contract) -> Iterator[Upstream]:
    """A stdlib HTTP server on 127.0.0.1:0; the ``X-Upstream-Mode`` request header picks its answer."""
    record = Upstream(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            record.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, headers, payload = _upstream_answer(spec, self.headers.get(MODE_HEADER, "valid"))
            raw = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``received`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="upstream", daemon=True)
    thread.start()
    record.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def prism_proxy(upstream: Upstream) -> Iterator[PrismServer]:
    with prism_or_skip(proxy=upstream.base_url) as server:
        yield server


@pytest.fixture(scope="module")
def proxy_client(prism_proxy: PrismServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=prism_proxy.base_url, timeout=REQUEST_TIMEOUT) as client:
        yield client
