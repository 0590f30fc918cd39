"""Serving a WSGI app of a real OAuth2 server library on loopback, the way the project's servers do.

Binds 127.0.0.1 only (port 0: a free one), prints ``listening on http://127.0.0.1:PORT`` as the first
and only line of stdout once the socket listens, serves from a thread per connection (werkzeug's
threaded server), and stops cleanly on SIGTERM or SIGINT. Request lines are not logged: stdout
carries only the announcement, stderr only what went wrong. ``--shim NAME`` wraps the app in a
diagnostic middleware of ``shims.py`` (for study only).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from werkzeug.serving import WSGIRequestHandler, make_server

from tests.realservers.shims import SHIMS, apply_shims

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["HOST", "port_parser", "serve"]

HOST = "127.0.0.1"


class QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without the access log (errors are still logged to stderr)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def port_parser(description: str) -> argparse.ArgumentParser:
    """The command line every real server shares: ``--port`` (0, the default, picks a free one)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--shim",
        action="append",
        default=[],
        choices=sorted(SHIMS),
        help="diagnostic only: hide one known divergence (see tests/realservers/shims.py); repeatable",
    )
    return parser


def serve(app: WSGIApplication, port: int, *, shims: Sequence[str] = ()) -> None:
    """Serve ``app`` (inside the named diagnostic ``shims``) on 127.0.0.1:``port`` until SIGTERM or
    SIGINT, announcing the URL first."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    server = make_server(HOST, port, apply_shims(app, shims), threaded=True, request_handler=QuietHandler)
    worker = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="wsgi-server", daemon=True
    )
    worker.start()
    # The socket listens since make_server returned: connections queue until the thread accepts them.
    sys.stdout.write(f"listening on http://{HOST}:{server.server_port}\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.2):
            if not worker.is_alive():
                raise SystemExit("the server thread stopped")
    finally:
        server.shutdown()
        worker.join(5.0)
        server.server_close()
