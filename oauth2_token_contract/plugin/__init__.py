"""The pytest face of the suite: the target option, its fixtures, the plan, and the run's verdict.

* Before the first request the run is planned against the target's request budget
  (:mod:`oauth2_token_contract.suite.planning`): every selected test gets its share, Hypothesis tests as many
  examples as fit, the burst family runs last; a budget too small for every family is refused.
* A failure of a contract check is rewritten into its check, its cause, the checks the same answer
  broke alongside, a curl line and the answer (all redacted), plus Hypothesis's falsifying example
  and reproduce line, instead of a traceback. A failed setup step is a failed precondition.
* A spent budget is a skip that says so, and keeps its checks applicable: at the end every check a
  selected test declared (``@pytest.mark.checks``) must have judged something, or the run fails
  (``TOKEN_API_ALLOW_PARTIAL=1`` lets it pass, saying so). Skips because the target cannot offer what
  a test needs (no refresh tokens, no bursts allowed) stay skips, listed with their reasons.
* The summary gives each family's tests, requests and checks exercised, then the distinct causes of
  failure, largest first, each with one curl line; JUnit carries the same as properties.
* ``TOKEN_API_EXPECTED_FAILURES`` turns known failures into expected ones; a stale entry fails.

Under pytest-xdist each worker counts its own requests within its share of the budget and hands
its counts to the controller, which checks the target before any test is scheduled and judges the run.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from textwrap import indent
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky as HypothesisFlaky

from oauth2_token_contract.plugin.mock_fixtures import token_mock, token_mock_url  # noqa: F401 - offered fixtures
from oauth2_token_contract.spec.names import Check, Family
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite import profiles
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import BudgetExhausted, ContractViolation, NoAnswer, TargetError
from oauth2_token_contract.suite.exchange import as_curl
from oauth2_token_contract.suite.expected import ExpectedFailures, load_expected
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.planning import Plan, PlannedTest, TooSmall, make_plan
from oauth2_token_contract.suite.report import (
    BUDGET,
    CHECKS,
    CURL,
    FAMILY,
    FINDING,
    NOT_APPLICABLE,
    SKIP,
    RunReport,
)
from oauth2_token_contract.suite.targets import Settings, Target, TargetPlan, open_target, plan

__all__: list[str] = []

_PACER_KEY = pytest.StashKey[Pacer]()
_CHECKS_KEY = pytest.StashKey[CheckContext]()
_PLAN_KEY = pytest.StashKey[Plan]()
_PLAN_TEXT_KEY = pytest.StashKey[str]()
_PROFILE_KEY = pytest.StashKey[hypothesis_settings]()
_RUN_KEY = pytest.StashKey["_Run"]()
_MOST_WORKERS = 4
_WORKER_OUTPUT = "token_contract_run"  # the key of a worker's counts in xdist's workeroutput
_FAMILIES = {family.value for family in Family}
MARKERS = (
    "token_contract: a test of the contract suite (its family is its module's name, test_FAMILY)",
    "checks(*names): the contract checks this test exercises (spec.names.Check members)",
    "cost(fixed=1, per_example=1): requests a test spends, for the run's plan",
    "thorough: a variant another item's check already covers; left out of a reduced plan",
    "needs_state: the test needs a stateful target (tokens issued, stored and refreshed)",
    "needs_controls: the test needs the embedded mock's QA controls",
    "burst: the test provokes 429 on purpose (live targets: only with TOKEN_API_ALLOW_BURST=1)",
)
_NEEDS = {
    "needs_state": (lambda t: t.stateful, "{name} is stateless: it issues no real tokens and remembers none"),
    "needs_controls": (lambda t: t.controls, "{name} has no /__mock QA controls (embedded mock only)"),
    "burst": (
        lambda t: t.may_burst and t.kind != "prism",
        "{name}: provoking 429 on purpose is off for remote targets; set TOKEN_API_ALLOW_BURST=1 to allow it",
    ),
}
_PRISM_NEVER_LIMITS = "prism never rate-limits (it answers 429 only when asked with Prefer: code=429)"
# Requests between two progress lines, per profile (TOKEN_API_PROGRESS overrides; 0 is silent).
_PROGRESS_EVERY = {"deep": 500, "live": 50}


class _Run:
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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("token-contract")
    group.addoption(
        "--target",
        default=os.environ.get("TOKEN_API_TARGET", "mock"),
        help="mock (default), prism, a name from targets.yaml, or an http(s):// URL [TOKEN_API_TARGET]",
    )


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (as ``./run contract`` runs): workers for the embedded mock, one process otherwise.

    A live service should see one client at a time, its request budget is then one pool, and progress
    lines show (xdist workers swallow them). On the mock each worker starts a mock of its own, and past
    ``_MOST_WORKERS`` their start-ups outweigh their share of the suite's tests.
    """
    if config.getoption("--target") != "mock":
        return 0
    return max(1, min(os.cpu_count() or 1, _MOST_WORKERS))


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    profiles.register()
    target = config.getoption("--target")
    chosen = config.getoption("hypothesis_profile", None) or os.environ.get("TOKEN_API_PROFILE")
    profile = chosen or ("ci" if target == "mock" else "live")
    # The contract tests get the profile's settings at collection; Hypothesis's global default, and
    # so any other test of a project that loads this plugin, stays as it was.
    config.stash[_PROFILE_KEY] = hypothesis_settings.get_profile(profile)
    # The budget is set when the target is planned (remote targets get a default one).
    pacer = Pacer(budget=None, max_wait=Settings.from_env().max_wait)
    pacer.progress_every = int(os.environ.get("TOKEN_API_PROGRESS") or _PROGRESS_EVERY.get(profile, 0))
    pacer.on_progress = _progress_line(config)
    config.stash[_PACER_KEY] = pacer
    config.stash[_CHECKS_KEY] = CheckContext()
    try:
        expected = load_expected()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from exc
    run = _Run(expected)
    config.stash[_RUN_KEY] = run
    if not _is_worker(config):
        config.pluginmanager.register(run, "token-contract-run")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_XdistController(config), "token-contract-xdist")


