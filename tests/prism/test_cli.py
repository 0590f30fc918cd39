"""``token-contract-mock prism``: serves until Ctrl-C or SIGTERM, then leaves no Prism behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from oauth2_token_contract.mock import prism
from tests.prism.conftest import NOT_INSTALLED

pytestmark = pytest.mark.prism

ROOT = Path(__file__).resolve().parents[2]
# The entry point oauth2_token_contract/mock/__main__.py hands the `prism` subcommand to.
RUN_MAIN = "import sys; from oauth2_token_contract.mock.prism import main; sys.exit(main(sys.argv[1:]))"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            httpx.get(url, timeout=0.5)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"no answer at {url} within {timeout}s")


@pytest.mark.parametrize(
    ("stop", "extra", "times"),
    [
        (signal.SIGTERM, [], 1),
        (signal.SIGINT, ["--proxy", "http://127.0.0.1:9"], 1),
        # An impatient user: more signals while the wrapper stops Prism must not cut the shutdown short.
        (signal.SIGINT, [], 3),
    ],
    ids=["mock-sigterm", "proxy-ctrl-c", "mock-ctrl-c-thrice"],
)
def test_serves_until_signalled(stop: signal.Signals, extra: list[str], times: int) -> None:
    try:
        prism._require_prism()
    except prism.PrismUnavailable:
        pytest.skip(NOT_INSTALLED)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_MAIN, "--port", str(port), *extra],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/", process)
        time.sleep(0.5)  # let the log follower copy a line or two
        for _ in range(times):
            process.send_signal(stop)
            time.sleep(0.02)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, err
    mode = "proxy to http://127.0.0.1:9" if extra else "mock"
    banner = re.search(
        rf"Prism {re.escape(mode)} at http://127\.0\.0\.1:{port} \(pid (\d+), log (\S+)\)", out
    )
    assert banner, out
    assert f"Prism is listening on http://127.0.0.1:{port}" in out
    with pytest.raises(ProcessLookupError):
        os.kill(int(banner[1]), 0)
    assert not Path(banner[2]).exists()


def test_missing_prism_exits_2_with_the_fix(tmp_path: Path) -> None:
    env = {**os.environ, "PRISM_BIN": str(tmp_path / "no-such-prism")}

    result = subprocess.run(
        [sys.executable, "-c", RUN_MAIN],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "npm ci --prefix mocks" in result.stderr
