"""Starting, measuring and stopping the servers under test, and driving wrk against them.

Every server runs in its own session (process group) and is stopped with SIGTERM, then SIGKILL, on
the way out of its ``with`` block; every wrk run is bounded by its duration plus a grace period. CPU
and memory come from ``/proc``: the CPU time of the server's whole process tree, and ``VmHWM`` (the
peak resident set) of its processes.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from oauth2_token_contract.mock.processes import read_announcement, running_group

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "5clTR_MdVrrkgxw2"
CLIENT_SECRET = "dNC-hg7sVm22jc3g_Eogtyu0_1Mqh_4-"
TOKEN_PATH = "/oauth2/token"
BODIES = {
    "json": (
        "application/json",
        json.dumps(
            {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            separators=(",", ":"),
        ),
    ),
    "form": (
        "application/x-www-form-urlencoded",
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
    ),
}
# A budget the load never spends: the limiter counts every request (its real per-request work) and
# never refuses one (we measure serving, not refusing).
UNSPENT_BUDGET = "1000000000/minute"
MOCK_COMMAND = [
    sys.executable,
    "-m",
    "oauth2_token_contract.mock",
    "serve",
    "--port",
    "0",
    "--rate-limit",
    UNSPENT_BUDGET,
]
BARE_COMMAND = [sys.executable, "-m", "benchmarks.bare_app", "--port", "0"]
START_TIMEOUT = 30.0
WRK_GRACE = 15.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    pid: int


# --- /proc -------------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Prism's CLI may run Node as a child)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process tree so far."""
    total = 0
    for member in process_tree(pid):
        fields = _stat_fields(member)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """The tree's peak resident set (sum of each process's VmHWM), in MB."""
    return sum(_status_kb(member, "VmHWM") for member in process_tree(pid)) / 1024


def rss_mb(pid: int) -> float:
    return sum(_status_kb(member, "VmRSS") for member in process_tree(pid)) / 1024


# --- servers -----------------------------------------------------------------------------------


@contextmanager
def announcing_server(name: str, command: list[str]) -> Iterator[Server]:
    """A server that prints ``listening on URL`` (the mock, the bare app), stopped on exit."""
    with running_group(command, cwd=ROOT, stdout=subprocess.PIPE) as process:
        yield Server(name, read_announcement(process, START_TIMEOUT), process.pid)


@contextmanager
def prism_server() -> Iterator[Server]:
    from oauth2_token_contract.mock.prism import running_prism

    with running_prism() as prism:
        yield Server("prism", prism.base_url, prism.pid)


def granian_mock() -> Any:
    """The mock's app, for granian (``--factory``)."""
    from oauth2_token_contract.mock.app import create_app
    from oauth2_token_contract.mock.settings import load_settings

    return create_app(load_settings(rate_limit=UNSPENT_BUDGET))


def granian_bare() -> Any:
    from benchmarks.bare_app import create_app

    return create_app()


@contextmanager
def granian_server(name: str, factory: str) -> Iterator[Server]:
    """An app under granian (one worker, uvloop, HTTP/1), for choosing the stack; not the mock's own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--loop", "uvloop", "--http", "1", "--no-ws"]
    command += ["--log-level", "warning", "--factory", f"benchmarks.processes:{factory}"]
    with running_group(command, cwd=ROOT) as process:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while post_token(base_url) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name}: granian did not serve")
            time.sleep(0.01)
        yield Server(name, base_url, process.pid)


def servers(name: str) -> Any:
    if name == "mock":
        return announcing_server("mock", MOCK_COMMAND)
    if name == "bare":
        return announcing_server("bare", BARE_COMMAND)
    if name == "granian-mock":
        return granian_server(name, "granian_mock")
    if name == "granian-bare":
        return granian_server(name, "granian_bare")
    return prism_server()


def post_token(base_url: str, kind: str = "json", timeout: float = 5.0) -> int:
    """One valid client_credentials request; its status (0 when the connection failed)."""
    parts = urlsplit(base_url)
    media, body = BODIES[kind]
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("POST", TOKEN_PATH, body, {"Content-Type": media})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def first_200(name: str, timeout: float = START_TIMEOUT) -> float:
    """Seconds from starting a server (its command, or Prism's wrapper) to its first 200 answer."""
    started = time.perf_counter()
    with servers(name) as server:
        deadline = time.monotonic() + timeout
        while post_token(server.base_url) != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: no 200 within {timeout} s")
            time.sleep(0.002)
        return time.perf_counter() - started


# --- wrk ---------------------------------------------------------------------------------------

_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = {media}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKRESULT {{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def wrk_scripts() -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        scripts = {}
        for kind, (media, body) in BODIES.items():
            path = Path(folder) / f"{kind}.lua"
            path.write_text(_LUA.format(body=_lua_string(body), media=_lua_string(media)))
            scripts[kind] = path
        yield scripts


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx answers
    cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_seconds / self.seconds if self.seconds else 0.0


def run_wrk(server: Server, script: Path, connections: int, seconds: float) -> Load:
    """One bounded wrk run (one thread, whole seconds) against the token path, with the server's CPU time."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds
        "--timeout",
        "5s",
        "-s",
        str(script),
        server.base_url + TOKEN_PATH,
    ]
    cpu_before = cpu_seconds(server.pid)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + WRK_GRACE, check=False)
    cpu_after = cpu_seconds(server.pid)
    match = re.search(r"WRKRESULT (\{.*\})", done.stdout)
    if match is None:
        raise RuntimeError(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")
    data = json.loads(match.group(1))
    errors = sum(data[key] for key in ("connect", "read", "write", "status", "timeout"))
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        cpu_seconds=cpu_after - cpu_before,
    )
