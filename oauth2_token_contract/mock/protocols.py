"""uvicorn's httptools and h11 protocols with the bounds they lack (see HARDENING.md).

:class:`BoundedHttpTools`, the default, refuses a request head (request line and headers) over
``MAX_HEADER_BYTES`` with 400 ``invalid_request`` as soon as it passes the cap, before it is
buffered further. Both protocols (:class:`BoundedH11` relies on h11's own head cap) hold a request to
``READ_TIMEOUT`` from its first byte to its last (a stalled head or body gets 400 and the connection
closes), close a connection that sends nothing after ``TIMEOUT_KEEP_ALIVE``, and answer a request
that arrives past the connection cap with the contract's 429 instead of uvicorn's 503. An answer sent
before its request's body ended says ``Connection: close`` (RFC 9112 section 9.6) and is followed by
a lingering close: FIN, ``LINGER_TIMEOUT`` of dropping what still arrives, close. Each request's
answer is lent a wire (:mod:`oauth2_token_contract.mock.wire`) through which a QA fault resets the
connection or drops it mid-answer.

Imported only when a server is built: it needs uvicorn, httptools and h11.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import h11
import httptools
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from oauth2_token_contract.mock.bounds import (
    HEAD_TOO_LARGE,
    LIMIT_CONCURRENCY,
    LINGER_TIMEOUT,
    MALFORMED,
    MAX_HEADER_BYTES,
    READ_TIMEOUT,
    TOO_SLOW,
    over_capacity_answer,
)
from oauth2_token_contract.mock.injection import WIRE
from oauth2_token_contract.mock.wire import ConnectionWire, EarlyAnswerTransport

__all__ = ["BoundedConfig", "BoundedH11", "BoundedHttpTools"]


class BoundedConfig(uvicorn.Config):
    """uvicorn's config plus the connection cap the bounded protocols enforce, and their answer past
    it in the words of the app's spec. uvicorn's own ``limit_concurrency`` stays off: its 503 is not
    in the contract."""

    def __init__(self, app: Any, *, max_connections: int = LIMIT_CONCURRENCY, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.max_connections = max_connections
        self.over_capacity = over_capacity_answer(app)


class _Bounded(asyncio.Protocol):
    """What both bounded protocols add to uvicorn's: the read deadline, the idle timer from the
    first byte on, the 429 past the connection cap, and the lingering close.

    Listed first among a protocol's bases, so its ``connection_made`` and ``connection_lost`` wrap
    uvicorn's. The annotations below without values are uvicorn's own attributes, as both protocols
    have them.
    """

    read_timeout = READ_TIMEOUT
    linger_timeout = LINGER_TIMEOUT

    config: uvicorn.Config
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]
    tasks: set[asyncio.Task[None]]
    timeout_keep_alive: int
    timeout_keep_alive_task: asyncio.TimerHandle | None
    cycle: Any
    # Per connection, set when it is made: the cap and the answer past it (from the config), the
    # read deadline's timer, and whether reading has stopped.
    max_connections: int
    over_capacity: bytes
    _deadline: asyncio.TimerHandle | None
    _refused: bool

    if TYPE_CHECKING:  # uvicorn's, on both protocols

        def timeout_keep_alive_handler(self) -> None: ...

        def _unset_keepalive_if_required(self) -> None: ...

    def connection_made(self, transport: Any) -> None:
        """A new connection: its bounds from the config, no read deadline yet, nothing refused, and
        the idle timer running (uvicorn arms its keep-alive timer only after a first answer; a
        client that never speaks is idle too)."""
        config = self.config
        if not isinstance(config, BoundedConfig):
            raise TypeError("a bounded protocol is served with a BoundedConfig, as uvicorn_server makes")
        super().connection_made(transport)
        self.max_connections = config.max_connections
        self.over_capacity = config.over_capacity
        self._deadline = None
        self._refused = False
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _refuses(self, *, between_requests: bool) -> bool:
        """Whether what just arrived goes unread: reading has stopped, or it starts a request past
        the connection cap, which is turned away here."""
        if self._refused:
            return True
        if between_requests and self._over_capacity() and self._idle():
            self._turn_away()
            return True
        return False

    def _over_capacity(self) -> bool:
        cap = self.max_connections
        return len(self.connections) > cap or len(self.tasks) >= cap

    def _idle(self) -> bool:
        """No request of this connection is in the server's hands (a new one would add one)."""
        return self.cycle is None or self.cycle.response_complete

    def _turn_away(self) -> None:
        """Past the connection cap: the documented 429 (it says ``Connection: close``), then a linger."""
        self._unset_keepalive_if_required()
        self.transport.write(self.over_capacity)
        self._linger()

    def _start_deadline(self) -> None:
        """The read deadline runs from a request's first byte to its last."""
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _read_timed_out(self) -> None:
        raise NotImplementedError

    def _linger(self) -> None:
        """The answer went out before the request's body ended (an early 400, an oversized body, a
        cut answer).

        A lingering close: the answer (which said ``Connection: close``) is followed by FIN,
        whatever still arrives is dropped unparsed for ``linger_timeout``, then the connection
        closes. Closing at once would reset the connection over unread data, which can destroy the
        answer before the client reads it; keeping the connection would parse the rest of the body
        until the read deadline.
        """
        if self._refused:
            return
        self._refused = True  # data_received drops everything from here on
        self._cancel_deadline()
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(self.linger_timeout, self.transport.close)