def _is_worker(config: pytest.Config) -> bool:
    """Only xdist's workers have ``workerinput``; PYTEST_XDIST_* may be inherited from an outer run."""
    return hasattr(config, "workerinput")


def _worker_count(config: pytest.Config) -> int:
    """How many processes share the run's request budget."""
    return int(os.environ["PYTEST_XDIST_WORKER_COUNT"]) if _is_worker(config) else 1


class _XdistController:
    """The controller's side of an xdist run, registered only when xdist is there (its hooks are)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        """Refuse an unsafe target here: a worker's usage error would be lost as an internal error."""
        if ids:
            _check_target(self.config)

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        """Add a finished worker's counts to the controller's, which the summary and verdict read."""
        report = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
        if report is not None:
            self.config.stash[_PACER_KEY].merge(report["pacer"])
            self.config.stash[_CHECKS_KEY].coverage.merge(report["exercised"])
            run = self.config.stash[_RUN_KEY]
            if run.expected is not None:
                run.expected.mark_used(report["expected_used"])
            if report.get("plan"):
                self.config.stash[_PLAN_TEXT_KEY] = report["plan"]


def _progress_line(config: pytest.Config) -> Callable[[Pacer], None]:
    started = time.monotonic()

    def write(pacer: Pacer) -> None:
        reporter = config.pluginmanager.getplugin("terminalreporter")
        capture = config.pluginmanager.getplugin("capturemanager")
        if reporter is None or capture is None:
            return
        done = sum(s.cases for s in pacer.stats.values())
        total = getattr(reporter, "_numcollected", 0)
        budget = "" if pacer.budget is None else f"/{pacer.budget}"
        waited = sum(s.honoured_429 for s in pacer.stats.values())
        line = (
            f"[token-contract] {time.monotonic() - started:6.0f} s  tests {done}/{total}  "
            f"requests {pacer.sent}{budget}  429s waited {waited}  now: {pacer.current_test}"
        )
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)

    return write


def pytest_report_collectionfinish(config: pytest.Config, items: Sequence[pytest.Item]) -> list[str]:
    """What the contract run will do, said once it is known (nothing for a run without contract tests)."""
    if not any(family_of(item) is not None for item in items):
        return []
    lines = [f"token-contract target: {config.getoption('--target')}"]
    if _PLAN_TEXT_KEY in config.stash:
        lines.append(f"token-contract plan: {config.stash[_PLAN_TEXT_KEY]}")
    expected = config.stash[_RUN_KEY].expected
    if expected is not None:
        lines.append(f"token-contract expected failures: {len(expected.entries)} from {expected.source}")
    return lines


# -- collection: which tests are the contract's, in what order, with what share of the budget -------
def family_of(item: pytest.Item) -> str | None:
    """The family of a contract test (marked ``token_contract``), from its module's name."""
    if item.get_closest_marker("token_contract") is None:
        return None
    family = Path(str(item.path)).stem.removeprefix("test_")
    return family if family in _FAMILIES else "other"


