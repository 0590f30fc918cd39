"""HTTP/1.1 at the byte level, for requests no client library would send (and answers it would hide).

``exchange`` opens a fresh loopback connection, sends exact bytes, and reads one answer with
:class:`http.client.HTTPResponse`; what came back (an answer, a closed or reset connection, nothing
in time) is an :class:`Answer`, never an exception. ``ttfb`` runs from the last byte sent to the
first byte received.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Answer", "connect", "exchange", "request_bytes", "token_request"]

TIMEOUT = 10.0


@dataclass
class Answer:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    ttfb: float | None = None
    closed: str | None = None  # "closed", "reset" or "timeout" when no answer came

    def json(self) -> object:
        return json.loads(self.body)


def connect(base_url: str, timeout: float = TIMEOUT) -> socket.socket:
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_bytes(
    method: str = "POST",
    path: str = "/oauth2/token",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    content_length: bool = True,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def token_request(client_id: str, client_secret: str, **extra: str) -> bytes:
    body = json.dumps(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret, **extra}
    ).encode()
    return request_bytes(headers=[("Content-Type", "application/json")], body=body)


def read_answer(sock: socket.socket, method: str = "POST", sent_at: float | None = None) -> Answer:
    """One answer from ``sock``; a closed, reset or silent connection is reported, not raised."""
    ttfb = None
    try:
        if not sock.recv(1, socket.MSG_PEEK):
            return Answer(None, closed="closed")
        if sent_at is not None:
            ttfb = time.perf_counter() - sent_at
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        body = response.read()
    except (ConnectionResetError, BrokenPipeError):
        return Answer(None, ttfb=ttfb, closed="reset")
    except (http.client.RemoteDisconnected, http.client.IncompleteRead):
        return Answer(None, ttfb=ttfb, closed="closed")
    except TimeoutError:
        return Answer(None, ttfb=ttfb, closed="timeout")
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body, ttfb)


def exchange(
    base_url: str, data: bytes, *, method: str = "POST", half_close: bool = False, timeout: float = TIMEOUT
) -> Answer:
    """Send ``data`` on a new connection and read one answer (``half_close`` shuts our side first)."""
    with connect(base_url, timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused mid-send: whatever answer was written is still readable
        return read_answer(sock, method, time.perf_counter())
