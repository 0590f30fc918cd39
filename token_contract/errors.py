"""The suite's exceptions, in one small hierarchy.

ContractError
├── ContractViolation   a target broke the contract (a check failed); carries the exchange
├── TargetError         the target cannot be used as asked
│   ├── UnsafeTarget    refused before any request (plain http off loopback, missing credentials)
│   └── TargetTimeout   the target did not answer in time
└── BudgetExhausted     the run's request budget for a live target is spent
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from token_contract.exchange import Exchange

__all__ = [
    "BudgetExhausted",
    "ContractError",
    "ContractViolation",
    "TargetError",
    "TargetTimeout",
    "UnsafeTarget",
]


class ContractError(Exception):
    """Base of everything the suite raises on purpose."""


class ContractViolation(ContractError, AssertionError):
    """A check failed: ``check`` names it, ``exchange`` is the request and answer that showed it."""

    def __init__(self, check: str, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(f"[{check}] {message}")
        self.check = check
        self.message = message
        self.exchange = exchange


class TargetError(ContractError):
    """The target cannot be used as asked."""


class UnsafeTarget(TargetError):
    """Refused before sending anything."""


class TargetTimeout(TargetError):
    """No answer within the request timeout; ``curl`` replays the request."""

    def __init__(self, message: str, curl: str) -> None:
        super().__init__(f"{message}\n  {curl}")
        self.curl = curl


class BudgetExhausted(ContractError):
    """The live target's request budget (``TOKEN_API_MAX_REQUESTS``) is spent."""
