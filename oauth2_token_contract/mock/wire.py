"""What one request's answer holds of its connection: the wire QA faults act on, and the transport
that makes an early answer close the connection cleanly.

Both bounded protocols (:mod:`oauth2_token_contract.mock.protocols`) lend each request a
:class:`ConnectionWire` in the scope's extensions (see :mod:`oauth2_token_contract.mock.injection`);
the httptools one lends an :class:`EarlyAnswerTransport`, which is also what uvicorn's cycle writes
through. Neither imports uvicorn: they hold its transport and cycle as they are given.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Callable
from typing import Any

__all__ = ["ConnectionWire", "EarlyAnswerTransport"]


class ConnectionWire:
    """One request's connection, lent to the app for QA faults
    (:class:`oauth2_token_contract.mock.injection.Wire`).

    Both end the answer where it stands, so the cycle is marked disconnected first: uvicorn then
    neither writes more nor reports an unfinished answer as an application error.
    """

    __slots__ = ("_cycle", "_linger", "_transport")

    def __init__(self, transport: Any, cycle: Any, linger: Callable[[], None]) -> None:
        self._transport = transport
        self._cycle = cycle
        self._linger = linger

    def reset(self) -> None:
        """A TCP reset: linger on, timeout 0, then close (the kernel sends RST, not FIN)."""
        self._cycle.disconnected = True
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the socket is gone already: nothing left to reset
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()

    def drop(self) -> None:
        """FIN after what was written: an answer that never arrives, or arrives cut.

        A lingering close, as for an early answer: closing at once would reset the connection when
        any of the request is still on its way (a forced answer need not read the body), and the
        client would see a reset instead of the cut answer it was promised.
        """
        self._cycle.disconnected = True
        self._linger()


class EarlyAnswerTransport(ConnectionWire):
    """The transport as one request's answer sees it (uvicorn's cycle writes through it).

    An answer whose head goes out before its request's body has fully arrived cannot leave the
    connection reusable: the rest of the body would be read as the next request. Its head gets
    ``connection: close`` (RFC 9112 section 9.6: a server that will close says so in that response),
    which also makes uvicorn close after the answer; that close becomes a lingering one, so the
    answer is not lost to a reset over the unread body.
    """

    __slots__ = ("_head_written",)

    def __init__(self, transport: Any, cycle: Any, linger: Callable[[], None]) -> None:
        super().__init__(transport, cycle, linger)
        self._head_written = False

    def write(self, data: bytes) -> None:
        if not self._head_written:
            self._head_written = True
            if self._cycle.more_body and data.endswith(b"\r\n\r\n"):
                if b"\r\nconnection:" not in data:
                    data = data[:-2] + b"connection: close\r\n\r\n"
                self._cycle.keep_alive = False
        self._transport.write(data)

    def close(self) -> None:
        if self._cycle.more_body:
            self._linger()
        else:
            self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