def _declared(item: pytest.Item) -> list[Check]:
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
    """Check the target, put the burst family last, and plan the run before any request.

    ``trylast``: after ``-k``/``-m`` deselection and any reordering plugin, so the plan and the order
    are those of the tests that will run. An xdist worker leaves the target check to the controller.
    """
    contract = [item for item in items if family_of(item) is not None]
    if not contract:
        return
    if not _is_worker(config):
        chosen = _check_target(config)
    else:
        chosen = plan(config.getoption("--target"), Settings.from_env())
    items.sort(key=lambda item: item.get_closest_marker("burst") is not None)  # stable: the rest keep order
    bursts = chosen.allow_burst and chosen.kind != "prism"
    tests = [_planned(item, family_of(item) or "other") for item in contract]
    try:
        chosen_plan = make_plan(tests, chosen.budget, config.stash[_PROFILE_KEY].max_examples, bursts=bursts)
    except TooSmall as exc:
        pytest.exit(str(exc), returncode=2)
    config.stash[_PLAN_KEY] = chosen_plan
    config.stash[_PLAN_TEXT_KEY] = chosen_plan.describe()
    if chosen_plan.left_out:
        left = set(chosen_plan.left_out)
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in left])
        items[:] = [item for item in items if item.nodeid not in left]
    _apply_settings([item for item in items if family_of(item) is not None], _planned_settings(config))


def _planned_settings(config: pytest.Config) -> hypothesis_settings:
    """The profile's settings with the plan's examples per property."""
    profile = config.stash[_PROFILE_KEY]
    chosen = config.stash.get(_PLAN_KEY, None)
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


def _check_target(config: pytest.Config) -> TargetPlan:
    try:
        return plan(config.getoption("--target"), Settings.from_env())
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from exc


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def token_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The server under test, started for the run when it is the mock or Prism."""
    chosen = _check_target(request.config)
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    pacer = request.config.stash[_PACER_KEY]
    if chosen.budget is not None:
        pacer.share_budget(chosen.budget, _worker_count(request.config))
    with open_target(chosen) as started:
        yield started


@pytest.fixture(scope="session")
def token_pacer(request: pytest.FixtureRequest) -> Pacer:
    """The run's request budget and 429 manners, shared by every client."""
    return request.config.stash[_PACER_KEY]


@pytest.fixture(scope="session")
def token_client(
    request: pytest.FixtureRequest, token_target: Target, token_pacer: Pacer
) -> Iterator[TokenClient]:
    """The suite's HTTP client for the target's token endpoint."""
    context = request.config.stash[_CHECKS_KEY]
    client = TokenClient(token_target, token_pacer, timeout=Settings.from_env().timeout, context=context)
    yield client
    client.close()


@pytest.fixture
def token_hypothesis_settings(request: pytest.FixtureRequest) -> hypothesis_settings:
    """The settings a test that drives Hypothesis itself (a state machine) should run with: the
    profile's, with the plan's examples."""
    return _planned_settings(request.config)


@pytest.fixture(autouse=True)
def _capabilities(request: pytest.FixtureRequest) -> None:
    """Skip, with the reason, a test that asks of the target what it cannot offer."""
    item = request.node
    family = family_of(item)
    if family is None:
        return
    request.config.stash[_CHECKS_KEY].alongside.take()  # nothing held over from whatever ran before
    pacer = request.config.stash[_PACER_KEY]
    pacer.family = family
    pacer.current_test = item.nodeid.split("::", 1)[-1]
    needed = [name for name in _NEEDS if item.get_closest_marker(name)]
    if not needed:
        return
    current: Target = request.getfixturevalue("token_target")
    for name in needed:
        offers, reason = _NEEDS[name]
        if not offers(current):
            pytest.skip(
                _PRISM_NEVER_LIMITS
                if name == "burst" and current.kind == "prism"
                else reason.format(name=current.name)
            )


# -- reports -------------------------------------------------------------------------------------------
def _walk(error: BaseException, *, causes: bool) -> Iterator[BaseException]:
    """``error`` and the members of its exception groups, in order, each once; with ``causes``, what
    each was raised from or during too."""
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if causes:
            pending += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


