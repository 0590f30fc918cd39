"""Serving the mock with uvicorn: in the foreground (the CLI), in a thread, or in a child process.

``running_mock`` serves on 127.0.0.1 port 0 and yields the base URL once the socket listens; the
subprocess flavour runs ``python -m oauth2_token_contract.mock serve --port 0`` and reads the port from its
``listening on URL`` line.

Hardening (see HARDENING.md): :class:`BoundedHttpTools`, the default protocol, is uvicorn's httptools
protocol with the bounds httptools lacks: a request head (request line and headers) over
``MAX_HEADER_BYTES`` is refused with 400 ``invalid_request`` as soon as it passes the cap, before it is
buffered further; a request must arrive in full within ``READ_TIMEOUT`` of its first byte (a stalled
head or body gets 400 and the connection closes); a connection that sends nothing is closed after
``TIMEOUT_KEEP_ALIVE``; an answer sent before its request's body ended (an oversized body) says
``Connection: close`` (RFC 9112 section 9.6) and is followed by a lingering close: FIN,
``LINGER_TIMEOUT`` of dropping what still arrives, close. Every refusal that closes the connection
says so in its head, so no client reuses a connection the server is about to close. An HTTP message the
parser refuses gets the same JSON 400, never a text/plain one. ``--http h11`` serves with
:class:`BoundedH11`: h11's own head cap, and the same read deadline and idle timeout.

Connections: at most ``LIMIT_CONCURRENCY``; a request that arrives on a connection past the cap is
answered the contract's 429 (its first documented example, ``X-Retry-In: OVER_CAPACITY_RETRY_MS``)
with ``Connection: close`` and a lingering close, never uvicorn's 503, which the contract lacks.

Faults (:mod:`oauth2_token_contract.mock.injection`): both protocols lend each request's answer a
:class:`_Wire` in the scope's extensions, through which a QA fault resets the connection or drops it
mid-answer.

Also: no access log (it would need redaction), no ``Server`` header, and no proxy headers (the peer
address keys the rate limiter).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from oauth2_token_contract.mock.processes import read_announcement, running_group

__all__ = [
    "bounded_h11",
    "bounded_httptools",
    "running_mock",
    "running_mock_process",
    "serve",
    "uvicorn_server",
]

LIMIT_CONCURRENCY = 1024
OVER_CAPACITY_RETRY_MS = 1000
TIMEOUT_KEEP_ALIVE = 5
MAX_HEADER_BYTES = 16 * 1024
READ_TIMEOUT = 5.0
LINGER_TIMEOUT = 1.0
STARTUP_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 5.0
GRACEFUL_SHUTDOWN = 3  # seconds for answers in flight (a QA delay, a slow body) before they are cut
PathLike = str | os.PathLike[str]


def uvicorn_server(
    app: Any,
    host: str,
    port: int,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
    *,
    freeze: bool = False,
    max_connections: int = LIMIT_CONCURRENCY,
) -> Any:
    """A uvicorn ``Server`` for ``app``, hardened; ``announce(base_url)`` runs once it listens.

    ``http="auto"`` (or ``"httptools"``) serves with :class:`BoundedHttpTools`; ``"h11"`` with
    :class:`BoundedH11`, which also caps the bytes h11 buffers for an incomplete request head at
    ``MAX_HEADER_BYTES``. ``freeze`` moves everything start-up made (modules, the spec, the app) out
    of the garbage collector's sight once the server listens: it lives as long as the process, and
    each full collection would otherwise walk it again. Only for a process of its own (the CLI),
    never a server in a test's thread.
    """
    import uvicorn  # noqa: PLC0415 - `import mocks` should not pay for the server

    if http not in {"auto", "httptools", "h11"}:
        raise ValueError(f"http must be auto, httptools or h11, not {http!r}")
    base = bounded_h11() if http == "h11" else bounded_httptools()
    # One subclass per server: its cap, and its over-capacity answer in the words of the app's spec.
    protocol = type(
        base.__name__,
        (base,),
        {"max_connections": max_connections, "over_capacity": over_capacity_answer(app)},
    )

    class AnnouncingServer(uvicorn.Server):
        base_url: str | None = None

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and self.servers:
                bound_host, bound_port = self.servers[0].sockets[0].getsockname()[:2]
                self.base_url = f"http://{bound_host}:{bound_port}"
                if freeze:
                    gc.freeze()
                if announce is not None:
                    announce(self.base_url)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        lifespan="off",
        ws="none",  # no websocket route: skip importing a websocket stack at start
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return AnnouncingServer(config)


_BUILT: dict[str, Any] = {}


def bounded_httptools() -> Any:
    """:class:`BoundedHttpTools`, built on first use (it needs uvicorn and httptools)."""
    if "httptools" not in _BUILT:
        _BUILT["httptools"] = _build_bounded_httptools()
    return _BUILT["httptools"]


def bounded_h11() -> Any:
    """:class:`BoundedH11`, built on first use (it needs uvicorn and h11)."""
    if "h11" not in _BUILT:
        _BUILT["h11"] = _build_bounded_h11()
    return _BUILT["h11"]


def __getattr__(name: str) -> Any:
    if name == "BoundedHttpTools":
        return bounded_httptools()
    if name == "BoundedH11":
        return bounded_h11()
    raise AttributeError(f"module 'oauth2_token_contract.mock.server' has no attribute {name!r}")


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
    header saying ``OVER_CAPACITY_RETRY_MS``; the spec is the app's (``app.state.settings``) when
    it has one, else the one in force."""
    from oauth2_token_contract.spec import contract as contract_module  # noqa: PLC0415 - only when a server is built

    settings = getattr(getattr(app, "state", None), "settings", None)
    contract = getattr(settings, "contract", None) or contract_module.load()
    example = next(iter(contract.response_examples(429).values()), {"error": "rate_limited"})
    body = json.dumps(example, separators=(",", ":")).encode()
    retry = contract.retry_header.lower().encode() + b": " + str(OVER_CAPACITY_RETRY_MS).encode()
    return _answer(b"429 Too Many Requests", body, retry)


