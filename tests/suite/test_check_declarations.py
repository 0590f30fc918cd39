"""A decorated check is named once: its function's name is its :class:`Check` member's value.

A report names the check by the member; a reader looks for the function. When the two differ, the
failure a user reads points at nothing in the code.
"""

from __future__ import annotations

from oauth2_token_contract.suite.checks import CHECKS


def test_every_decorated_check_is_named_as_its_member() -> None:
    declared = CHECKS.declared
    assert len(declared) >= 10, "the registry holds the decorated checks once the package is imported"
    wrong = sorted(
        f"{name.name}: function {getattr(function, '__name__', '?')}"
        for name, function in declared.items()
        if getattr(function, "__name__", None) != name.value
    )
    assert not wrong, f"rename the function to its check's value: {wrong}"
