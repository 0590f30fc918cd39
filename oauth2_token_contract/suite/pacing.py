"""Live-target manners: a request budget for the whole run, every 429 waited out, every answer timed.

Every request the suite sends, its own or Schemathesis's (both go through ``TokenClient``), passes
:meth:`Pacer.spend` first and :meth:`Pacer.retry_delay` after, so a run never exceeds
``TOKEN_API_MAX_REQUESTS`` and never hammers a target that asked it to wait. Per-family counters
feed the end-of-run summary, and :class:`Latencies` the ``answers_promptly`` check. Under pytest-xdist
each worker has a pacer of its own, allowed its share of the budget; the controller merges their reports.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.errors import BudgetExhausted
from oauth2_token_contract.suite.exchange import Exchange, as_curl

__all__ = ["FamilyStats", "Latencies", "Pacer", "SlowAnswer", "retry_grace"]


@dataclass
class FamilyStats:
    cases: int = 0
    requests: int = 0
    honoured_429: int = 0
    unhinted_429: int = 0  # 429s that named no wait: backed off, doubling, up to TOKEN_API_MAX_WAIT
    waited: float = 0.0
    failures: int = 0
    skipped: int = 0

    def add(self, other: FamilyStats) -> None:
        """Add another process's counts for the same family (xdist workers each keep their own)."""
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))


def retry_grace(seconds: float) -> float:
    """Slack on top of an announced wait: network jitter and timer granularity, 50 ms or 5 %."""
    return max(0.05, seconds * 0.05)


@dataclass(frozen=True)
class SlowAnswer:
    seconds: float
    status: int
    curl: str
    test: str


class Latencies:
    """How long answers took; the slow ones kept with their curl line (few: only past ``floor``).

    An answer is slow when it took longer than ``floor`` seconds and ``factor`` times the run's
    median: a target that answers some requests (large bodies, say) far later than the others.
    One slow answer can be a hiccup of the machine; ``repeated`` of them is the target.
    """

    floor = 1.0
    factor = 10.0
    repeated = 2
    kept = 20

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.slow: list[SlowAnswer] = []
        self._lock = threading.Lock()

    def observe(self, exchange: Exchange, test: str) -> None:
        with self._lock:
            self.seconds.append(exchange.elapsed)
            if exchange.elapsed > self.floor:
                self.slow.append(
                    SlowAnswer(exchange.elapsed, exchange.status, as_curl(exchange.request), test)
                )
                self.slow = sorted(self.slow, key=lambda s: -s.seconds)[: self.kept]

    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    def too_slow(self) -> list[SlowAnswer]:
        """The answers far later than the others, slowest first; empty when fewer than ``repeated``."""
        limit = max(self.floor, self.factor * self.median())
        slow = [s for s in self.slow if s.seconds > limit]
        return slow if len(slow) >= self.repeated else []

    def report(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "slow": [asdict(s) for s in self.slow]}

    def merge(self, report: Mapping[str, Any]) -> None:
        self.seconds += report["seconds"]
        self.slow = sorted([*self.slow, *(SlowAnswer(**s) for s in report["slow"])], key=lambda s: -s.seconds)