class _HeadTooLarge(Exception):
    pass


class BoundedHttpTools(_Bounded, HttpToolsProtocol):
    """uvicorn's httptools protocol with a head cap besides the shared bounds.

    ``_head_bytes`` counts what arrived since the last message ended (None while a body is read);
    the exact head size is checked again when the head completes, so a head that arrives in one
    read is held to the same cap.
    """

    max_head_bytes = MAX_HEADER_BYTES
    _head_bytes: int | None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._refuses(between_requests=self._head_bytes == 0):
            return
        self._unset_keepalive_if_required()
        self._start_deadline()
        if self._head_bytes is not None:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._refuse(MALFORMED)  # no WebSocket or h2c here
            return
        except httptools.HttpParserError as exc:
            self._refuse(HEAD_TOO_LARGE if isinstance(exc.__context__, _HeadTooLarge) else MALFORMED)
            return
        if self._head_bytes is not None and self._head_bytes > self.max_head_bytes:
            self._refuse(HEAD_TOO_LARGE)

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_head_bytes:
            raise _HeadTooLarge
        self._head_bytes = None
        super().on_headers_complete()
        # The cycle just built writes this request's answer: through a transport that closes the
        # connection, announced, when the answer starts before the request has fully arrived.
        # It is also the wire a QA fault acts on.
        answer_transport = EarlyAnswerTransport(self.transport, self.cycle, self._linger)
        self.cycle.transport = answer_transport  # type: ignore[assignment]  # a proxy of it
        self.scope["extensions"] = {WIRE: {"wire": answer_transport}}

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        self._head_bytes = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._refused and self.timeout_keep_alive_task is not None:
            # Lingering already: the connection closes at the linger's end, not after idling.
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

    def _read_timed_out(self) -> None:
        self._deadline = None
        cycle = self.cycle
        reading_body = self._head_bytes is None
        if reading_body and cycle is not None and cycle.response_started:
            self.transport.close()  # answered early; the rest of the body is not worth waiting for
        elif not self.pipeline:
            self._refuse(TOO_SLOW)
        else:
            self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        """Answer 400 (unless an answer is under way) and close; nothing more is read."""
        self._refused = True
        self._cancel_deadline()
        cycle = self.cycle
        in_flight = cycle is not None and cycle.response_started and not cycle.response_complete
        if not self.transport.is_closing():
            if not in_flight:
                self.transport.write(answer)
            # connection_lost then tells an app still reading the body that the client is gone.
            self.transport.close()


_READING = (h11.IDLE, h11.SEND_BODY)  # h11's states while a request is (or may be) on its way


class BoundedH11(_Bounded, H11Protocol):
    """uvicorn's h11 protocol with the shared bounds; h11 caps the head itself
    (``h11_max_incomplete_event_size``)."""

    _wired: Any

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._wired = None

    def data_received(self, data: bytes) -> None:
        if self._refuses(between_requests=self.conn.their_state is h11.IDLE):
            return
        if self.conn.their_state in _READING:
            self._start_deadline()
        super().data_received(data)
        if self.conn.their_state not in _READING:
            self._cancel_deadline()
        self._wire_new_cycle()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may start a pipelined request's cycle
        self._wire_new_cycle()

    def _wire_new_cycle(self) -> None:
        """Lends a cycle just built its wire, before its task first runs."""
        cycle = self.cycle
        if cycle is not None and cycle is not self._wired:
            self._wired = cycle
            cycle.scope["extensions"] = {WIRE: {"wire": ConnectionWire(self.transport, cycle, self._linger)}}

    def _read_timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started or cycle.response_complete:
            self.transport.write(TOO_SLOW)
        self._refused = True
        self.transport.close()
