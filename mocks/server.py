"""Serving the mock with uvicorn: in the foreground (the CLI), in a thread, or in a child process.

``running_mock`` serves on 127.0.0.1 port 0 and yields the base URL once the socket listens; the
subprocess flavour runs ``python -m mocks serve --port 0`` and reads the port from its
``listening on URL`` line. Hardening: bounded concurrency and keep-alive, a cap on buffered
incomplete headers (h11 only, ``--http h11``; the default httptools parser is faster but sets none),
no access log (it would need redaction), no ``Server`` header, and no proxy headers (the peer address
keys the rate limiter).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess as subprocess_module
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["running_mock", "running_mock_process", "serve", "uvicorn_server"]

LIMIT_CONCURRENCY = 1024
TIMEOUT_KEEP_ALIVE = 5
MAX_HEADER_BYTES = 16 * 1024
STARTUP_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 5.0
PathLike = str | os.PathLike[str]


def uvicorn_server(
    app: Any, host: str, port: int, announce: Callable[[str], None] | None = None, http: str = "auto"
) -> Any:
    """A uvicorn ``Server`` for ``app``, hardened; ``announce(base_url)`` runs once it listens.

    ``http="auto"`` picks httptools (fast; no header-size cap); ``"h11"`` caps the bytes it buffers
    for an incomplete request head at ``MAX_HEADER_BYTES``.
    """
    import uvicorn  # noqa: PLC0415 - `import mocks` should not pay for the server

    class AnnouncingServer(uvicorn.Server):
        base_url: str | None = None

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and self.servers:
                bound_host, bound_port = self.servers[0].sockets[0].getsockname()[:2]
                self.base_url = f"http://{bound_host}:{bound_port}"
                if announce is not None:
                    announce(self.base_url)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=http,
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        limit_concurrency=LIMIT_CONCURRENCY,
        timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return AnnouncingServer(config)


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 4010,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM."""
    uvicorn_server(app, host, port, announce, http).run()


@contextmanager
def running_mock(
    config: PathLike | None = None,
    *,
    rate_limit: str | None = None,
    app: Any = None,
    spec: PathLike | None = None,
    subprocess: bool = False,
) -> Iterator[str]:
    """A mock served on 127.0.0.1 (ephemeral port) for the ``with`` block; yields its base URL.

    ``app`` serves a ready app (e.g. a faulty variant) instead of one built from ``config``;
    ``subprocess=True`` runs it in a child process instead of a thread (``app`` cannot cross).
    """
    if subprocess:
        if app is not None:
            raise ValueError("an app object cannot be served in a subprocess")
        with running_mock_process(config, rate_limit=rate_limit, spec=spec) as url:
            yield url
        return
    if app is None:
        from mocks.app import create_app  # noqa: PLC0415
        from mocks.settings import load_settings  # noqa: PLC0415

        app = create_app(load_settings(config, rate_limit=rate_limit, spec=spec))
    server = uvicorn_server(app, "127.0.0.1", 0)
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


def _read_announcement(process: subprocess_module.Popen[bytes], timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise RuntimeError("the mock process did not announce its address in time")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the mock process exited early (code {process.poll()})")
            buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode()
    if not line.startswith("listening on "):
        raise RuntimeError("unexpected first line from the mock process")
    return line.removeprefix("listening on ").strip()


@contextmanager
def running_mock_process(
    config: PathLike | None = None,
    *,
    rate_limit: str | None = None,
    spec: PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> Iterator[str]:
    """``python -m mocks serve --port 0`` in its own process group; yields its base URL."""
    command = [sys.executable, "-m", "mocks", "serve", "--host", "127.0.0.1", "--port", "0"]
    if config is not None:
        command += ["--config", str(Path(config))]
    if rate_limit is not None:
        command += ["--rate-limit", rate_limit]
    if spec is not None:
        command += ["--spec", str(Path(spec))]
    process = subprocess_module.Popen(
        command, stdout=subprocess_module.PIPE, start_new_session=True, env={**os.environ, **(env or {})}
    )
    try:
        yield _read_announcement(process, timeout)
    finally:
        _stop(process)


def _stop(process: subprocess_module.Popen[bytes]) -> None:
    """SIGTERM to the child's process group, SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(SHUTDOWN_TIMEOUT)
        except subprocess_module.TimeoutExpired:
            continue
    if process.stdout is not None:
        process.stdout.close()
