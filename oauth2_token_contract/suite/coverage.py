"""Which checks judged something in this run.

A check counts as exercised only when it looked at an answer it applies to (``no_store_on_tokens`` at
a 200, ``retry_in_is_digits`` at a 429), whether it passed or failed. The plugin compares this with
the checks the run's tests declare, so a check that applied but judged nothing (the budget or a
deadline ran out first) keeps the run from passing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from oauth2_token_contract.spec.names import Check

__all__ = ["Coverage"]


class Coverage:
    """The checks exercised in one run (its check context holds it); thread-safe, merged across workers."""

    def __init__(self) -> None:
        self.exercised: set[Check] = set()
        self._lock = threading.Lock()

    def judged(self, check: Check) -> None:
        with self._lock:
            self.exercised.add(check)

    def merge(self, names: Iterable[str]) -> None:
        with self._lock:
            self.exercised |= {Check(name) for name in names}

    def report(self) -> list[str]:
        """Plain strings: what an xdist worker sends its controller."""
        return sorted(str(check) for check in self.exercised)
