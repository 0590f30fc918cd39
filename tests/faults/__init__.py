"""Seeded faults and correct configurations of the mock: what the self-check points the suite at.

They live with the tests, not in the installed packages: the product is the mock and the suite. A
fault is served like any app, ``python -m mocks serve --app tests.faults:app --app-arg NAME``.
"""

from __future__ import annotations

from typing import Any

from mocks.settings import MockSettings
from tests.faults.seeded import CC_ONLY_CLIENT, CORRECT, FAULTS, JWT_CLIENT, Correct, Fault, faulty_app

__all__ = ["CC_ONLY_CLIENT", "CORRECT", "FAULTS", "JWT_CLIENT", "Correct", "Fault", "app", "faulty_app"]


def app(settings: MockSettings, name: str) -> Any:
    """``--app`` factory: the mock as configured, with fault ``name`` seeded in."""
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}")
    return faulty_app(name, settings)
