"""The mock (or a variant) served in a child process of its own: its URL and pid, its logs kept.

For tests that watch the server from outside: its memory (RSS), what it wrote, how it stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from oauth2_token_contract.mock.processes import ANNOUNCEMENT, running_group, url_announced
from oauth2_token_contract.mock.server import serve_command as mock_serve_command
from selfcheck.suite_run import ROOT

__all__ = ["MockProcess", "mock_process", "serve_command"]

STARTUP_TIMEOUT = 20.0


@dataclass(frozen=True)
class MockProcess:
    url: str
    pid: int

    def rss_kib(self) -> int:
        """Resident set size of the mock process (Linux /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")


def serve_command(config: Path | None = None, *extra: str) -> list[str]:
    """The mock's own serve command, with ``config`` and any other options."""
    return mock_serve_command(config, extra_args=extra)


@contextmanager
def mock_process(command: list[str], logs: Path) -> Iterator[MockProcess]:
    """``command`` (announcing ``listening on URL``) in its own process group, stopped on exit.

    Its stdout and stderr go to ``logs/stdout.txt`` and ``logs/stderr.txt``, kept for inspection.
    """
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / "stdout.txt", logs / "stderr.txt"
    with (
        out_path.open("wb") as out,
        err_path.open("wb") as err,
        running_group(command, cwd=ROOT, stdout=out, stderr=err) as process,
    ):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (first := out_path.read_text(errors="replace").partition("\n"))[1]:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the mock did not start: {err_path.read_text(errors='replace')}")
            time.sleep(0.02)
        assert first[0].startswith(ANNOUNCEMENT), first[0]
        yield MockProcess(url_announced(first[0]), process.pid)
