"""The self-check, quick: a handful of seeded faults are caught by URL and the unmodified mock passes.

The full corpus (``python -m selfcheck``) takes minutes; this subset runs in CI. The
cheap tests below keep the corpus honest: every fault is a real subclass of what it replaces.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.components import DEFAULTS
from oauth2_token_contract.mock.endpoint import TokenEndpoint
from oauth2_token_contract.mock.settings import load_settings
from selfcheck.faults import CC_ONLY_CLIENT, CORRECT, FAULTS, JWT_CLIENT, faulty_app
from selfcheck.outcomes import variants
from selfcheck.report import render_table
from selfcheck.runner import QUICK, check_all

# What a variant may override: a component, or the request path itself (``create_app(endpoint=)``).
SEAMS: dict[str, type] = {**DEFAULTS, "endpoint": TokenEndpoint}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_overrides_real_components(name: str) -> None:
    """One small override of the real mock, never a second implementation."""
    fault = FAULTS[name]
    assert fault.overrides, f"{name} overrides nothing"
    assert fault.check, f"{name} names no expected check"
    app = faulty_app(name)
    for component, override in fault.overrides.items():
        default = SEAMS[component]
        assert issubclass(override, default) and override is not default, f"{name}: {component}"
        if component == "endpoint":
            assert type(app.routes[0].app) is override, name
        else:
            assert type(getattr(app.state.components, component)) is override


def test_correct_configurations_and_suite_clients_exist() -> None:
    clients = load_settings().clients
    assert {JWT_CLIENT, CC_ONLY_CLIENT} <= set(clients)
    assert len(CORRECT) >= 3 and len(FAULTS) >= 25
    assert not set(CORRECT) & set(FAULTS)
    for correct in CORRECT.values():
        create_app(load_settings(rate_limit=correct.rate_limit))
    assert set(QUICK) <= set(FAULTS) | set(CORRECT)


def test_quick_selfcheck_catches_every_fault_and_passes_the_correct_mock(tmp_path: Path) -> None:
    report = tmp_path / "selfcheck.md"
    outcomes = check_all(variants(QUICK), jobs=2)
    table = render_table(outcomes)
    report.write_text(table)
    for outcome in outcomes:
        what = "was not caught by its check" if outcome.variant.is_fault else "failed the suite"
        assert outcome.ok, f"{outcome.variant.name} {what} in a column:\n{table}"
