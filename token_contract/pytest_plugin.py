"""The pytest face of the suite: the target option, its fixtures, capability skips and the reports.

Loaded by the repository's ``conftest.py``. Failures of a contract check are rewritten into the
check's name, a curl line and the answer (all redacted) instead of a traceback; a spent budget
becomes a skip that says so; the run ends with a per-family summary.

Under pytest-xdist each worker counts its own requests within its share of the budget and hands its
counts to the controller, which checks the target before any test is scheduled and prints the summary.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky as HypothesisFlaky

from token_contract import profiles
from token_contract.client import TokenClient
from token_contract.errors import BudgetExhausted, ContractViolation, NoAnswer, TargetError
from token_contract.exchange import as_curl
from token_contract.pacing import Pacer
from token_contract.targets import Settings, Target, open_target, plan
from token_spec.redaction import REDACTOR

__all__: list[str] = []

_PACER_KEY = pytest.StashKey[Pacer]()
_MOST_WORKERS = 4
_WORKER_OUTPUT = "token_contract_pacer"  # the key of a worker's counts in xdist's workeroutput
CONTRACT_DIR = Path(__file__).resolve().parent.parent / "tests" / "contract"

_NEEDS = {
    "needs_state": (lambda t: t.stateful, "{name} is stateless: it issues no real tokens and remembers none"),
    "needs_controls": (lambda t: t.controls, "{name} has no /__mock QA controls (embedded mock only)"),
    "burst": (
        lambda t: t.may_burst and t.kind != "prism",
        "{name}: provoking 429 on purpose is off for remote targets; set TOKEN_API_ALLOW_BURST=1 to allow it",
    ),
}
_PRISM_NEVER_LIMITS = "prism never rate-limits (it answers 429 only when asked with Prefer: code=429)"


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
    return max(1, min(len(os.sched_getaffinity(0)), _MOST_WORKERS))


def pytest_configure(config: pytest.Config) -> None:
    profiles.register()
    target = config.getoption("--target")
    chosen = config.getoption("hypothesis_profile", None) or os.environ.get("TOKEN_API_PROFILE")
    profile = chosen or ("ci" if target == "mock" else "live")
    hypothesis_settings.load_profile(profile)
    # The budget is set when the target is planned (remote targets get a default one).
    pacer = Pacer(budget=None, max_wait=Settings.from_env().max_wait)
    pacer.progress_every = int(os.environ.get("TOKEN_API_PROGRESS") or _PROGRESS_EVERY.get(profile, 0))
    pacer.on_progress = _progress_line(config)
    config.stash[_PACER_KEY] = pacer
    if config.pluginmanager.hasplugin("xdist") and not _is_worker(config):
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
        if any(_is_contract(self.config.rootpath / nodeid.split("::", 1)[0]) for nodeid in ids):
            _check_target(self.config)

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        """Add a finished worker's counts to the controller's pacer, which the summary reads."""
        report = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
        if report is not None:
            self.config.stash[_PACER_KEY].merge(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker sends its counts to the controller (plain data: execnet serialises it)."""
    config = session.config
    if _is_worker(config) and _PACER_KEY in config.stash:
        config.workeroutput[_WORKER_OUTPUT] = config.stash[_PACER_KEY].report()  # type: ignore[attr-defined]


# Requests between two progress lines, per profile (TOKEN_API_PROGRESS overrides; 0 is silent).
_PROGRESS_EVERY = {"deep": 500, "live": 50}


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


def pytest_report_header(config: pytest.Config) -> str:
    return f"token-contract target: {config.getoption('--target')}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An unsafe or unknown target is a usage error before any test runs, so before any request.

    An xdist worker leaves this to the controller (see ``_XdistController``).
    """
    if not _is_worker(config) and any(_family(item) is not None for item in items):
        _check_target(config)


def _check_target(config: pytest.Config) -> None:
    try:
        plan(config.getoption("--target"), Settings.from_env())
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from exc


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The server under test, started for the run when it is the mock or Prism."""
    settings = Settings.from_env()
    try:
        chosen = plan(request.config.getoption("--target"), settings)
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from exc
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    pacer = request.config.stash[_PACER_KEY]
    if chosen.budget is not None:
        pacer.share_budget(chosen.budget, _worker_count(request.config))
    with open_target(chosen) as started:
        yield started


