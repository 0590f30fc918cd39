"""``serve --workers 2 --state redis://...``: two processes on one port behave as one mock.

Requests go out at once on connections of their own, so the kernel spreads them over both workers; a
test checks that both did serve (each worker read bytes: ``rchar`` in ``/proc/PID/io`` grew; an idle
worker reads nothing) before it trusts its count.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from oauth2_token_contract.mock.processes import group_members
from tests.shared.conftest import token_body

RACERS = 50
TIMEOUT = 20.0


def _bytes_read(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar line")


def _workers(leader: int) -> list[int]:
    return sorted(pid for pid in group_members(leader) if pid != leader)


def _at_once(url: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    """Each body POSTed on a connection of its own, all released together; bounded by TIMEOUT."""
    gate = threading.Barrier(len(bodies), timeout=TIMEOUT)

    def send(body: dict[str, str]) -> httpx.Response:
        with httpx.Client(timeout=TIMEOUT) as client:
            gate.wait()
            return client.post(url + "/oauth2/token", json=body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_50_concurrent_refreshes_over_2_workers_give_exactly_one_token(serve, state_args) -> None:
    with serve("--workers", "2", "--rate-limit", "off", *state_args) as mock:
        workers = _workers(mock.pid)
        assert len(workers) == 2
        with httpx.Client(timeout=TIMEOUT) as http:
            issued = http.post(mock.url + "/oauth2/token", json=token_body(grant_type="client_credentials"))
        refresh = token_body(grant_type="refresh_token", refresh_token=issued.json()["refresh_token"])
        before = {pid: _bytes_read(pid) for pid in workers}
        answers = _at_once(mock.url, [refresh] * RACERS)
        assert all(_bytes_read(pid) > before[pid] for pid in workers), "one worker served everything"
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [400] * (RACERS - 1)
    assert {answer.json()["error"] for answer in answers if answer.status_code == 400} == {"invalid_grant"}


def test_2_workers_together_allow_the_documented_rate_not_twice_it(serve, state_args) -> None:
    budget = 20
    with serve("--workers", "2", "--rate-limit", f"{budget}/minute", *state_args) as mock:
        workers = _workers(mock.pid)
        before = {pid: _bytes_read(pid) for pid in workers}
        answers = _at_once(mock.url, [token_body(grant_type="client_credentials")] * (3 * budget))
        assert all(_bytes_read(pid) > before[pid] for pid in workers), "one worker served everything"
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(200) == budget
    assert statuses.count(429) == 2 * budget


def test_more_than_one_worker_in_memory_is_refused_saying_why(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--port", "0", "--workers", "2"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "needs shared state (--state redis://" in done.stderr
    assert "invalid_grant" in done.stderr


@pytest.mark.parametrize("workers", ["0", "65"])
def test_a_worker_count_out_of_range_is_refused(workers: str, state_args) -> None:
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "oauth2_token_contract.mock",
        "serve",
        "--port",
        "0",
        "--workers",
        workers,
    ]
    done = subprocess.run([*command, *state_args], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2
    assert "--workers must be in [1, 64]" in done.stderr
