"""What a run's exit code says, the same for ``pytest``, ``./run contract`` and ``token-contract``.

A pipeline tells "the target broke the contract" (1) from "the run could not judge it" (2, 4): the
second is never a verdict on the target, and a green gate is never one that checked nothing.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Exit"]


class Exit(IntEnum):
    PASSED = 0
    CONTRACT_VIOLATED = 1  # a check failed, or a verdict of the run (coverage, stale expected failures)
    TARGET_UNUSABLE = 2  # the preflight stopped the run: not reached, no token path, credentials or scope
    NOT_APPLICABLE = 3  # replay: the case does not apply to this target
    BAD_SETTING = 4  # a setting, option or the budget cannot be used (pytest's usage error)
