"""What the terminal shows of a contract run: what runs against what, its plan once collected,
progress lines, the summary.

Both the header and the summary begin by naming the target (its URL, or "embedded mock"), the
contract (the spec's title, version and file, with what it assumed and where it contradicts the RFC),
the profile and the budget: a green run says what it was green against.

The summary gives each family's tests, requests and checks exercised, then the distinct causes of
failure, largest first, each with one curl line (read from the test reports by
:class:`~oauth2_token_contract.suite.report.RunReport`; JUnit carries the same as properties).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from textwrap import indent

import pytest

from oauth2_token_contract.plugin.collection import family_of
from oauth2_token_contract.plugin.preflight import PREFLIGHT
from oauth2_token_contract.plugin.stash import (
    CONTEXT,
    PACER,
    PLAN_TEXT,
    PROFILE,
    PROFILE_NAME,
    RUN,
    SETTINGS,
    STOPPED,
    Run,
)
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.contract import SpecError
from oauth2_token_contract.suite.errors import TargetError
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.report import PACED
from oauth2_token_contract.suite.targets import plan

__all__ = ["pytest_report_collectionfinish", "pytest_terminal_summary", "run_lines", "show_progress"]

# Requests between two progress lines, per profile (TOKEN_API_PROGRESS overrides; 0 is silent).
_PROGRESS_EVERY = {"deep": 500, "live": 50}
# How to check further than the profile in force, said beside it.
_DEEPER = {
    "quick": "TOKEN_API_PROFILE=ci checks 90, deep 1000",
    "deep": "the deepest profile",
}


def show_progress(config: pytest.Config, pacer: Pacer, profile: str, every: int | None = None) -> None:
    """Have ``pacer`` write a progress line every so many requests, as the profile or the user asks."""
    pacer.progress_every = _PROGRESS_EVERY.get(profile, 0) if every is None else every
    pacer.on_progress = _progress_line(config)


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


def run_lines(config: pytest.Config) -> list[str]:
    """What runs against what: the target, the contract, the profile, the budget."""
    settings = config.stash[SETTINGS]
    try:
        chosen = plan(config.getoption("--target"), settings)
        target, budget = chosen.describe(), chosen.budget
    except TargetError:
        target, budget = config.getoption("--target"), settings.max_requests
    lines = [f"target: {target}"]
    try:
        read = contract.load()
    except SpecError as exc:
        lines.append(f"contract: {exc}")
    else:
        lines.append(f"contract: {read.title}, version {read.version} ({read.path})")
        lines += [f"assumed: {line}" for line in read.assumptions]
        lines += [f"contradicts the RFC: {line}" for line in read.contradictions]
        lines.append(_operations_line(read))
    profile = config.stash[PROFILE]
    name = config.stash.get(PROFILE_NAME, "")
    derandomized = ", derandomized" if profile.derandomize else ""
    lines.append(
        f"profile: {name} ({profile.max_examples} examples per property{derandomized}; "
        f"{_DEEPER.get(name, 'TOKEN_API_PROFILE=deep checks further')})"
    )
    lines.append(f"budget: {'none' if budget is None else f'{budget} requests (TOKEN_API_MAX_REQUESTS)'}")
    return lines


def _operations_line(read: contract.Contract) -> str:
    """Which operations of a token's life the spec documents, and which of them this run checks: the
    suite's families judge the token operation (the others are the mock's to serve, for now)."""
    documented = [role for role in read.operations() if role != "token"]
    line = "operations: this run checks the token operation"
    if documented:
        line += f"; also documented, not yet checked: {', '.join(documented)}"
    if read.undocumented_operations:
        line += f"; not documented: {', '.join(read.undocumented_operations)}"
    return line


def pytest_report_collectionfinish(config: pytest.Config, items: Sequence[pytest.Item]) -> list[str]:
    """What the contract run will do, said once it is known (nothing for a run without contract tests)."""
    if not any(family_of(item) is not None for item in items) and STOPPED not in config.stash:
        return []
    lines = [f"token-contract {line}" for line in run_lines(config)]
    if PLAN_TEXT in config.stash:
        lines.append(f"token-contract plan: {config.stash[PLAN_TEXT]}")
    expected = config.stash[RUN].expected
    if expected is not None:
        lines.append(f"token-contract expected failures: {len(expected.entries)} from {expected.source}")
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    pacer = config.stash.get(PACER, None)
    run = config.stash.get(RUN, None)
    stopped = config.stash.get(STOPPED, None)
    if pacer is None or run is None or (not run.report.records and stopped is None):
        return
    tr = terminalreporter
    tr.section("token contract summary")
    for line in run_lines(config):
        tr.write_line(line)
    if stopped is not None:
        tr.write_line(f"stopped before the first test (exit {int(stopped[1])}): {stopped[0]}", red=True)
        return
    _families(tr, config, run, pacer)
    preflight = pacer.stats[PREFLIGHT].requests if PREFLIGHT in pacer.stats else 0
    if preflight:
        tr.write_line(f"preflight: {preflight} request(s) before the first test")
    budget = "" if pacer.run_budget is None else f" of a budget of {pacer.run_budget}"
    tr.write_line(f"requests sent: {pacer.sent}{budget}")
    _waiting(tr, run, pacer)
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


def _waiting(tr: pytest.TerminalReporter, run: Run, pacer: Pacer) -> None:
    """How long the run waited for 429s, and the tests a target that kept pacing stopped."""
    honoured, unhinted, seconds = pacer.waited()
    if honoured:
        paced = f", {unhinted} of them with no wait hint, backed off" if unhinted else ""
        tr.write_line(f"waited: {seconds:.1f} s for {honoured} 429(s){paced}")
    stopped = sum(1 for r in run.report.records.values() if r.skip == PACED)
    if stopped:
        tr.write_line(f"paced: {stopped} test(s) stopped by 429s that outlasted TOKEN_API_MAX_WAIT", red=True)


def _families(tr: pytest.TerminalReporter, config: pytest.Config, run: Run, pacer: Pacer) -> None:
    """The plan, then each family's tests, requests, skips, failures and checks exercised."""
    exercised = {str(c) for c in config.stash[CONTEXT].coverage.exercised}
    coverage = run.report.coverage(exercised)
    plan_text = config.stash.get(PLAN_TEXT, "")
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
