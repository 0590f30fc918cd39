"""Fixtures for the hardening tests: mocks in child processes (their pid for RSS), configs, suite runs.

Every server a test starts is stopped by it; every child process runs with a timeout.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mocks.server import stop_process_group
from mocks.settings import DEFAULT_CONFIG
from token_contract.selfcheck import suite_command, suite_env

ROOT = Path(__file__).resolve().parents[2]
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


@contextmanager
def mock_process(command: list[str], logs: Path) -> Iterator[MockProcess]:
    """``command`` (announcing ``listening on URL``) in its own process group, stopped on exit.

    Its stdout and stderr go to ``logs/stdout.txt`` and ``logs/stderr.txt``, kept for inspection.
    """
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / "stdout.txt", logs / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not (first := out_path.read_text(errors="replace").partition("\n"))[1]:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the mock did not start: {err_path.read_text(errors='replace')}")
                time.sleep(0.02)
            assert first[0].startswith("listening on "), first[0]
            yield MockProcess(first[0].removeprefix("listening on ").strip(), process.pid)
        finally:
            stop_process_group(process)


def serve_command(config: Path | None = None, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "mocks", "serve", "--host", "127.0.0.1", "--port", "0"]
    if config is not None:
        command += ["--config", str(config)]
    return [*command, *extra]


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """The default config with sections replaced; ``clients`` replaces the client list."""

    def write(name: str = "clients.yaml", **sections: Any) -> Path:
        data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        data.update(sections)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    return write


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    junit: Path


def run_contract_suite(
    url: str, tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 240
) -> SuiteRun:
    """``pytest tests/contract`` in a child process against ``url``, as a user would run it."""
    junit = tmp_path / "junit.xml"
    command, child_env = suite_command(junit, *args), suite_env(url, **env)
    done = subprocess.run(
        command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return SuiteRun(done.returncode, done.stdout, done.stderr, junit)
