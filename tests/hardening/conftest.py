"""Fixtures for the hardening tests: configs written per test (servers and suite runs: tests.support)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.mock.settings import DEFAULT_CONFIG


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
