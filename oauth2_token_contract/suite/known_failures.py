"""Known failures, kept honest: ``TOKEN_API_EXPECTED_FAILURES=file.yaml`` lists the checks a target is
known to fail, each with the reason.

A failing test whose every finding an entry covers is reported as an expected failure, not a failure;
an entry that covered nothing in a run is stale and fails the run, so the list stays true (as the
OpenID conformance suite's expected-failures files do). The file::

    expected_failures:
      - check: token_response_conforms
        cause: token_type          # optional: a piece of the failure's cause or message
        reason: answers token_type "Bearer" until TICKET-123 is done

An entry without ``cause`` covers every failure of its check.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from oauth2_token_contract.spec.names import Check

__all__ = ["ENV", "Expected", "ExpectedFailures", "load_expected"]

ENV = "TOKEN_API_EXPECTED_FAILURES"


@dataclass(frozen=True)
class Expected:
    check: Check
    reason: str
    cause: str | None = None

    def covers(self, check: str, cause: str, message: str) -> bool:
        return check == self.check and (self.cause is None or self.cause in cause or self.cause in message)

    def describe(self) -> str:
        where = f" ({self.cause!r})" if self.cause else ""
        return f"{self.check}{where}: {self.reason}"


class ExpectedFailures:
    """The entries of one file, and which of them this run used."""

    def __init__(self, entries: Iterable[Expected], source: str = "") -> None:
        self.entries = list(entries)
        self.source = source
        self.used: set[Expected] = set()

    def cover(self, findings: Iterable[tuple[str, str, str]]) -> list[Expected] | None:
        """The entries covering every (check, cause, message) finding, or None if one is not covered."""
        found: list[Expected] = []
        for check, cause, message in findings:
            entry = next((e for e in self.entries if e.covers(check, cause, message)), None)
            if entry is None:
                return None
            found.append(entry)
        self.used.update(found)
        return found

    def mark_used(self, descriptions: Iterable[str]) -> None:
        """Entries an xdist worker used, by their :meth:`Expected.describe` text."""
        wanted = set(descriptions)
        self.used.update(e for e in self.entries if e.describe() in wanted)

    def stale(self) -> list[Expected]:
        return [e for e in self.entries if e not in self.used]


def _entry(raw: object, n: int, source: str) -> Expected:
    if not isinstance(raw, Mapping) or not raw.get("check") or not raw.get("reason"):
        raise ValueError(f"{source}: expected_failures[{n}] needs a check and a reason")
    try:
        check = Check(str(raw["check"]))
    except ValueError:
        raise ValueError(f"{source}: expected_failures[{n}]: no check is named {raw['check']!r}") from None
    cause = raw.get("cause")
    return Expected(check, str(raw["reason"]), None if cause is None else str(cause))


def load_expected(env: Mapping[str, str] = os.environ) -> ExpectedFailures | None:
    """The file ``TOKEN_API_EXPECTED_FAILURES`` names, or None when it names none."""
    name = env.get(ENV)
    if not name:
        return None
    path = Path(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{ENV}={name}: {exc}") from None
    raw = data.get("expected_failures") if isinstance(data, Mapping) else None
    if not isinstance(raw, list):
        raise ValueError(f"{ENV}={name}: expected a list under expected_failures")
    return ExpectedFailures((_entry(item, n, name) for n, item in enumerate(raw)), name)
