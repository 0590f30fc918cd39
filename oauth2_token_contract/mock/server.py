"""Serving the mock: in the foreground (the CLI), in a thread, or in a child process.

``running_mock`` serves on 127.0.0.1 port 0 and yields the base URL once the socket listens; the
subprocess flavour runs ``python -m oauth2_token_contract.mock serve --port 0`` and reads the port from its
``listening on URL`` line. Each serves with the hardened uvicorn of
:mod:`oauth2_token_contract.mock.uvicorn_server`, imported only then, so importing this module stays
light (the plugin does, in every pytest run); the bounds are in :mod:`oauth2_token_contract.mock.bounds`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from oauth2_token_contract.mock.bounds import LIMIT_CONCURRENCY
from oauth2_token_contract.mock.processes import read_announcement, running_group

__all__ = ["running_mock", "running_mock_process", "serve", "serve_command"]

STARTUP_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 5.0
PathLike = str | os.PathLike[str]


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 4010,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
    *,
    workers: int = 1,
    tls: tuple[str, str] | None = None,
) -> int:
    """Serve in the foreground until SIGINT/SIGTERM, in ``workers`` processes (:mod:`.workers`) when
    more than one, over https with ``tls`` (certificate file, key file); the exit code."""
    if workers > 1:
        from oauth2_token_contract.mock.workers import serve_workers  # noqa: PLC0415

        return serve_workers(app, host, port, workers, announce=announce, http=http, tls=tls)
    from oauth2_token_contract.mock.uvicorn_server import uvicorn_server  # noqa: PLC0415 - uvicorn, only now

    uvicorn_server(app, host, port, announce, http, freeze=True, tls=tls).run()
    return 0


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
    from oauth2_token_contract.mock.uvicorn_server import uvicorn_server  # noqa: PLC0415 - uvicorn, only now

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


def serve_command(
    config: PathLike | None = None,
    *,
    rate_limit: str | None = None,
    spec: PathLike | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """``python -m oauth2_token_contract.mock serve`` on a free loopback port, announcing its URL.

    ``extra_args`` go to ``serve`` as they are (``--app MODULE:FACTORY`` serves another app).
    """
    command = [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--host", "127.0.0.1"]
    command += ["--port", "0", *extra_args]
    if config is not None:
        command += ["--config", str(Path(config))]
    if rate_limit is not None:
        command += ["--rate-limit", rate_limit]
    if spec is not None:
        command += ["--spec", str(Path(spec))]
    return command


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
    """:func:`serve_command` in its own process group; yields its base URL."""
    command = serve_command(config, rate_limit=rate_limit, spec=spec, extra_args=extra_args)
    child_env = {**os.environ, **(env or {})}
    with running_group(command, stdout=subprocess.PIPE, stderr=None, env=child_env) as process:
        yield read_announcement(process, timeout)
