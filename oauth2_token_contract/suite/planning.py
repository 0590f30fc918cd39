"""The run's plan: how many requests each test may spend, decided before the first one is sent.

A live target gives the run a request budget (``TOKEN_API_MAX_REQUESTS``, 400 by default). Spent
first come, first served, the early families ate it and the rest were skipped, green; planned, every
selected test gets its share. Each test declares its cost (``@pytest.mark.cost(fixed=, per_example=)``,
one request per example or per test when it says nothing); Hypothesis tests get as many examples as the
budget allows (up to the profile's), all of them at least one. The burst family runs last with what
is left, at least :data:`BURST_RESERVE`.

When even one example each does not fit, the plan leaves out the ``thorough`` variants (extra
parametrizations that repeat a check another item already exercises): a reduced plan that still
exercises every check. When that does not fit either, the run is refused before its first request,
with the smallest budget that would do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["BURST_RESERVE", "Plan", "PlannedTest", "TooSmall", "make_plan"]

# Requests the burst family needs at least: enough to pass a limiter of 100 a second, the probes after.
BURST_RESERVE = 120
# Requests outside any test: the preflight's grant, checking that each media type works
# (preconditions), a refresh-token probe, and the odd 429 waited out and retried.
OVERHEAD = 8
# The share of the non-burst budget a plan spends on purpose; the rest absorbs retries after a 429.
SPEND = 0.85


@dataclass(frozen=True)
class PlannedTest:
    """One test item as the planner sees it."""

    nodeid: str
    family: str
    fixed: int
    per_example: int
    hypothesis: bool
    thorough: bool = False
    burst: bool = False

    def cost(self, examples: int) -> int:
        return self.fixed + (self.per_example * examples if self.hypothesis else 0)


@dataclass
class Plan:
    """Examples per Hypothesis test, the items left out, and the arithmetic behind them."""

    budget: int | None
    examples: int
    left_out: list[str] = field(default_factory=list)
    burst_share: int = 0
    planned: int = 0
    reduced: bool = False

    def describe(self) -> str:
        if self.budget is None:
            return f"no request budget: the profile's {self.examples} examples per property"
        text = (
            f"budget {self.budget}: {self.planned} requests planned, {self.examples} example(s) per property"
        )
        if self.burst_share:
            text += f", at least {self.burst_share} left for the burst family (run last)"
        if self.reduced:
            text += (
                f"; reduced plan: {len(self.left_out)} thorough variant(s) left out, every check still run"
            )
        return text


class TooSmall(Exception):
    """No plan fits: ``minimum`` is the smallest budget that checks every family."""

    def __init__(self, budget: int, minimum: int) -> None:
        super().__init__(
            f"TOKEN_API_MAX_REQUESTS={budget} cannot check every family of the contract: the smallest "
            f"budget that does is {minimum} (a reduced plan, one example per property). Raise the budget, "
            "or select fewer tests (-k)."
        )
        self.minimum = minimum


def _cost(tests: Sequence[PlannedTest], examples: int) -> int:
    return sum(t.cost(examples) for t in tests)


def minimum(tests: Sequence[PlannedTest], *, bursts: bool) -> int:
    """The smallest budget a reduced plan fits in (one example per property, no thorough variants)."""
    core = [t for t in tests if not t.thorough and not t.burst]
    reserve = BURST_RESERVE if bursts and any(t.burst for t in tests) else 0
    return math.ceil((_cost(core, 1) + OVERHEAD) / SPEND) + reserve


def make_plan(
    tests: Sequence[PlannedTest], budget: int | None, profile_examples: int, *, bursts: bool
) -> Plan:
    """The plan for ``tests`` within ``budget`` (None: no budget, the profile as it is)."""
    if budget is None:
        return Plan(None, profile_examples)
    burst_tests = [t for t in tests if t.burst] if bursts else []
    reserve = BURST_RESERVE if burst_tests else 0
    spendable = int((budget - reserve) * SPEND) - OVERHEAD
    for reduced in (False, True):
        kept = [t for t in tests if not t.burst and not (reduced and t.thorough)]
        hypothesis_cost = sum(t.per_example for t in kept if t.hypothesis)
        fixed = _cost(kept, 0)
        room = spendable - fixed
        examples = min(profile_examples, room // hypothesis_cost) if hypothesis_cost else profile_examples
        if room >= 0 and examples >= 1:
            left_out = [t.nodeid for t in tests if reduced and t.thorough and not t.burst]
            planned = _cost(kept, examples)
            return Plan(budget, examples, left_out, reserve, planned, reduced)
    raise TooSmall(budget, minimum(tests, bursts=bursts))
