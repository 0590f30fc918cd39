"""Child processes in a group of their own: started, waited on, stopped, whole.

The one way this project runs a server or a suite in a child process. Each child leads a new session
(process group), so stopping it reaches whatever it forked (Prism does); stopping sends SIGTERM to
the group, reaps the leader, and sends SIGKILL to whatever of the group still runs after a grace.
A server child announces itself on its first line of output, ``listening on URL``.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

__all__ = [
    "ANNOUNCEMENT",
    "group_members",
    "read_announcement",
    "run_group",
    "running_group",
    "start_group",
    "stop_group",
    "url_announced",
]

ANNOUNCEMENT = "listening on "
STOP_GRACE = 5.0
KILL_SETTLE = 2.0
Output = int | IO[Any] | None


def start_group(
    command: Sequence[str],
    *,
    stdout: Output = subprocess.DEVNULL,
    stderr: Output = subprocess.DEVNULL,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.Popen[bytes]:
    """``command`` as the leader of a new process group, reading nothing from our stdin."""
    return subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=None if env is None else dict(env),
        cwd=cwd,
        start_new_session=True,
    )


def group_members(pgid: int) -> list[int]:
    """The pids of a process group that still run, from ``/proc`` (empty where there is none).

    Zombies do not count: a killed child of a dead leader waits for init to reap it, not for us.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _group_running(pgid: int) -> bool:
    """Whether a process of the group still runs (without ``/proc``: whether the group exists)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return bool(group_members(pgid)) if Path("/proc").is_dir() else True


def _wait_group_gone(pgid: int, deadline: float) -> bool:
    while _group_running(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_group(process: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """SIGTERM the group, reap the leader, SIGKILL whatever is left after ``grace``."""
    pgid = process.pid  # start_new_session made the leader's pid the group id
    deadline = time.monotonic() + grace
    if process.poll() is None or _group_running(pgid):
        _signal_group(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        if not _wait_group_gone(pgid, deadline):
            _signal_group(pgid, signal.SIGKILL)
            process.wait()
            _wait_group_gone(pgid, time.monotonic() + KILL_SETTLE)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@contextlib.contextmanager
def running_group(command: Sequence[str], **options: Any) -> Iterator[subprocess.Popen[bytes]]:
    """:func:`start_group` for the ``with`` block, :func:`stop_group` on the way out."""
    process = start_group(command, **options)
    try:
        yield process
    finally:
        stop_group(process)


def run_group(command: Sequence[str], *, deadline: float, **options: Any) -> int | None:
    """Run a child group to its end; its exit code, or None when it overran ``deadline`` (then stopped)."""
    with running_group(command, **options) as process:
        try:
            return process.wait(deadline)
        except subprocess.TimeoutExpired:
            return None


def read_announcement(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The base URL a child server prints first as ``listening on URL``, read within ``timeout``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise RuntimeError("the server process did not announce its address in time")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the server process exited early (code {process.poll()})")
            buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode()
    if not line.startswith(ANNOUNCEMENT):
        raise RuntimeError("unexpected first line from the server process")
    return url_announced(line)


def url_announced(line: str) -> str:
    """The URL of a ``listening on URL [what else the server says]`` line."""
    return line.removeprefix(ANNOUNCEMENT).split(maxsplit=1)[0]
