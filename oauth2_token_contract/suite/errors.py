"""The suite's exceptions, in one small hierarchy.

ContractError
├── ContractViolation   a target broke the contract (a check failed); carries the exchange
│   └── PreconditionFailed  a step a test needed first failed, so its own check could not be judged
├── SettingError        a TOKEN_API_* value cannot be used (one line per bad variable)
├── TargetError         the target cannot be used as asked
│   ├── UnsafeTarget    refused before any request (plain http off loopback, missing credentials)
│   ├── PreflightFailed the first contact failed: not reached, no token path, credentials or scope refused
│   └── NoAnswer        a request got no answer; carries its curl line and the check it broke
│       ├── TargetTimeout       none within the timeout
│       └── TargetUnreachable   the connection failed or was dropped
├── BudgetExhausted     the run's request budget for a live target is spent
└── NotApplicable       what was asked does not apply to this spec (a limit it does not set)
"""

from __future__ import annotations

from collections.abc import Sequence
from textwrap import indent
from typing import TYPE_CHECKING

from oauth2_token_contract.spec.names import Check

if TYPE_CHECKING:
    from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "BudgetExhausted",
    "ContractError",
    "ContractViolation",
    "NoAnswer",
    "NotApplicable",
    "PreconditionFailed",
    "PreflightFailed",
    "SettingError",
    "TargetError",
    "TargetPaced",
    "TargetTimeout",
    "TargetUnreachable",
    "UnsafeTarget",
]


class ContractError(Exception):
    """Base of everything the suite raises on purpose."""


class ContractViolation(ContractError, AssertionError):
    """A check failed: ``check`` names it, ``exchange`` is the request and answer that showed it.

    ``cause`` groups failures that share one defect of the target (no request-specific values in it);
    ``also`` holds other checks the same answer broke, reported alongside, never instead.
    """

    def __init__(
        self,
        check: Check,
        message: str,
        exchange: Exchange | None = None,
        *,
        cause: str | None = None,
        also: Sequence[ContractViolation] = (),
    ) -> None:
        super().__init__(f"[{check}] {message}")
        self.check = check
        self.message = message
        self.exchange = exchange
        self.cause = cause or message
        self.also = tuple(also)

    def findings(self) -> list[ContractViolation]:
        """This failure and those alongside it, this one first."""
        return [self, *self.also]


class PreconditionFailed(ContractViolation):
    """A step the test needed before its own check (getting a token to refresh) did not work.

    The test cannot judge its property, and says so: a failure, never a skip.
    """


class SettingError(ContractError, ValueError):
    """A setting's value cannot be used: each line names the variable, its value, what it accepts."""


class TargetError(ContractError):
    """The target cannot be used as asked."""


class PreflightFailed(TargetError):
    """The run's first contact with the target failed for a reason the user can fix: said in one line
    naming the cause and the fix, before a single contract test is blamed for it."""


class UnsafeTarget(TargetError):
    """Refused before sending anything."""


class NoAnswer(TargetError):
    """A request got no answer: ``curl`` replays it, ``check`` names what the target broke."""

    check = Check.TARGET_ANSWERS

    def __init__(self, message: str, curl: str) -> None:
        super().__init__(f"{message}\n{indent(curl, '  ')}")
        self.curl = curl


class TargetTimeout(NoAnswer):
    """No answer within the request timeout."""

    check = Check.TARGET_ANSWERS_IN_TIME


class TargetUnreachable(NoAnswer):
    """The connection failed, or the target dropped it without answering (once retried when stale)."""


class BudgetExhausted(ContractError):
    """The live target's request budget (``TOKEN_API_MAX_REQUESTS``) is spent."""


class TargetPaced(ContractError):
    """The target still answered 429, naming no wait, after the run backed off ``TOKEN_API_MAX_WAIT``
    seconds for the request: it is pacing the client, not answering the test, so this is no verdict
    on the test (the rate-limit family judges 429s). Its checks stay applicable (the coverage
    verdict says when one judged nothing)."""


class NotApplicable(ContractError):
    """What was asked does not apply to this spec: a named case about a limit the spec does not set."""
