"""Collection: which tests are the contract's, in what order, with what share of the request budget.

Before the first request the run is planned against the target's budget
(:mod:`oauth2_token_contract.suite.planning`): every selected test gets its share, Hypothesis tests as
many examples as fit, the burst family runs last; a budget too small for every family is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from oauth2_token_contract.plugin.options import check_target
from oauth2_token_contract.plugin.preflight import first_contact
from oauth2_token_contract.plugin.stash import PLAN, PLAN_TEXT, PROFILE, SETTINGS
from oauth2_token_contract.plugin.stops import stop
from oauth2_token_contract.plugin.xdist import is_worker
from oauth2_token_contract.spec.names import Check, Family
from oauth2_token_contract.suite.exit_codes import Exit
from oauth2_token_contract.suite.planning import PlannedTest, TooSmall, make_plan
from oauth2_token_contract.suite.targets import plan

__all__ = ["declared", "family_of", "planned_settings", "pytest_collection_modifyitems"]

_FAMILIES = {family.value for family in Family}


def family_of(item: pytest.Item) -> str | None:
    """The family of a contract test (marked ``token_contract``), from its module's name."""
    if item.get_closest_marker("token_contract") is None:
        return None
    family = Path(str(item.path)).stem.removeprefix("test_")
    return family if family in _FAMILIES else "other"


def declared(item: pytest.Item) -> list[Check]:
    """The checks a contract test declares (``@pytest.mark.checks``)."""
    return [Check(c) for mark in item.iter_markers("checks") for c in mark.args]


def _planned(item: pytest.Item, family: str) -> PlannedTest:
    cost = item.get_closest_marker("cost")
    kwargs = cost.kwargs if cost is not None else {}
    hypothesis = bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))
    return PlannedTest(
        nodeid=item.nodeid,
        family=family,
        fixed=int(kwargs.get("fixed", 0 if hypothesis else 1)),
        per_example=int(kwargs.get("per_example", 1)),
        hypothesis=hypothesis or "token_hypothesis_settings" in getattr(item, "fixturenames", ()),
        thorough=item.get_closest_marker("thorough") is not None,
        burst=item.get_closest_marker("burst") is not None,
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Check the target, put the burst family last, plan the run, and make first contact, before any
    test's request.

    ``trylast``: after ``-k``/``-m`` deselection and any reordering plugin, so the plan and the order
    are those of the tests that will run. An xdist worker leaves the target check and the preflight to
    the controller. A budget too small or a failed preflight stops the run: no test is left to run.
    """
    contract = [item for item in items if family_of(item) is not None]
    if not contract:
        return
    worker = is_worker(config)
    settings = config.stash[SETTINGS]
    chosen = check_target(config) if not worker else plan(config.getoption("--target"), settings)
    items.sort(key=lambda item: item.get_closest_marker("burst") is not None)  # stable: the rest keep order
    bursts = chosen.allow_burst and chosen.kind != "prism"
    tests = [_planned(item, family_of(item) or "other") for item in contract]
    try:
        chosen_plan = make_plan(tests, chosen.budget, config.stash[PROFILE].max_examples, bursts=bursts)
    except TooSmall as exc:
        if worker:  # -n N against a budgeted target: xdist reports a worker's exit as it can
            pytest.exit(str(exc), returncode=Exit.BAD_SETTING)
        stop(config, "plan", str(exc), Exit.BAD_SETTING)
        _leave_out(config, items, items)
        return
    config.stash[PLAN] = chosen_plan
    config.stash[PLAN_TEXT] = chosen_plan.describe()
    if not worker and not first_contact(config, chosen, keep=True):
        _leave_out(config, items, items)
        return
    if chosen_plan.left_out:
        left = set(chosen_plan.left_out)
        _leave_out(config, items, [item for item in items if item.nodeid in left])
    _apply_settings([item for item in items if family_of(item) is not None], planned_settings(config))


def _leave_out(config: pytest.Config, items: list[pytest.Item], dropped: Sequence[pytest.Item]) -> None:
    """Deselect ``dropped``, as ``-k`` would: pytest counts them, and never runs them."""
    gone = {id(item) for item in dropped}
    config.hook.pytest_deselected(items=list(dropped))
    items[:] = [item for item in items if id(item) not in gone]


def planned_settings(config: pytest.Config) -> hypothesis_settings:
    """The profile's settings with the plan's examples per property."""
    profile = config.stash[PROFILE]
    chosen = config.stash.get(PLAN, None)
    if chosen is None or chosen.budget is None:
        return profile
    return hypothesis_settings(profile, max_examples=min(profile.max_examples, chosen.examples))


def _apply_settings(items: Sequence[pytest.Item], planned: hypothesis_settings) -> None:
    """Give each contract Hypothesis test the planned settings: @settings applied after @given (public
    API), once per function whatever its parameters, and never over a test's own @settings."""
    done: set[int] = set()
    for item in items:
        function = getattr(item, "function", None)
        if function is None or not getattr(function, "is_hypothesis_test", False) or id(function) in done:
            continue
        done.add(id(function))
        if not getattr(function, "_hypothesis_internal_settings_applied", False):
            planned(function)