@pytest.fixture(scope="session")
def pacer(request: pytest.FixtureRequest) -> Pacer:
    return request.config.stash[_PACER_KEY]


@pytest.fixture(scope="session")
def client(target: Target, pacer: Pacer) -> Iterator[TokenClient]:
    """The suite's HTTP client for the target's token endpoint."""
    token_client = TokenClient(target, pacer, timeout=Settings.from_env().timeout)
    yield token_client
    token_client.close()


def _is_contract(path: Path) -> bool:
    return CONTRACT_DIR in path.parents


def _family(item: pytest.Item) -> str | None:
    path = Path(str(item.path))
    if not _is_contract(path):
        return None
    return path.stem.removeprefix("test_")


@pytest.fixture(autouse=True)
def _capabilities(request: pytest.FixtureRequest) -> None:
    """Skip, with the reason, a test that asks of the target what it cannot offer."""
    item = request.node
    family = _family(item)
    if family is None:
        return
    pacer = request.config.stash[_PACER_KEY]
    pacer.family = family
    pacer.current_test = item.nodeid.split("::", 1)[-1]
    needed = [name for name in _NEEDS if item.get_closest_marker(name)]
    if not needed:
        return
    current: Target = request.getfixturevalue("target")
    for name in needed:
        offers, reason = _NEEDS[name]
        if not offers(current):
            pytest.skip(
                _PRISM_NEVER_LIMITS
                if name == "burst" and current.kind == "prism"
                else reason.format(name=current.name)
            )


def _budget_spent(error: BaseException, config: pytest.Config) -> str | None:
    """Why a test stopped, when it stopped because the request budget ran out; else None.

    Hypothesis replays a failing example: when the budget ran out mid-example, the replay meets the
    spent budget at its first request, draws less than the first run did and reports its own
    ``Flaky`` error instead of ours. The error, its causes and group members are searched, and a
    ``Flaky`` error while the budget is spent counts as spent too.
    """
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BudgetExhausted):
            return str(current)
        pending += [current.__cause__, current.__context__, *getattr(current, "exceptions", ())]
    pacer = config.stash.get(_PACER_KEY, None)
    if isinstance(error, HypothesisFlaky) and pacer is not None and pacer.spent:
        return f"request budget spent: {pacer.sent} of {pacer.budget_name()} (in a Hypothesis replay)"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    excinfo = call.excinfo
    if excinfo is not None and report.when == "call":
        spent = _budget_spent(excinfo.value, item.config)
        if spent is not None:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {spent}")
        elif isinstance(excinfo.value, ContractViolation):
            violation = excinfo.value
            text = f"contract check failed: {violation.check}\n{violation.message}"
            if violation.exchange is not None:
                text += "\n" + violation.exchange.describe()
                item.user_properties.append(("curl", as_curl(violation.exchange.request)))
            item.user_properties.append(("check", violation.check))
            report.longrepr = REDACTOR.text(text)
        elif isinstance(excinfo.value, TargetError):
            if isinstance(excinfo.value, NoAnswer):
                item.user_properties += [("check", excinfo.value.check), ("curl", excinfo.value.curl)]
            report.longrepr = REDACTOR.text(f"target error: {excinfo.value}")
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        # The last net: whatever the failure, no known secret leaves in it.
        report.longrepr = REDACTOR.text(str(report.longrepr))
    family = _family(item)
    if family is not None and (report.when == "call" or report.outcome != "passed"):
        stats = item.config.stash[_PACER_KEY].stats[family]
        if report.when == "call":
            stats.cases += 1
        if report.failed:
            stats.failures += 1
        elif report.skipped:
            stats.skipped += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    pacer = config.stash.get(_PACER_KEY, None)
    if pacer is None or not any(name != "setup" for name in pacer.stats):
        return
    tr = terminalreporter
    tr.section("token contract summary")
    tr.write_line(f"{'family':<18}{'tests':>7}{'requests':>10}{'429 waited':>12}{'skipped':>9}{'failed':>8}")
    for name in sorted(pacer.stats):
        s = pacer.stats[name]
        tr.write_line(
            f"{name:<18}{s.cases:>7}{s.requests:>10}{s.honoured_429:>12}{s.skipped:>9}{s.failures:>8}"
        )
    total = pacer.sent
    budget = "" if pacer.run_budget is None else f" of a budget of {pacer.run_budget}"
    tr.write_line(f"requests sent: {total}{budget}")
