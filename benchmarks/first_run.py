"""Where a first ``./run contract`` from a fresh clone spends its time, step by step.

    .venv/bin/python -m benchmarks.first_run            # clones HEAD into a temporary folder

Each step of ``./run contract``'s install is timed on its own (the uv cache as it is on this machine),
then pytest's start-up and collection with and without assertion rewriting, then whole runs: the
``quick`` profile (the mock's default) in one process and on two workers, and the ``ci`` profile (90
examples per property) in one process and as it ran before (two workers, rewriting). Wall and user
CPU seconds: on a shared machine the user time is the steadier figure. Then ``time ./run contract``
from another fresh clone, which is what a user waits for.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.processes import ROOT
from oauth2_token_contract.suite.errors import SettingError
from oauth2_token_contract.suite.settings import Settings

PYTEST = [
    ".venv/bin/python",
    "-m",
    "pytest",
    "oauth2_token_contract/suite/families",
    "-q",
    "-p",
    "no:cacheprovider",
]
STEPS = [
    ("venv (python -m venv, with pip)", [sys.executable, "-m", "venv", ".venv"]),
    (
        "pip installs the locked uv",
        [".venv/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "-r", "requirements/bootstrap.txt"],
    ),
    (
        "uv installs requirements/contract.txt",
        [".venv/bin/uv", "pip", "install", "--quiet", "--python", ".venv/bin/python", "--require-hashes",
         "-r", "requirements/contract.txt"],
    ),
    (
        "editable install of the package",
        [".venv/bin/uv", "pip", "install", "--quiet", "--python", ".venv/bin/python", "--no-deps", "-e", "."],
    ),
    ("start-up + collection, assertion rewriting", [*PYTEST, "--collect-only", "-p", "no:xdist"]),
    ("start-up + collection, --assert=plain",
     [*PYTEST, "--collect-only", "-p", "no:xdist", "--assert=plain"]),
    ("quick, one process, plain (./run contract now)", [*PYTEST, "-p", "no:xdist", "--assert=plain"]),
    ("quick, -n 2, plain", [*PYTEST, "-n", "2", "--assert=plain"]),
    ("ci (90), one process, plain", [*PYTEST, "-p", "no:xdist", "--assert=plain", "--hypothesis-profile=ci"]),
    ("ci (90), -n 2, rewriting (./run contract before)", [*PYTEST, "-n", "2", "--hypothesis-profile=ci"]),
]  # fmt: skip


def _timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall and children's user CPU seconds of ``command``, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_"))}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=900, check=False)
    wall = time.perf_counter() - started
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before, done.returncode


def _clone(into: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(into)], check=True)
    return into


def main() -> int:
    try:  # a bad TOKEN_API_* value is said here, in one line, not in a child's output
        Settings.from_env()
    except SettingError as exc:
        print(f"benchmarks: {exc}", file=sys.stderr)
        return 4
    bytecode = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"load average before: {os.getloadavg()[0]:.2f}; PYTHONDONTWRITEBYTECODE={bytecode}")
    print(f"{'step':<52}{'wall s':>8}{'user s':>8}  exit")
    with tempfile.TemporaryDirectory(prefix="first-run-") as folder:
        clone = _clone(Path(folder) / "steps")
        for name, command in STEPS:
            wall, user, code = _timed(command, clone)
            print(f"{name:<52}{wall:>8.1f}{user:>8.1f}  {code}")
            if name.startswith("editable"):
                (clone / ".venv" / ".installed-contract").touch()
        whole = _clone(Path(folder) / "whole")
        wall, user, code = _timed(["./run", "contract", "-q"], whole)
        print(f"{'./run contract from a fresh clone, installs included':<52}{wall:>8.1f}{user:>8.1f}  {code}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
