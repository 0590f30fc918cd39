"""The one way the project's own tools run the contract suite in a child process: as a user would.

``run_suite(url, ...)`` runs ``pytest`` on the contract families against a server by URL with the
environment a staging job has (the caller's TOKEN_API_* settings dropped, the given ones set), in its own
process group, bounded by a deadline, and hands back its exit code, output and JUnit file. The self-check, the
suite's own tests, the hardening tests and the benchmarks all go through it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oauth2_token_contract.mock.processes import running_group

__all__ = ["FAMILIES", "ROOT", "SuiteRun", "run_suite", "suite_command", "suite_env"]

ROOT = Path(__file__).resolve().parents[1]
# The contract families, run by path from the checkout as ./run contract runs them.
FAMILIES = "oauth2_token_contract/suite/families"
DEADLINE = 600.0


def suite_env(url: str, **settings: str) -> dict[str, str]:
    """The caller's environment less its own TOKEN_API_* and PYTEST_* settings, pointed at ``url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_"))}
    return {**env, "TOKEN_API_TARGET": url, **settings}


def suite_command(junit: Path, *args: str) -> list[str]:
    """``pytest`` on the contract families as a user runs it against a URL, its JUnit file at ``junit``."""
    return [sys.executable, "-m", "pytest", FAMILIES, "-p", "no:cacheprovider", "-p", "no:xdist",
            "-q", "-rs", f"--junitxml={junit}", *args]  # fmt: skip


@dataclass(frozen=True)
class SuiteRun:
    """A finished run: ``returncode`` is None when it overran its deadline."""

    returncode: int | None
    output: str
    junit: Path = field(repr=False)

    def cases(self) -> list[ET.Element]:
        if not self.junit.exists():
            return []
        return list(ET.parse(self.junit).getroot().iter("testcase"))

    def failing_checks(self) -> list[str]:
        """Every check each failing test names, in file order: its own first, then the findings that
        came alongside (``finding`` properties, ``check: cause``). A failure that names none reads as
        its ``contract check failed:`` line, else its first line."""
        found: list[str] = []
        for case in self.cases():
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is None:
                continue
            properties = [(p.get("name"), p.get("value", "")) for p in case.iter("property")]
            named = [value for name, value in properties if name == "check"]
            named += [value.split(":", 1)[0] for name, value in properties if name == "finding"]
            text = f"{problem.get('message', '')}\n{problem.text or ''}"
            if not named:
                if "contract check failed: " in text:
                    named = [text.split("contract check failed: ", 1)[1].split("\n", 1)[0].strip()]
                else:
                    named = ["unnamed: " + (text.strip().split("\n", 1)[0][:60] or problem.tag)]
            found += list(dict.fromkeys(named))
        return found


def run_suite(
    url: str,
    junit: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    deadline: float = DEADLINE,
) -> SuiteRun:
    """``pytest`` on the contract families against ``url`` in a child process group, with ``env`` set."""
    command = suite_command(junit, *args)
    child_env = suite_env(url, **(env or {}))
    with running_group(command, cwd=ROOT, env=child_env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT) as process:  # fmt: skip
        try:
            output, _ = process.communicate(timeout=deadline)
        except subprocess.TimeoutExpired:
            return SuiteRun(None, f"(overran its deadline of {deadline:g} s)", junit)
    return SuiteRun(process.returncode, output.decode("utf-8", "replace"), junit)