def _budget_spent(error: BaseException, config: pytest.Config) -> str | None:
    """Why a test stopped, when it stopped because the request budget ran out; else None.

    Hypothesis replays a failing example: when the budget ran out mid-example, the replay meets the
    spent budget at its first request, draws less than the first run did and reports its own
    ``Flaky`` error instead of ours. The error, its causes and group members are searched, and a
    ``Flaky`` error while the budget is spent counts as spent too.
    """
    spent = next((e for e in _walk(error, causes=True) if isinstance(e, BudgetExhausted)), None)
    if spent is not None:
        return str(spent)
    pacer = config.stash.get(_PACER_KEY, None)
    if isinstance(error, HypothesisFlaky) and pacer is not None and pacer.spent:
        return f"request budget spent: {pacer.sent} of {pacer.budget_name()} (in a Hypothesis replay)"
    return None


# Said beside a failure Hypothesis could not make happen again when it replayed the example.
INTERMITTENT = (
    "intermittent: the same request did not fail again when Hypothesis replayed it, so the target "
    "answers it differently from one time to the next (still a fault; the answer above is the one that "
    "broke the contract)"
)


def _suite_failure_in(error: BaseException) -> BaseException:
    """The suite's own failure when Hypothesis wrapped it in a group (``Flaky``: it failed once, then
    passed on replay; or several distinct failures), so that it is reported as a check with its curl
    line like any other, never as a raw exception group. Anything else is returned as it is."""
    if not isinstance(error, BaseExceptionGroup):
        return error
    found = [e for e in _walk(error, causes=False) if isinstance(e, ContractViolation | NoAnswer)]
    if not found:
        return error
    first = found[0]
    if isinstance(error, HypothesisFlaky):
        first.add_note(INTERMITTENT)
    if isinstance(first, ContractViolation):
        first.also = (*first.also, *(f for f in found[1:] if isinstance(f, ContractViolation)))
    return first


def _violation_text(violation: ContractViolation) -> str:
    text = f"contract check failed: {violation.check}\n{violation.message}"
    for other in violation.also:
        text += f"\nalso, [{other.check}] {other.message}"
    if violation.exchange is not None:
        text += "\n" + violation.exchange.describe()
    notes = [str(note) for note in getattr(violation, "__notes__", ())]
    if notes:
        text += "\n" + "\n".join(notes)
    return text


def _findings(violation: ContractViolation) -> list[tuple[str, str, str]]:
    return [(str(v.check), v.cause, v.message) for v in violation.findings()]


def _describe_failure(
    item: pytest.Item, report: pytest.TestReport, error: BaseException, family: str | None
) -> None:
    """A stopped test's report, said as the suite says it: a budget skip, a check with its curl line."""
    spent = _budget_spent(error, item.config)
    if spent is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {spent}")
        item.user_properties.append((SKIP, BUDGET))
    elif isinstance(error, ContractViolation):
        findings = _findings(error)
        for check, _, _ in findings:
            item.config.stash[_CHECKS_KEY].judged(Check(check))
        item.user_properties += [(FINDING, f"{check}: {cause}") for check, cause, _ in findings]
        if error.exchange is not None:
            item.user_properties.append((CURL, as_curl(error.exchange.request)))
        item.user_properties.append(("check", str(error.check)))
        report.longrepr = REDACTOR.text(_violation_text(error))
        _maybe_expected(item, report, findings)
    elif isinstance(error, NoAnswer):
        item.user_properties += [
            (FINDING, f"{error.check}: no answer"),
            (CURL, error.curl),
            ("check", str(error.check)),
        ]
        notes = "".join(f"\n{note}" for note in getattr(error, "__notes__", ()))
        report.longrepr = REDACTOR.text(f"contract check failed: {error.check}\n{error}{notes}")
        _maybe_expected(item, report, [(str(error.check), "no answer", str(error))])
    elif isinstance(error, TargetError):
        report.longrepr = REDACTOR.text(f"target error: {error}")
    elif report.skipped and family is not None:
        item.user_properties.append((SKIP, NOT_APPLICABLE))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    family = family_of(item)
    config = item.config
    if family is not None and report.when == "setup":
        item.user_properties += [(FAMILY, family), (CHECKS, " ".join(map(str, _declared(item))))]
    excinfo = call.excinfo
    held = config.stash[_CHECKS_KEY].alongside.take() if report.when == "call" else []
    error = excinfo.value if excinfo is not None else None
    if error is not None and _budget_spent(error, config) is None:
        error = _suite_failure_in(error)
    if held and family is not None and report.when == "call":
        error = _with_held(error, held, report)
    if error is not None and report.when in ("setup", "call"):
        _describe_failure(item, report, error, family)
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        # The last net: whatever the failure, no known secret leaves in it.
        report.longrepr = REDACTOR.text(str(report.longrepr))
    if family is not None and (report.when == "call" or report.outcome != "passed"):
        stats = config.stash[_PACER_KEY].stats[family]
        if report.when == "call":
            stats.cases += 1
        if report.failed:
            stats.failures += 1
        elif report.skipped:
            stats.skipped += 1


