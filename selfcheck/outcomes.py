"""What the self-check runs and how it judges a run: a variant of the mock (a seeded fault or a correct
configuration), the columns each is run in (the settings a user would give the suite), and a column's
verdict. Kept apart from the running so the report can judge outcomes without starting anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from selfcheck.faults import CORRECT, FAULTS

__all__ = ["BURST_CHECKS", "COLUMNS", "Column", "Outcome", "Run", "Variant", "variants"]


@dataclass(frozen=True)
class Column:
    """How a user runs the suite against a URL: nothing told about the target but its credentials."""

    name: str
    env: tuple[tuple[str, str], ...]
    bursts: bool


# The defaults a staging job gets (budget unset, so 400; bursts allowed), and a tight budget without
# bursts: every fault outside the 429 path must still be caught there. The tight budget sits a little
# above the smallest whose reduced plan runs every family (the run refuses a smaller one, saying so).
COLUMNS = (
    Column("default budget, bursts", (("TOKEN_API_ALLOW_BURST", "1"),), bursts=True),
    Column("170 requests, no bursts", (("TOKEN_API_MAX_REQUESTS", "170"),), bursts=False),
)


@dataclass(frozen=True)
class Variant:
    """A server to check: a fault (``expected`` names its check) or a correct configuration."""

    name: str
    description: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    expected: tuple[str, ...] = ()  # a fault: the checks that may catch it, the first its own
    burst_only: bool = False
    env: tuple[tuple[str, str], ...] = ()  # what else the target's owner tells the suite

    @property
    def is_fault(self) -> bool:
        return bool(self.expected)

    @property
    def on_429_path(self) -> bool:
        """A fault only a burst can show (it cannot be caught without one)."""
        return self.burst_only or (self.is_fault and set(self.expected) <= BURST_CHECKS)

    @property
    def serve_args(self) -> tuple[str, ...]:
        return ("--app", "selfcheck.faults:app", "--app-arg", self.name)


BURST_CHECKS = {
    str(c)
    for c in (
        Check.BURST_MEETS_429,
        Check.RETRY_IN_IS_DIGITS,
        Check.RETRY_IN_IS_ENOUGH,
        Check.RETRY_IN_NOT_EXCESSIVE,
    )
}


@dataclass
class Run:
    """One column's run of the suite against a variant."""

    returncode: int | None  # None when it overran its deadline
    checks: list[str]  # every failing test's check, in JUnit order
    seconds: float
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.returncode == 1 and bool(self.checks)

    @property
    def passed(self) -> bool:
        return self.returncode == 0


@dataclass
class Outcome:
    variant: Variant
    runs: dict[str, Run] = field(default_factory=dict)  # column name -> run
    st_findings: set[str] | None = None  # plain st's failure kinds; None without --baseline
    st_seconds: float = 0.0

    def judged(self, column: Column) -> bool | None:
        """A fault caught (or a correct configuration passed) in that column; None when not expected
        of it (a 429-path fault without bursts)."""
        run = self.runs.get(column.name)
        if run is None or (self.variant.on_429_path and not column.bursts):
            return None
        if not self.variant.is_fault:
            return run.passed
        return run.failed and any(check in run.checks for check in self.variant.expected)

    @property
    def ok(self) -> bool:
        """Every column that applies says what it should."""
        return all(self.judged(column) is not False for column in COLUMNS)

    @property
    def checks(self) -> list[str]:
        first = self.runs.get(COLUMNS[0].name)
        return first.checks if first else []


def variants(names: Sequence[str] | None = None) -> list[Variant]:
    """Every fault, then every correct configuration; or the ``names`` asked for, in that order."""
    clients = load_settings().clients
    example = contract.load().example_client()
    default = example[0] if example else next(iter(clients))

    def build(name: str) -> Variant:
        known = FAULTS.get(name) or CORRECT.get(name)
        if known is None:
            raise KeyError(name)
        client = clients[known.suite_client or default]
        scopes = tuple(sorted(client.scopes))
        fault = FAULTS.get(name)
        if fault is None:
            return Variant(name, known.description, client.client_id, client.client_secret, scopes)
        expected = tuple(str(check) for check in fault.checks)
        return Variant(
            name,
            known.description,
            client.client_id,
            client.client_secret,
            scopes,
            expected,
            fault.burst_only,
            fault.env,
        )

    chosen = list(names) if names else [*FAULTS, *CORRECT]
    unknown = [n for n in chosen if n not in FAULTS and n not in CORRECT]
    if unknown:
        raise SystemExit(f"selfcheck: unknown variant(s): {', '.join(unknown)}")
    return [build(name) for name in chosen]
