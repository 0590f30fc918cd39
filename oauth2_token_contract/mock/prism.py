"""Stoplight Prism over the contract: a stateless mock of the spec, or a validating proxy before a target.

``running_prism()`` starts the pinned ``prism`` (``mocks/package.json``) on a free loopback port, waits
until it answers, keeps its log in a file and, on exit, stops its whole process group::

    running_prism(spec, proxy=None)        prism mock  SPEC          -h 127.0.0.1 -p PORT [--errors] [-d]
    running_prism(spec, proxy=UPSTREAM)    prism proxy SPEC UPSTREAM -h 127.0.0.1 -p PORT [--errors]

``main()`` is ``python -m oauth2_token_contract.mock prism [--port N] [--proxy UPSTREAM] [--spec FILE]``.

Known Prism 5.16 deviation: a JSON body it cannot parse (a lone NUL byte, a truncated object) is never
answered, so every request sent to Prism needs a timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from types import FrameType
from typing import Any

from oauth2_token_contract.mock.processes import start_group, stop_group
from oauth2_token_contract.spec.contract import spec_path
from oauth2_token_contract.spec.redaction import REDACTOR

__all__ = [
    "DEFAULT_PRISM_BIN",
    "PrismError",
    "PrismServer",
    "PrismStartupError",
    "PrismUnavailable",
    "main",
    "prism_bin",
    "running_prism",
]

# Where `npm ci --prefix mocks` puts the pinned Prism in a checkout (an installed package has none).
DEFAULT_PRISM_BIN = Path(str(files("oauth2_token_contract.mock.assets") / "node_modules")) / ".bin" / "prism"
HOST = "127.0.0.1"
INSTALL_HINT = (
    "run `npm ci --prefix mocks` (Node 20+), put `prism` on PATH, or point PRISM_BIN at a prism executable"
)
STOP_GRACE = 5.0
PROBE_TIMEOUT = 0.5
PROBE_PATH = "/__wrapper_readiness_probe"
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 40


class PrismError(RuntimeError):
    """Anything that keeps Prism from serving."""


class PrismUnavailable(PrismError):
    """Node or the pinned Prism package is not installed."""


class PrismStartupError(PrismError):
    """Prism exited, or did not answer in time; the message carries the (redacted) tail of its log."""


@dataclass(frozen=True)
class PrismServer:
    """A running Prism: where it listens, its process and its log."""

    base_url: str
    pid: int
    log_path: Path
    _process: subprocess.Popen[bytes] = field(repr=False, compare=False)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self._process.poll() is None


def prism_bin() -> Path:
    """The Prism executable: ``PRISM_BIN`` when set, else the one ``npm ci --prefix mocks`` installs in
    a checkout, else a ``prism`` on PATH (an installed package has no ``node_modules`` of its own)."""
    if os.environ.get("PRISM_BIN"):
        return Path(os.environ["PRISM_BIN"])
    if DEFAULT_PRISM_BIN.is_file():
        return DEFAULT_PRISM_BIN
    on_path = shutil.which("prism")
    return Path(on_path) if on_path else DEFAULT_PRISM_BIN


def _require_prism() -> Path:
    binary = prism_bin()
    if not binary.is_file():
        raise PrismUnavailable(f"Prism is not installed at {binary}: {INSTALL_HINT}")
    if not os.access(binary, os.X_OK):
        raise PrismUnavailable(f"{binary} is not executable: {INSTALL_HINT}")
    if shutil.which("node") is None:
        raise PrismUnavailable(f"`node` is not on PATH; Prism needs Node.js: {INSTALL_HINT}")
    return binary


def _tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return REDACTOR.free_text("\n".join(text.splitlines()[-lines:])) or "(empty log)"


def _free_port() -> int:
    """A port nobody holds right now; another process may take it before Prism does, hence the retries."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _command(
    binary: Path, spec: str, port: int, proxy: str | None, *, errors: bool, dynamic: bool
) -> list[str]:
    command = [str(binary), "proxy", spec, proxy] if proxy else [str(binary), "mock", spec]
    command += ["-h", HOST, "-p", str(port)]
    if errors:
        command.append("--errors")
    if dynamic:
        command.append("--dynamic")
    return command


def _answers(base_url: str) -> bool:
    """Any HTTP answer (Prism's own 404 for a path the spec lacks) means it is serving.

    Prism answers an unknown path itself, even as a proxy, so the probe never reaches an upstream.
    """
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=PROBE_TIMEOUT)
    try:
        connection.request("GET", PROBE_PATH)
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return True


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    with log_path.open("ab") as log:
        return start_group(command, stdout=log, stderr=subprocess.STDOUT, env=env)