def _with_held(
    error: BaseException | None, held: list[ContractViolation], report: pytest.TestReport
) -> BaseException | None:
    """A test's outcome with the shape findings held during it: a passed test fails with them; a
    failed one reports them beside its own."""
    if error is None and report.passed:
        report.outcome = "failed"
        first = held[0]
        return ContractViolation(first.check, first.message, first.exchange, cause=first.cause, also=held[1:])
    if isinstance(error, ContractViolation):
        known = {(str(f.check), f.cause) for f in error.findings()}
        extra = [f for f in held if (str(f.check), f.cause) not in known]
        if extra:
            combined = ContractViolation(
                error.check, error.message, error.exchange, cause=error.cause, also=[*error.also, *extra]
            )
            combined.__notes__ = list(getattr(error, "__notes__", []))
            return combined
    return error


def _maybe_expected(
    item: pytest.Item, report: pytest.TestReport, findings: list[tuple[str, str, str]]
) -> None:
    """A failure the expected-failures file covers, every finding of it, is an expected failure."""
    expected = item.config.stash[_RUN_KEY].expected
    if expected is None or not report.failed:
        return
    covered = expected.cover(findings)
    if covered:
        report.outcome = "skipped"
        report.wasxfail = "; ".join(dict.fromkeys(e.describe() for e in covered))  # type: ignore[attr-defined]
        item.user_properties.append(("expected_failure", report.wasxfail))  # type: ignore[attr-defined]


