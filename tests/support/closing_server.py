"""A keep-alive HTTP server that drops reused connections without announcing it.

It answers every request with a fixed JSON 200 and never says ``Connection: close``; on a connection
that already carried an answer it closes, with chance ``drop``, as the next request arrives, sending
not one byte back: what a server that closes idle keep-alive connections looks like to a client that
sent its request at the same moment (RFC 9112 section 9.5 allows the close; only the timing hurts).
A first request on a connection is always answered, so a client that retries on a fresh connection
always gets through. ``drop_fresh=True`` drops first requests too (a server that answers no one).
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["ClosingServer", "closing_server"]

_BODY = b'{"access_token":"tok-closing-server","token_type":"opaque","expires_in":900}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: no-store\r\n"
    b"pragma: no-cache\r\ncontent-length: %d\r\n\r\n%s" % (len(_BODY), _BODY)
)
MAX_HEAD = 16384
IDLE_TIMEOUT = 5.0


@dataclass
class ClosingServer:
    url: str
    drops: int = 0
    answers: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, dropped: bool) -> None:
        with self._lock:
            if dropped:
                self.drops += 1
            else:
                self.answers += 1


def _read_request(conn: socket.socket) -> bool:
    """Read one request (head and Content-Length body); False when the peer closed or broke it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk or len(data) > MAX_HEAD:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


def _serve_connection(conn: socket.socket, server: ClosingServer, rng: random.Random, drop: float,
                      drop_fresh: bool) -> None:  # fmt: skip
    answered = 0
    with conn:
        conn.settimeout(IDLE_TIMEOUT)
        try:
            while _read_request(conn):
                if (answered or drop_fresh) and rng.random() < drop:
                    server.count(dropped=True)
                    return  # closed under the request: not one byte back
                conn.sendall(ANSWER)
                answered += 1
                server.count(dropped=False)
        except OSError:
            return


@contextmanager
def closing_server(drop: float = 0.5, *, seed: int = 0, drop_fresh: bool = False) -> Iterator[ClosingServer]:
    """Serve on 127.0.0.1 (ephemeral port) for the ``with`` block; threads stop with it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    host, port = listener.getsockname()[:2]
    server = ClosingServer(f"http://{host}:{port}")
    rng = random.Random(seed)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=_serve_connection, args=(conn, server, rng, drop, drop_fresh),
                                      daemon=True)  # fmt: skip
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, name="closing-server", daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        stop.set()
        acceptor.join(2)
        listener.close()
        for worker in workers:
            worker.join(IDLE_TIMEOUT + 1)
