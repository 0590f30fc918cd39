"""What a check is handed instead of module globals: the run's coverage and the findings held beside a
test's own outcome.

One context per run, owned by whoever runs the checks (the pytest plugin, the replay tool) and carried
by the :class:`~oauth2_token_contract.suite.client.TokenClient`, as Schemathesis passes its
``CheckContext`` to every check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.coverage import Coverage
from oauth2_token_contract.suite.errors import ContractViolation

__all__ = ["Alongside", "CheckContext"]


class Alongside:
    """Findings about an answer's shape, held until the test ends (the plugin reports them then).

    A test's own property comes first, and goes on being judged: a token answer with the wrong
    ``token_type`` does not stop a refresh test before its refresh. The plugin takes what is held
    at the end of each test and reports it beside the test's own outcome.
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], ContractViolation] = {}
        self._lock = threading.Lock()

    def add(self, findings: Iterable[ContractViolation]) -> None:
        with self._lock:
            for finding in findings:
                self._held.setdefault((str(finding.check), finding.cause), finding)

    def take(self) -> list[ContractViolation]:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        return held


@dataclass
class CheckContext:
    """The state every check shares in one run: which checks judged something, what is held."""

    coverage: Coverage = field(default_factory=Coverage)
    alongside: Alongside = field(default_factory=Alongside)

    def judged(self, check: Check) -> None:
        """``check`` looked at something it applies to, whether it passed or failed."""
        self.coverage.judged(check)
