"""Real OAuth2 server libraries from PyPI, configured with the contract's example client, to point the
contract suite at: Authlib on Flask (``authlib``) and django-oauth-toolkit (``dot``).

They exist to tell the suite's false alarms from real servers' true divergences; FINDINGS.md holds the
evidence, and ``<name>.expected.yaml`` the checks known to fail on each, with the reason.

``running_real_server(name)`` starts one in a process group of its own
(``oauth2_token_contract.mock.processes``), yields its base URL once it announces it, and stops the whole
group on the way out.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from oauth2_token_contract.mock.processes import read_announcement, running_group

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "EXPECTED_DIR",
    "SCOPE",
    "SERVERS",
    "running_real_server",
    "server_command",
    "suite_settings",
]

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_DIR = Path(__file__).resolve().parent
SERVERS = {"authlib": "tests.realservers.authlib_server", "dot": "tests.realservers.dot_server"}
CLIENT_ID = "5clTR_MdVrrkgxw2"
CLIENT_SECRET = "dNC-hg7sVm22jc3g_Eogtyu0_1Mqh_4-"
SCOPE = "/accounts.read /accounts.write"
STARTUP_TIMEOUT = 60.0  # DOT applies Django's migrations before it listens


def server_command(name: str, *options: str) -> list[str]:
    """``python -m tests.realservers.<name>_server --port 0`` and any server options."""
    if name not in SERVERS:
        raise ValueError(f"unknown real server {name!r}: one of {sorted(SERVERS)}")
    return [sys.executable, "-m", SERVERS[name], "--port", "0", *options]


def suite_settings() -> dict[str, str]:
    """The TOKEN_API_* settings the contract suite needs against any of these servers."""
    return {
        "TOKEN_API_CLIENT_ID": CLIENT_ID,
        "TOKEN_API_CLIENT_SECRET": CLIENT_SECRET,
        "TOKEN_API_SCOPE": SCOPE,
        "TOKEN_API_ALLOW_BURST": "1",
    }


@contextmanager
def running_real_server(
    name: str,
    options: Sequence[str] = (),
    *,
    stderr: int | IO[Any] | None = subprocess.DEVNULL,
    timeout: float = STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Serve the real server ``name`` (``authlib`` or ``dot``) on a free loopback port; yield its URL.

    Every process it starts is stopped on the way out, whatever happens in the block.
    """
    command = server_command(name, *options)
    with running_group(command, stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT) as process:
        yield read_announcement(process, timeout)
