"""What the plugin's hooks share through pytest's config: the stash keys, and the run's record.

The hooks live in several modules; what one hands to another travels on the config under these keys,
so it lasts as long as the pytest run that made it.
"""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.exit_codes import Exit
from oauth2_token_contract.suite.known_failures import ExpectedFailures
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.planning import Plan
from oauth2_token_contract.suite.report import RunReport
from oauth2_token_contract.suite.settings import Settings
from oauth2_token_contract.suite.targets import Target

__all__ = [
    "CONTEXT",
    "OPENED",
    "PACER",
    "PLAN",
    "PLAN_TEXT",
    "PROFILE",
    "PROFILE_NAME",
    "RUN",
    "SETTINGS",
    "STOPPED",
    "Run",
]


class Run:
    """The controller's view of the run: test outcomes, expected failures, what was judged.

    Registered as a plugin of the controller (or the one process): it sees every test's reports,
    the workers' too under xdist.
    """

    def __init__(self, expected: ExpectedFailures | None) -> None:
        self.report = RunReport()
        self.outcomes: dict[str, tuple[str, str]] = {}
        self.expected = expected
        self.verdicts: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect every contract test's final state: its outcome, then its teardown's properties."""
        if report.when in ("setup", "call") and (report.when == "call" or report.outcome != "passed"):
            kind: str = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            if kind == "xfailed":
                reason = report.wasxfail  # type: ignore[attr-defined]
            self.outcomes[report.nodeid] = (kind, str(reason).removeprefix("Skipped: "))
        if report.when == "teardown":
            kind, reason = self.outcomes.pop(report.nodeid, ("passed", ""))
            self.report.add(report.nodeid, report.user_properties, kind, reason)


CONTEXT = pytest.StashKey[CheckContext]()  # what the checks judged and hold, for this run
PACER = pytest.StashKey[Pacer]()
PLAN = pytest.StashKey[Plan]()
PLAN_TEXT = pytest.StashKey[str]()  # the plan said in a line; a worker's, on the controller
PROFILE = pytest.StashKey[hypothesis_settings]()
RUN = pytest.StashKey[Run]()
PROFILE_NAME = pytest.StashKey[str]()
SETTINGS = pytest.StashKey[Settings]()  # read and validated once, in pytest_configure
OPENED = pytest.StashKey[Target]()  # the target the preflight opened, kept for the run (one process)
STOPPED = pytest.StashKey[tuple[str, Exit]]()  # why the run stopped before its first test, and the exit