class Pacer:
    """Shared by every client of one run; thread-safe."""

    def __init__(self, *, budget: int | None, max_wait: float = 30.0, retries: int = 3) -> None:
        self.budget = budget  # what this process may send
        self.run_budget = budget  # what the whole run may send, as the summary reports it
        self.max_wait = max_wait
        self.retries = retries
        self.sent = 0
        self.family = "setup"
        self.stats: defaultdict[str, FamilyStats] = defaultdict(FamilyStats)
        self.sleep: Callable[[float], None] = time.sleep
        # Long runs say how far they have got: ``on_progress`` every ``progress_every`` requests.
        self.progress_every = 0
        self.on_progress: Callable[[Pacer], None] | None = None
        self.current_test = ""
        self.latencies = Latencies()
        self._lock = threading.Lock()

    @property
    def spent(self) -> bool:
        """True once this process has sent its whole budget."""
        return self.budget is not None and self.sent >= self.budget

    @property
    def remaining(self) -> int | None:
        """Requests this process may still send; None without a budget."""
        return None if self.budget is None else max(0, self.budget - self.sent)

    def observe(self, exchange: Exchange) -> None:
        """Time one answer (for ``answers_promptly``)."""
        self.latencies.observe(exchange, self.current_test)

    def spend(self) -> None:
        """Count one request; refuse it when the budget is spent."""
        with self._lock:
            if self.budget is not None and self.sent >= self.budget:
                raise BudgetExhausted(f"request budget spent: {self.sent} of {self.budget_name()}")
            self.sent += 1
            self.stats[self.family].requests += 1
            due = self.progress_every and self.sent % self.progress_every == 0
        if due and self.on_progress is not None:
            self.on_progress(self)

    def budget_name(self) -> str:
        if self.budget == self.run_budget:
            return f"TOKEN_API_MAX_REQUESTS={self.budget}"
        return f"{self.budget}, this worker's share of TOKEN_API_MAX_REQUESTS={self.run_budget}"

    def share_budget(self, total: int, workers: int) -> None:
        """Allow this process its share of the run's budget, so that workers side by side, each with
        a pacer of its own, never send more than ``total`` between them."""
        self.run_budget = total
        self.budget = total // workers

    def report(self) -> dict[str, Any]:
        """This process's counts as plain data: what an xdist worker sends its controller."""
        return {
            "sent": self.sent,
            "run_budget": self.run_budget,
            "stats": {name: asdict(stats) for name, stats in self.stats.items()},
            "latencies": self.latencies.report(),
        }

    def merge(self, report: Mapping[str, Any]) -> None:
        """Add a worker's :meth:`report` to this pacer, so the controller's summary covers the run."""
        self.sent += report["sent"]
        self.run_budget = report["run_budget"]
        for name, counts in report["stats"].items():
            self.stats[name].add(FamilyStats(**counts))
        self.latencies.merge(report["latencies"])

    def announced_wait(self, status: int, header: Callable[[str], str | None]) -> float | None:
        """The wait a 429 announced in the spec's retry header, in seconds; None for anything else or none."""
        if status != 429:
            return None
        retry = contract.load().retry  # its name and unit, from the spec in force
        wait_ms = retry.wait_ms(header(retry.name) or "")
        return None if wait_ms is None else wait_ms / 1000

    def retry_delay(
        self, status: int, header: Callable[[str], str | None], *, attempt: int = 0, waited: float = 0.0
    ) -> float | None:
        """Seconds to wait before retrying a 429 (the ``attempt``-th retry of one request, after
        ``waited`` seconds of waiting for it); None for anything else, or when it is time to give up.

        An announced wait: that wait and a little grace for clocks and the network, at most
        ``max_wait``, for at most ``retries`` retries. No announced wait (a spec that documents no
        retry header, RFC 6585 makes it optional, or a malformed one, which the checks report): the
        target is pacing the client, not answering the test, so back off, 1 s then doubling, until
        ``max_wait`` seconds were waited for this request. Only the rate-limit family judges 429s.
        """
        if status != 429:
            return None
        announced = self.announced_wait(status, header)
        if announced is not None:
            return None if attempt >= self.retries else min(announced + retry_grace(announced), self.max_wait)
        left = self.max_wait - waited
        return None if left <= 0 else min(float(2**attempt), left)

    def honour(self, delay: float, *, hinted: bool = True) -> None:
        """Wait out one 429 (``hinted``: it named its wait)."""
        with self._lock:
            stats = self.stats[self.family]
            stats.honoured_429 += 1
            stats.unhinted_429 += not hinted
            stats.waited += delay
        self.sleep(delay)

    def waited(self) -> tuple[int, int, float]:
        """429s waited out in the whole run, those of them that named no wait, and the seconds waited."""
        stats = list(self.stats.values())
        return (
            sum(s.honoured_429 for s in stats),
            sum(s.unhinted_429 for s in stats),
            sum(s.waited for s in stats),
        )
