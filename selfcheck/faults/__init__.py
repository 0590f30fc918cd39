"""Seeded faults and correct variants of the mock: what the self-check points the suite at.

They live with the tests, not in the installed packages: the product is the mock and the suite. Each
is served like any app, ``python -m oauth2_token_contract.mock serve --app selfcheck.faults:app --app-arg
NAME``.

    model      Fault and Correct
    seeded     the first corpus of faults, written beside the checks
    matrix     faults for the rows of the rule matrix (oauth2_token_contract/spec/rules.py) the first corpus
    left latitude   correct variants using the latitude the contract and RFC 6749 leave
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.settings import MockSettings, load_settings

from selfcheck.faults.latitude import CORRECT
from selfcheck.faults.matrix import MATRIX
from selfcheck.faults.model import CC_ONLY_CLIENT, JWT_CLIENT, Correct, Fault
from selfcheck.faults.seeded import SEEDED

__all__ = [
    "CC_ONLY_CLIENT",
    "CORRECT",
    "FAULTS",
    "JWT_CLIENT",
    "Correct",
    "Fault",
    "app",
    "correct_app",
    "faulty_app",
]

FAULTS: dict[str, Fault] = {**SEEDED, **MATRIX}


def _build(
    overrides: dict[str, type], rate_limit: str | None, settings: MockSettings | None
) -> Callable[..., Any]:
    chosen = settings or load_settings()
    if rate_limit is not None and chosen.rate_limit_override is None:
        chosen = replace(chosen, rate_limit_override=rate_limit)
    return create_app(chosen, **overrides)


def faulty_app(name: str, settings: MockSettings | None = None) -> Callable[..., Any]:
    """The mock with fault ``name`` seeded in (and its own rate limit, unless the settings set one)."""
    fault = FAULTS[name]
    return _build(fault.overrides, fault.rate_limit, settings)


def correct_app(name: str, settings: MockSettings | None = None) -> Callable[..., Any]:
    """The mock as the correct variant ``name`` configures it."""
    correct = CORRECT[name]
    return _build(correct.overrides, correct.rate_limit, settings)


def app(settings: MockSettings, name: str) -> Any:
    """``--app`` factory: the mock with fault ``name`` seeded in, or as the correct variant ``name``."""
    if name in FAULTS:
        return faulty_app(name, settings)
    if name in CORRECT:
        return correct_app(name, settings)
    raise ValueError(f"unknown variant {name!r}; known: {', '.join(sorted([*FAULTS, *CORRECT]))}")
