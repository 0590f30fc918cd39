"""The wrapper's own promises: it finds Prism or says what to run, it starts or fails clearly, and it
leaves no process behind.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import httpx
import pytest

from oauth2_token_contract.mock import prism
from oauth2_token_contract.mock.prism import PrismStartupError, PrismUnavailable, running_prism
from oauth2_token_contract.mock.processes import group_members
from tests.prism.conftest import NOT_INSTALLED, prism_or_skip

pytestmark = pytest.mark.prism


def _gone(pid: int) -> bool:
    """Not running and reaped: ``kill(pid, 0)`` still succeeds on a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _stopped(pid: int) -> bool:
    """Gone, or a zombie left for init (a grandchild whose parent died before it)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _fake_prism(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> None:
    """A shell stand-in for Prism, with a stand-in ``node`` on PATH so the test needs no Node."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script(bin_dir / "node", "exit 0")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PRISM_BIN", str(_script(tmp_path / "prism", body)))


def test_exit_stops_the_whole_group(tmp_path: Path) -> None:
    log = tmp_path / "prism.log"
    with prism_or_skip(log_path=log) as server:
        assert group_members(server.pid) == [server.pid]
        assert httpx.get(f"{server.base_url}/nowhere", timeout=5).status_code == 404
        pid = server.pid

    assert _gone(pid)
    assert group_members(pid) == []
    assert "Prism is listening on" in log.read_text()


def test_own_log_is_removed_on_exit() -> None:
    with prism_or_skip() as server:
        log = server.log_path
        assert "Prism is listening on" in server.log_text()

    assert not log.exists()


def test_lost_port_race_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    ports = iter([taken])
    free = prism._free_port
    monkeypatch.setattr(prism, "_free_port", lambda: next(ports, None) or free())
    try:
        with prism_or_skip() as server:
            assert not server.base_url.endswith(f":{taken}")
            assert "EADDRINUSE" in server.log_text()
            assert server.log_text().count("Prism is listening on") == 1
    finally:
        holder.close()


def test_taken_explicit_port_fails_with_the_log() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(PrismStartupError, match="EADDRINUSE") as failure, prism_or_skip(port=taken):
            pass
    assert "exited with status 1" in str(failure.value)


def test_missing_binary_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRISM_BIN", str(tmp_path / "no-such-prism"))

    with pytest.raises(PrismUnavailable, match=r"npm ci --prefix mocks") as failure, running_prism():
        pass
    assert str(tmp_path / "no-such-prism") in str(failure.value)


def test_missing_node_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRISM_BIN", str(_script(tmp_path / "prism", "exit 0")))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with (
        pytest.raises(PrismUnavailable, match=r"`node` is not on PATH.*npm ci --prefix mocks"),
        running_prism(),
    ):
        pass


def test_prism_that_never_answers_fails_in_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A stand-in that forks a child and sleeps: both must be gone after the timeout."""
    pids = tmp_path / "pids"
    _fake_prism(monkeypatch, tmp_path, f"sleep 60 &\necho $$ $! > {pids}\necho starting\nwait")

    started = time.monotonic()
    with (
        pytest.raises(PrismStartupError, match=r"did not answer .* within 1s") as failure,
        running_prism(startup_timeout=1.0),
    ):
        pass
    elapsed = time.monotonic() - started

    assert elapsed < 1.0 + prism.STOP_GRACE
    assert "starting" in str(failure.value)
    leader, child = map(int, pids.read_text().split())
    assert _gone(leader)
    assert _stopped(child)
    assert group_members(leader) == []


def test_prism_that_ignores_sigterm_is_killed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    _fake_prism(monkeypatch, tmp_path, f"trap '' TERM\necho $$ > {pids}\nwhile :; do sleep 0.1; done")
    monkeypatch.setattr(prism, "STOP_GRACE", 0.5)

    with pytest.raises(PrismStartupError), running_prism(startup_timeout=0.5):
        pass

    leader = int(pids.read_text())
    assert _gone(leader)
    assert group_members(leader) == []


def test_prism_that_exits_shows_its_log_redacted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_prism(
        monkeypatch,
        tmp_path,
        "echo 'fatal: bad body client_secret=s3cr3t-value&scope=x'\n"
        'echo \'{"refresh_token":"r3fr3sh-value"}\'\n'
        "echo 'Authorization: Basic dXNlcjpwYXNz'\n"
        "exit 3",
    )

    with pytest.raises(PrismStartupError, match="exited with status 3") as failure, running_prism():
        pass
    message = str(failure.value)
    assert "fatal: bad body" in message
    for secret in ("s3cr3t-value", "r3fr3sh-value", "dXNlcjpwYXNz"):
        assert secret not in message
    assert message.count("[REDACTED]") == 3


def test_missing_spec_is_named(tmp_path: Path) -> None:
    try:
        prism._require_prism()
    except PrismUnavailable:
        pytest.skip(NOT_INSTALLED)

    with pytest.raises(FileNotFoundError, match=r"no-such\.yaml"), running_prism(tmp_path / "no-such.yaml"):
        pass


def test_proxy_and_dynamic_do_not_mix() -> None:
    with (
        pytest.raises(ValueError, match="mock mode only"),
        running_prism(proxy="http://127.0.0.1:9", dynamic=True),
    ):
        pass


def test_an_installed_package_finds_prism_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Outside a checkout there is no mocks/node_modules: a ``prism`` on PATH is the one used."""
    monkeypatch.delenv("PRISM_BIN", raising=False)
    monkeypatch.setattr(prism, "DEFAULT_PRISM_BIN", tmp_path / "no-node-modules" / "prism")
    (tmp_path / "bin").mkdir()
    on_path = _script(tmp_path / "bin" / "prism", "exit 0")
    monkeypatch.setenv("PATH", f"{on_path.parent}{os.pathsep}{os.environ['PATH']}")
    assert prism.prism_bin() == on_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert prism.prism_bin() == tmp_path / "no-node-modules" / "prism"