def _wait_until_serving(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PrismStartupError(
                f"Prism exited with status {process.returncode} before serving {base_url}; "
                f"log {log_path}:\n{_tail(log_path)}"
            )
        if _answers(base_url):
            return
        time.sleep(0.05)
    raise PrismStartupError(
        f"Prism did not answer at {base_url} within {timeout:g}s; log {log_path}:\n{_tail(log_path)}"
    )


def _lost_port_race(log_path: Path, offset: int) -> bool:
    """Whether this attempt died because another process took the port first."""
    with log_path.open("rb") as log:
        log.seek(offset)
        return b"EADDRINUSE" in log.read()


@contextlib.contextmanager
def running_prism(
    spec: Path | str | None = None,
    *,
    port: int | None = None,
    proxy: str | None = None,
    errors: bool = True,
    dynamic: bool = False,
    startup_timeout: float = 30.0,
    log_path: Path | None = None,
) -> Iterator[PrismServer]:
    """Prism mocking ``spec`` (default: the contract in force), or validating traffic to ``proxy``.

    ``port=None`` picks a free loopback port. With ``log_path=None`` the log is a temporary file removed on
    exit; a given ``log_path`` is truncated, then kept.
    """
    if proxy and dynamic:
        raise ValueError("dynamic examples apply to mock mode only, not to a proxy")
    binary = _require_prism()
    document = str(spec if spec is not None else spec_path())
    if "://" not in document and not Path(document).is_file():
        raise FileNotFoundError(f"no OpenAPI document at {document}")
    owned_log = log_path is None
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="prism-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    else:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_bytes(b"")  # the log of this run only
    process: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            chosen = port or _free_port()
            base_url = f"http://{HOST}:{chosen}"
            logged = log_path.stat().st_size
            process = _spawn(
                _command(binary, document, chosen, proxy, errors=errors, dynamic=dynamic), log_path
            )
            try:
                _wait_until_serving(process, base_url, log_path, startup_timeout)
                break
            except PrismStartupError:
                stop_group(process, STOP_GRACE)
                process = None
                if port is None and attempt < PORT_ATTEMPTS and _lost_port_race(log_path, logged):
                    continue
                raise
        assert process is not None
        yield PrismServer(base_url=base_url, pid=process.pid, log_path=log_path, _process=process)
    finally:
        if process is not None:
            stop_group(process, STOP_GRACE)
        if owned_log:
            log_path.unlink(missing_ok=True)


class _Stopped(Exception):
    """Ctrl-C or SIGTERM before Prism serves, raised out of the start-up wait."""


class _StopOnSignal:
    """Ctrl-C and SIGTERM stop the wrapper. Before Prism serves they raise :class:`_Stopped`; once it
    serves they only set a flag the serving loop reads, so that no exception lands inside a
    ``Popen.poll`` (it could leave the lock that ``wait`` and the shutdown need held)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.serving = False
        self.requested = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignal:
        self._previous = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        # Once a stop was asked for, the process is on its way out: a repeated Ctrl-C must not turn
        # a clean exit into a KeyboardInterrupt in the interpreter's last steps.
        stopping = self.requested.is_set()
        for signum, handler in self._previous.items():
            signal.signal(signum, signal.SIG_IGN if stopping else handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self.requested.is_set()
        self.requested.set()
        if first and not self.serving:
            raise _Stopped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m oauth2_token_contract.mock prism",
        description="Run Stoplight Prism over the contract until Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--proxy", metavar="UPSTREAM", default=None, help="validate traffic to UPSTREAM")
    parser.add_argument(
        "--spec", metavar="FILE", default=None, help="OpenAPI document (default: the contract)"
    )
    parser.add_argument("--dynamic", action="store_true", help="generate bodies from schemas (mock mode)")
    parser.add_argument("--log", type=Path, default=None, help="keep Prism's log in this file")
    return parser


def _follow(server: PrismServer, offset: int) -> int:
    """Copy what Prism logged since ``offset`` to stdout; the new offset."""
    with server.log_path.open("rb") as log:
        log.seek(offset)
        chunk = log.read()
    if chunk:
        sys.stdout.write(chunk.decode("utf-8", errors="replace"))
        sys.stdout.flush()
    return offset + len(chunk)


def main(argv: list[str]) -> int:
    """Serve until interrupted: 0 when stopped by a signal, 1 when Prism fails, 2 when it is not installed."""
    args = _parser().parse_args(argv)
    with _StopOnSignal() as stop:
        try:
            with running_prism(
                args.spec, port=args.port, proxy=args.proxy, dynamic=args.dynamic, log_path=args.log
            ) as server:
                stop.serving = True
                return _serve(server, args.proxy, stop.requested)
        except _Stopped:
            return 0
        except PrismUnavailable as error:
            print(error, file=sys.stderr)
            return 2
        except (PrismError, FileNotFoundError, ValueError) as error:
            print(error, file=sys.stderr)
            return 1


def _serve(server: PrismServer, proxy: str | None, stop: threading.Event) -> int:
    """Copy Prism's log until ``stop`` is set (0) or Prism exits on its own (1)."""
    mode = f"proxy to {proxy}" if proxy else "mock"
    print(f"Prism {mode} at {server.base_url} (pid {server.pid}, log {server.log_path})", flush=True)
    offset = 0
    while server.running() and not stop.is_set():
        offset = _follow(server, offset)
        stop.wait(0.2)
    _follow(server, offset)
    if stop.is_set():
        return 0
    print(f"Prism exited on its own; log {server.log_path}", file=sys.stderr)
    return 1
