"""``serve --workers N``: N processes answering on one port, over one shared state.

The parent binds the socket, builds nothing more, and forks N workers that each serve the app built
before the fork on that socket (the kernel spreads connections among them); it announces the URL once,
passes SIGTERM/SIGINT on, and when one worker dies, stops the others (a mock with a worker missing
would answer some connections and not others). redis-py opens fresh connections in each worker.

With in-memory state each worker would keep its own refresh tokens, windows and clients: a token one
issued would be ``invalid_grant`` at the next, and N workers would allow N times the rate. So more than
one worker needs shared state (:func:`check_workers`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable
from typing import Any

from oauth2_token_contract.mock.settings import ConfigError, MockSettings

__all__ = ["MAX_WORKERS", "check_workers", "serve_workers"]

MAX_WORKERS = 64


def check_workers(workers: int, settings: MockSettings) -> None:
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"--workers must be in [1, {MAX_WORKERS}]")
    if workers > 1 and not settings.shared:
        raise ConfigError(
            "--workers > 1 needs shared state (--state redis://HOST:PORT/DB): with in-memory state each "
            "worker would keep its own refresh tokens, rate-limit windows and clients, so a token issued by "
            "one would be invalid_grant at another, and the workers together would allow N times the rate"
        )


def serve_workers(
    app: Any,
    host: str,
    port: int,
    workers: int,
    *,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
    tls: tuple[str, str] | None = None,
) -> int:
    """Serve ``app`` from ``workers`` forked processes until SIGTERM/SIGINT; the exit code."""
    from oauth2_token_contract.mock.uvicorn_server import uvicorn_server  # noqa: PLC0415 - uvicorn, only now

    def server() -> Any:
        return uvicorn_server(app, host, port, http=http, tls=tls)

    config = server().config
    config.load()
    sock = config.bind_socket()
    sock.listen(config.backlog)  # before the announcement: a client may connect before any worker runs
    bound_host, bound_port = sock.getsockname()[:2]
    gc.freeze()  # what start-up made stays shared, page for page, with every worker
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: serve until told to stop, and never return into the parent's code
            code = 0
            try:
                server().run(sockets=[sock])
            except BaseException:  # a worker's end is its exit code, whatever ended it
                code = 1
            os._exit(code)
        children.append(pid)
    sock.close()
    stopping = []

    def forward(signum: int, frame: object) -> None:
        stopping.append(signum)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    if announce is not None:
        scheme = "https" if tls else "http"
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        announce(f"{scheme}://{shown}:{bound_port}")
    code = 0
    while children:
        pid, status = os.wait()
        if pid not in children:
            continue
        children.remove(pid)
        if os.waitstatus_to_exitcode(status) != 0 and not stopping:
            code = 1  # uvicorn ends a worker told to stop by its own signal: only a death unasked counts
            forward(signal.SIGTERM, None)  # one worker died: the others stop, the mock exits
    return code