HEAD_TOO_LARGE = _refusal("the request headers are too large")
MALFORMED = _refusal("the request is not valid HTTP/1.1")
TOO_SLOW = _refusal("the request did not arrive in time")


class _HeadTooLarge(Exception):
    pass


class _Wire:
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


def _over_capacity(protocol: Any) -> bool:
    cap = protocol.max_connections
    return len(protocol.connections) > cap or len(protocol.tasks) >= cap


def _arm(protocol: Any) -> None:
    """A new connection's bounds, on either bounded protocol: no read deadline yet, nothing refused,
    and the idle timer running (uvicorn arms its keep-alive timer only after a first answer; a client
    that never speaks is idle too)."""
    protocol._deadline = None
    protocol._refused = False
    protocol.timeout_keep_alive_task = protocol.loop.call_later(
        protocol.timeout_keep_alive, protocol.timeout_keep_alive_handler
    )


def _turn_away(protocol: Any) -> None:
    """Past the connection cap: the documented 429 (it says ``Connection: close``), then a linger."""
    protocol._unset_keepalive_if_required()
    protocol.transport.write(protocol.over_capacity)
    _linger(protocol)


def _linger(protocol: Any) -> None:
    """The answer went out before the request's body ended (an early 400, an oversized body, a cut
    answer), on either bounded protocol.

    A lingering close: the answer (which said ``Connection: close``) is followed by FIN, whatever
    still arrives is dropped unparsed for ``linger_timeout``, then the connection closes. Closing at
    once would reset the connection over unread data, which can destroy the answer before the client
    reads it; keeping the connection would parse the rest of the body until the read deadline.
    """
    if protocol._refused:
        return
    protocol._refused = True  # data_received drops everything from here on
    _cancel_deadline(protocol)
    if protocol.timeout_keep_alive_task is not None:
        protocol.timeout_keep_alive_task.cancel()
        protocol.timeout_keep_alive_task = None
    if protocol.transport.can_write_eof():
        protocol.transport.write_eof()
    protocol.loop.call_later(protocol.linger_timeout, protocol.transport.close)


def _cancel_deadline(protocol: Any) -> None:
    if protocol._deadline is not None:
        protocol._deadline.cancel()
        protocol._deadline = None


def _build_bounded_httptools() -> Any:
    import httptools  # noqa: PLC0415
    from oauth2_token_contract.mock.injection import WIRE  # noqa: PLC0415 - Starlette, only once a server is built
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415

    class BoundedHttpTools(HttpToolsProtocol):
        """uvicorn's httptools protocol with a head cap, a read deadline and an idle timeout.

        ``_head_bytes`` counts what arrived since the last message ended (None while a body is read);
        the exact head size is checked again when the head completes, so a head that arrives in one
        read is held to the same cap. ``_deadline`` runs from a request's first byte to its last.
        """

        max_head_bytes = MAX_HEADER_BYTES
        read_timeout = READ_TIMEOUT
        linger_timeout = LINGER_TIMEOUT
        max_connections = LIMIT_CONCURRENCY
        over_capacity = over_capacity_answer()
        # Per connection, set by _arm: the read deadline's timer, and whether reading has stopped.
        _deadline: Any = None
        _refused = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.limit_concurrency = None  # the cap is ours: a 429, not uvicorn's 503

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._head_bytes: int | None = 0
            _arm(self)

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_deadline()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._head_bytes == 0 and _over_capacity(self) and self._idle():
                _turn_away(self)
                return
            self._unset_keepalive_if_required()
            if self._deadline is None:
                self._deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)
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
            answer_transport = _EarlyAnswerTransport(self.transport, self.cycle, self._linger)
            self.cycle.transport = answer_transport  # type: ignore[assignment]  # a proxy of it
            self.scope["extensions"] = {WIRE: {"wire": answer_transport}}

        def on_message_complete(self) -> None:
            self._cancel_deadline()
            self._head_bytes = 0
            super().on_message_complete()

        def _idle(self) -> bool:
            """No request of this connection is in the server's hands (a new one would add one)."""
            return self.cycle is None or self.cycle.response_complete

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._refused and self.timeout_keep_alive_task is not None:
                # Lingering already: the connection closes at the linger's end, not after idling.
                self.timeout_keep_alive_task.cancel()
                self.timeout_keep_alive_task = None

        def _linger(self) -> None:
            _linger(self)

        def _cancel_deadline(self) -> None:
            _cancel_deadline(self)

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

    return BoundedHttpTools


