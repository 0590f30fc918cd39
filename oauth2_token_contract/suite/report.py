"""What a run found, read back from its test reports: coverage per family and failures grouped by cause.

Each contract test's report carries properties (they land in JUnit too): its family, the checks it
declares, and, when it failed, each finding as ``check: cause`` with the curl line of the request.
The summary and the run's verdict on coverage are computed from these alone, so they come out the
same in one process and under xdist, where the reports travel from the workers to the controller.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["CHECKS", "CURL", "FAMILY", "FINDING", "SKIP", "Cause", "RunReport", "TestRecord"]

# Property names on a test's report.
FAMILY = "family"
CHECKS = "checks"
FINDING = "finding"  # "check: cause", one per finding, the test's own first
CURL = "curl"
SKIP = "skip"  # "budget", "paced" or "not applicable"
EXPECTED = "expected_failure"
BUDGET, PACED, NOT_APPLICABLE = "budget", "paced", "not applicable"


@dataclass
class TestRecord:
    nodeid: str
    family: str
    declared: set[str] = field(default_factory=set)
    outcome: str = "passed"  # passed, failed, skipped, xfailed
    skip: str | None = None
    reason: str = ""
    findings: list[str] = field(default_factory=list)
    curl: str = ""

    @property
    def applicable(self) -> bool:
        """Whether the test's checks applied to the target (run, failed, or stopped by the budget or
        by a target that kept pacing the run)."""
        return not (self.outcome == "skipped" and self.skip not in (BUDGET, PACED))


@dataclass(frozen=True)
class Cause:
    finding: str  # "check: cause"
    tests: int
    curl: str


class RunReport:
    """The contract tests of one run, as their reports describe them."""

    def __init__(self) -> None:
        self.records: dict[str, TestRecord] = {}

    def add(
        self, nodeid: str, properties: Iterable[tuple[str, object]], outcome: str, reason: str = ""
    ) -> None:
        """A test's final state: its properties (from the teardown report) and its outcome."""
        props = list(properties)
        family = next((str(v) for k, v in props if k == FAMILY), None)
        if family is None:
            return
        record = TestRecord(nodeid, family, outcome=outcome, reason=reason)
        for name, value in props:
            if name == CHECKS:
                record.declared |= set(str(value).split())
            elif name == FINDING:
                record.findings.append(str(value))
            elif name == CURL and not record.curl:
                record.curl = str(value)
            elif name == SKIP:
                record.skip = str(value)
        self.records[nodeid] = record

    def coverage(self, exercised: set[str]) -> dict[str, tuple[int, int]]:
        """Per family: (checks exercised, checks applicable)."""
        applicable: defaultdict[str, set[str]] = defaultdict(set)
        for record in self.records.values():
            if record.applicable:
                applicable[record.family] |= record.declared
            else:
                applicable[record.family] |= set()
        return {family: (len(checks & exercised), len(checks)) for family, checks in applicable.items()}

    def unexercised(self, exercised: set[str]) -> dict[str, list[str]]:
        """Applicable checks that judged nothing, each with the tests that declared them."""
        missing: defaultdict[str, list[str]] = defaultdict(list)
        for record in self.records.values():
            if record.applicable:
                for check in record.declared - exercised:
                    missing[check].append(record.nodeid)
        return dict(sorted(missing.items()))

    def why_unjudged(self, check: str) -> str:
        """Why an applicable check judged nothing, from what became of the tests that declare it: the
        refusal that stopped them where they all failed first, else the budget, the pacing or a deadline."""
        records = [r for r in self.records.values() if r.applicable and check in r.declared]
        failed = [r for r in records if r.outcome == "failed"]
        if records and len(failed) == len(records):
            first = next((f for r in failed for f in r.findings), "")
            return f"every test that judges it failed first ({first})" if first else "every test failed first"
        if any(r.skip == BUDGET for r in records):
            return "the request budget ran out first"
        if any(r.skip == PACED for r in records):
            return "the target kept answering 429 with no wait hint (TOKEN_API_MAX_WAIT)"
        return "a deadline ran out first, or the target gave none of the answers it judges"

    def causes(self) -> list[Cause]:
        """Distinct causes of failure, most tests first, each with one curl line that shows it."""
        counts: Counter[str] = Counter()
        curls: dict[str, str] = {}
        for record in self.records.values():
            if record.outcome != "failed":
                continue
            for finding in dict.fromkeys(record.findings):
                counts[finding] += 1
                curls.setdefault(finding, record.curl)
        return [Cause(finding, n, curls[finding]) for finding, n in counts.most_common()]

    def not_applicable(self) -> list[tuple[str, int]]:
        """Why tests did not apply to the target, each reason with how many tests it skipped."""
        reasons = Counter(
            r.reason for r in self.records.values() if r.outcome == "skipped" and not r.applicable
        )
        return reasons.most_common()

    def count(self, family: str, outcome: str) -> int:
        return sum(1 for r in self.records.values() if r.family == family and r.outcome == outcome)

    def families(self) -> Sequence[str]:
        return sorted({r.family for r in self.records.values()})