# -- the end: the worker's counts, the run's verdict, the summary --------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its counts to the controller; the controller (or the one process) judges the
    run: coverage, answers far slower than the others, stale expected failures."""
    config = session.config
    run = config.stash[_RUN_KEY]
    if _is_worker(config):
        config.workeroutput[_WORKER_OUTPUT] = {  # type: ignore[attr-defined]
            "pacer": config.stash[_PACER_KEY].report(),
            "exercised": config.stash[_CHECKS_KEY].coverage.report(),
            "expected_used": [e.describe() for e in run.expected.used] if run.expected else [],
            "plan": config.stash.get(_PLAN_TEXT_KEY, ""),
        }
        return
    if not run.report.records:
        return
    _judge_coverage(session, run)
    _judge_promptness(session)
    _judge_expected(session, run)


def _verdict(session: pytest.Session, name: str, message: str, properties: list[tuple[str, object]]) -> None:
    """A failing entry of the run's own (coverage, promptness, stale expectations): in the terminal
    summary, in JUnit (its properties travel on the teardown report, as pytest's own do), and in the
    exit code."""
    common: dict[str, Any] = {
        "nodeid": f"token-contract::{name}",
        "location": ("token-contract", None, name),
        "keywords": {name: 1},
    }
    failed = pytest.TestReport(outcome="failed", longrepr=REDACTOR.text(message), when="call", **common)
    done = pytest.TestReport(
        outcome="passed", longrepr=None, when="teardown", user_properties=properties, **common
    )
    session.config.hook.pytest_runtest_logreport(report=failed)
    session.config.hook.pytest_runtest_logreport(report=done)
    session.testsfailed += 1
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    session.config.stash[_RUN_KEY].verdicts.append(f"{name}: {message}")


def _judge_coverage(session: pytest.Session, run: _Run) -> None:
    missing = run.report.unexercised({str(c) for c in session.config.stash[_CHECKS_KEY].coverage.exercised})
    if not missing:
        return
    lines = [
        f"  {check} (declared by {len(tests)} test(s), e.g. {tests[0]})" for check, tests in missing.items()
    ]
    message = (
        f"{len(missing)} check(s) applied to the target but judged nothing (the budget or a deadline ran "
        "out first), so the contract was not checked in full:\n" + "\n".join(lines)
    )
    if os.environ.get("TOKEN_API_ALLOW_PARTIAL", "").strip().lower() in {"1", "true", "yes", "on"}:
        run.verdicts.append("partial coverage allowed (TOKEN_API_ALLOW_PARTIAL=1): " + ", ".join(missing))
        return
    _verdict(
        session,
        "coverage",
        message + "\n(TOKEN_API_ALLOW_PARTIAL=1 lets such a run pass)",
        [("check", "coverage"), *(("unexercised", check) for check in missing)],
    )


def _judge_promptness(session: pytest.Session) -> None:
    latencies = session.config.stash[_PACER_KEY].latencies
    if len(latencies.seconds) < 10:
        return
    session.config.stash[_CHECKS_KEY].judged(Check.ANSWERS_PROMPTLY)
    slow = latencies.too_slow()
    if not slow:
        return
    lines = [
        f"  {s.seconds:.1f} s, status {s.status}, in {s.test}:\n{indent(s.curl, '    ')}" for s in slow[:3]
    ]
    limit = max(latencies.floor, latencies.factor * latencies.median())
    message = (
        f"contract check failed: {Check.ANSWERS_PROMPTLY}\n{len(slow)} answers came far later than the "
        f"others (over {limit:.1f} s; the median is {latencies.median() * 1000:.0f} ms):\n" + "\n".join(lines)
    )
    finding = f"{Check.ANSWERS_PROMPTLY}: answers far later than the others"
    _verdict(
        session,
        str(Check.ANSWERS_PROMPTLY),
        message,
        [("check", str(Check.ANSWERS_PROMPTLY)), (FINDING, finding), (CURL, slow[0].curl)],
    )
    session.config.stash[_RUN_KEY].report.add(
        "token-contract::answers_promptly",
        [(FAMILY, "(whole run)"), (FINDING, finding), (CURL, slow[0].curl)],
        "failed",
    )


def _judge_expected(session: pytest.Session, run: _Run) -> None:
    if run.expected is None:
        return
    stale = run.expected.stale()
    if stale:
        lines = "\n".join(f"  {entry.describe()}" for entry in stale)
        message = (
            f"{len(stale)} expected failure(s) in {run.expected.source} did not happen: fixed, or never "
            f"exercised. Remove them, so the list stays true:\n{lines}"
        )
        _verdict(session, "expected-failures", message, [("stale", e.describe()) for e in stale])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    pacer = config.stash.get(_PACER_KEY, None)
    run = config.stash.get(_RUN_KEY, None)
    if pacer is None or run is None or not run.report.records:
        return
    tr = terminalreporter
    exercised = {str(c) for c in config.stash[_CHECKS_KEY].coverage.exercised}
    coverage = run.report.coverage(exercised)
    tr.section("token contract summary")
    plan_text = config.stash.get(_PLAN_TEXT_KEY, "")
    if plan_text:
        tr.write_line(f"plan: {plan_text}")
    head = f"{'family':<18}{'tests':>7}{'requests':>10}{'429 waited':>12}{'skipped':>9}{'failed':>8}"
    head += f"{'checks':>9}"
    tr.write_line(head)
    for name in run.report.families():
        s = pacer.stats[name]
        done, applicable = coverage.get(name, (0, 0))
        tests = sum(1 for r in run.report.records.values() if r.family == name)
        skipped = run.report.count(name, "skipped")
        failed = run.report.count(name, "failed")
        tr.write_line(
            f"{name:<18}{tests:>7}{s.requests:>10}{s.honoured_429:>12}{skipped:>9}{failed:>8}"
            f"{f'{done}/{applicable}':>9}"
        )
    budget = "" if pacer.run_budget is None else f" of a budget of {pacer.run_budget}"
    tr.write_line(f"requests sent: {pacer.sent}{budget}")
    reasons = run.report.not_applicable()
    if reasons:
        tr.write_line("not applicable to this target (skipped):")
        for reason, count in reasons:
            tr.write_line(f"  {count} x {reason}")
    xfailed = [r for r in run.report.records.values() if r.outcome == "xfailed"]
    if xfailed:
        tr.write_line(
            f"expected failures ({run.expected.source if run.expected else ''}): {len(xfailed)} test(s)"
        )
        for reason, count in Counter(r.reason for r in xfailed).most_common():
            tr.write_line(f"  {count} x {reason}")
    causes = run.report.causes()
    if causes:
        tr.write_line(f"failures by cause ({len(causes)} distinct, largest first):")
        for cause in causes:
            tr.write_line(f"  {cause.tests} test(s): {cause.finding}")
            if cause.curl:
                tr.write_line(indent(cause.curl, "    "))
    for verdict in run.verdicts:
        tr.write_line(verdict)