def _build_bounded_h11() -> Any:
    import h11  # noqa: PLC0415
    from oauth2_token_contract.mock.injection import WIRE  # noqa: PLC0415 - Starlette, only once a server is built
    from uvicorn.protocols.http.h11_impl import H11Protocol  # noqa: PLC0415

    reading = (h11.IDLE, h11.SEND_BODY)  # their states while a request is (or may be) on its way

    class BoundedH11(H11Protocol):
        """uvicorn's h11 protocol with the bounds :class:`BoundedHttpTools` adds to httptools: a read
        deadline from a request's first byte to its last, an idle timeout before the first request,
        the 429 past the connection cap, and the wire QA faults act on. h11 caps the head itself."""

        read_timeout = READ_TIMEOUT
        linger_timeout = LINGER_TIMEOUT
        max_connections = LIMIT_CONCURRENCY
        over_capacity = over_capacity_answer()
        # Per connection, set by _arm: the read deadline's timer, and whether reading has stopped.
        _deadline: Any = None
        _refused = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.limit_concurrency = None  # the cap is ours: a 429, not uvicorn's 503

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._wired: Any = None
            _arm(self)

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_deadline()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if (
                self.conn.their_state is h11.IDLE
                and _over_capacity(self)
                and (self.cycle is None or self.cycle.response_complete)
            ):
                _turn_away(self)
                return
            if self._deadline is None and self.conn.their_state in reading:
                self._deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)
            super().data_received(data)
            if self.conn.their_state not in reading:
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
                cycle.scope["extensions"] = {WIRE: {"wire": _Wire(self.transport, cycle, self._linger)}}

        def _linger(self) -> None:
            _linger(self)

        def _cancel_deadline(self) -> None:
            _cancel_deadline(self)

        def _read_timed_out(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if cycle is None or not cycle.response_started or cycle.response_complete:
                self.transport.write(TOO_SLOW)
            self._refused = True
            self.transport.close()

    return BoundedH11


class _EarlyAnswerTransport(_Wire):
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


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 4010,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM."""
    uvicorn_server(app, host, port, announce, http, freeze=True).run()


@contextmanager
def running_mock(
    config: PathLike | None = None,
    *,
    rate_limit: str | None = None,
    app: Any = None,
    spec: PathLike | None = None,
    scenario: PathLike | None = None,
    in_process: bool = True,
    http: str = "auto",
    max_connections: int = LIMIT_CONCURRENCY,
) -> Iterator[str]:
    """A mock served on 127.0.0.1 (ephemeral port) for the ``with`` block; yields its base URL.

    ``app`` serves a ready app (a variant) instead of one built from ``config``; ``scenario`` loads
    a file of scripted answers; ``in_process=False`` runs it in a child process instead of a thread
    (``app`` cannot cross); ``http`` picks the HTTP implementation; ``max_connections`` lowers the
    connection cap (in a thread only), for tests of what lies past it.
    """
    if not in_process:
        if app is not None:
            raise ValueError("an app object cannot be served in a subprocess")
        extra = ["--http", http] + (["--scenario", str(scenario)] if scenario is not None else [])
        with running_mock_process(config, rate_limit=rate_limit, spec=spec, extra_args=extra) as url:
            yield url
        return
    if app is None:
        from oauth2_token_contract.mock.app import create_app  # noqa: PLC0415
        from oauth2_token_contract.mock.settings import load_settings  # noqa: PLC0415

        app = create_app(load_settings(config, rate_limit=rate_limit, spec=spec, scenario=scenario))
    server = uvicorn_server(app, "127.0.0.1", 0, http=http, max_connections=max_connections)
    thread = threading.Thread(target=server.run, name="mock-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while server.base_url is None:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock did not start")
            time.sleep(0.002)
        yield server.base_url
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)


@contextmanager
def running_mock_process(
    config: PathLike | None = None,
    *,
    rate_limit: str | None = None,
    spec: PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
    extra_args: Sequence[str] = (),
) -> Iterator[str]:
    """``python -m oauth2_token_contract.mock serve --port 0`` in its own process group; yields its base URL.

    ``extra_args`` go to ``serve`` as they are (``--app MODULE:FACTORY`` serves another app).
    """
    command = [
        sys.executable,
        "-m",
        "oauth2_token_contract.mock",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *extra_args,
    ]
    if config is not None:
        command += ["--config", str(Path(config))]
    if rate_limit is not None:
        command += ["--rate-limit", rate_limit]
    if spec is not None:
        command += ["--spec", str(Path(spec))]
    child_env = {**os.environ, **(env or {})}
    with running_group(command, stdout=subprocess.PIPE, stderr=None, env=child_env) as process:
        yield read_announcement(process, timeout)
