"""The mock's uvicorn ``Server``: hardened (:mod:`oauth2_token_contract.mock.protocols`), and saying
its URL once it listens. Imported only when a server is built; the runners are in
:mod:`oauth2_token_contract.mock.server`.

Also: no access log (it would need redaction), no ``Server`` header, and no proxy headers (the peer
address keys the rate limiter).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import uvicorn

from oauth2_token_contract.mock.bounds import LIMIT_CONCURRENCY, MAX_HEADER_BYTES, TIMEOUT_KEEP_ALIVE
from oauth2_token_contract.mock.protocols import BoundedConfig, BoundedH11, BoundedHttpTools

__all__ = ["GRACEFUL_SHUTDOWN", "AnnouncingServer", "uvicorn_server"]

GRACEFUL_SHUTDOWN = 3  # seconds for answers in flight (a QA delay, a slow body) before they are cut


class AnnouncingServer(uvicorn.Server):
    """A uvicorn ``Server`` that knows its ``base_url`` once it listens, and calls ``announce``
    with it; ``freeze`` then moves everything start-up made out of the garbage collector's sight."""

    def __init__(
        self, config: uvicorn.Config, announce: Callable[[str], None] | None = None, *, freeze: bool = False
    ) -> None:
        super().__init__(config)
        self.base_url: str | None = None
        self._announce = announce
        self._freeze = freeze

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started and self.servers:
            bound_host, bound_port = self.servers[0].sockets[0].getsockname()[:2]
            scheme = "https" if self.config.is_ssl else "http"
            self.base_url = f"{scheme}://{bound_host}:{bound_port}"
            if self._freeze:
                gc.freeze()
            if self._announce is not None:
                self._announce(self.base_url)


def uvicorn_server(
    app: Any,
    host: str,
    port: int,
    announce: Callable[[str], None] | None = None,
    http: str = "auto",
    *,
    freeze: bool = False,
    max_connections: int = LIMIT_CONCURRENCY,
    tls: tuple[str, str] | None = None,
) -> AnnouncingServer:
    """A uvicorn ``Server`` for ``app``, hardened; ``announce(base_url)`` runs once it listens.

    ``http="auto"`` (or ``"httptools"``) serves with :class:`BoundedHttpTools`; ``"h11"`` with
    :class:`BoundedH11`, which also caps the bytes h11 buffers for an incomplete request head at
    ``MAX_HEADER_BYTES``. ``freeze`` moves everything start-up made (modules, the spec, the app) out
    of the garbage collector's sight once the server listens: it lives as long as the process, and
    each full collection would otherwise walk it again. Only for a process of its own (the CLI),
    never a server in a test's thread. ``tls`` (certificate file, key file) serves https.
    """
    if http not in {"auto", "httptools", "h11"}:
        raise ValueError(f"http must be auto, httptools or h11, not {http!r}")
    config = BoundedConfig(
        app,
        max_connections=max_connections,
        host=host,
        port=port,
        http=BoundedH11 if http == "h11" else BoundedHttpTools,
        lifespan="off",
        ws="none",  # no websocket route: skip importing a websocket stack at start
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )
    return AnnouncingServer(config, announce, freeze=freeze)
