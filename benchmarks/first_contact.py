"""How long a user's first mistake takes to be named: each preflight stop and bad setting, timed.

    .venv/bin/python -m benchmarks.first_contact

Each case runs the contract families by URL in a child process, start-up and collection included, as a
staging job would, and prints its wall seconds, its exit code and the one line it said. The issue's
goal is 5 s per case on a quiet 2-core machine; tests assert the line and the exit, never the time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.processes import ROOT
from oauth2_token_contract.mock.embedded import default_client
from oauth2_token_contract.mock.server import running_mock

FAMILIES = "oauth2_token_contract/suite/families"
DEADLINE = 120
SEED = default_client()
CLIENT = {
    "TOKEN_API_CLIENT_ID": SEED.client_id,
    "TOKEN_API_CLIENT_SECRET": SEED.client_secret,
    "TOKEN_API_SCOPE": " ".join(sorted(SEED.scopes)),
}


def _run(url: str, **settings: str) -> tuple[float, int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_"))}
    env.update(TOKEN_API_TARGET=url, **{**CLIENT, **settings})
    command = [sys.executable, "-m", "pytest", FAMILIES, "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=DEADLINE, check=False
    )
    said = next(
        (line for line in done.stdout.splitlines() if line.startswith(("preflight:", "TOKEN_API_"))), ""
    )
    return time.monotonic() - started, done.returncode, said


def main() -> int:
    with running_mock() as url:
        cases = {
            "wrong secret": (
                url,
                {"TOKEN_API_CLIENT_ID": "5clTR_MdVrrkgxw2", "TOKEN_API_CLIENT_SECRET": "wrong"},
            ),
            "unknown scope": (url, {"TOKEN_API_SCOPE": "/admin.all"}),
            "dead port": ("http://127.0.0.1:9", {}),
            "name that does not resolve": ("https://no-such-host.invalid", {}),
            "timeout 0": (url, {"TOKEN_API_TIMEOUT": "0"}),
            "budget abc": (url, {"TOKEN_API_MAX_REQUESTS": "abc"}),
        }
        print(f"{'case':<28} {'seconds':>8} {'exit':>5}  line")
        for name, (target, settings) in cases.items():
            seconds, code, said = _run(target, **settings)
            print(f"{name:<28} {seconds:8.1f} {code:5d}  {said[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
