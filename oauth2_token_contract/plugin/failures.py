"""A stopped test's report, rewritten as the suite says it.

* A failure of a contract check becomes its check, its cause, the checks the same answer broke
  alongside, a curl line and the answer (all redacted), plus Hypothesis's falsifying example and
  reproduce line, instead of a traceback. A failed setup step is a failed precondition.
* A spent request budget is a skip that says so (its checks stay applicable: see the verdicts).
* A failure ``TOKEN_API_EXPECTED_FAILURES`` covers, every finding of it, is an expected failure.
* Whatever the failure, no known secret leaves in its report.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from hypothesis.errors import Flaky as HypothesisFlaky

from oauth2_token_contract.plugin.collection import declared, family_of
from oauth2_token_contract.plugin.stash import CONTEXT, PACER, RUN
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.errors import (
    BudgetExhausted,
    ContractViolation,
    NoAnswer,
    TargetError,
    TargetPaced,
)
from oauth2_token_contract.suite.exchange import as_curl
from oauth2_token_contract.suite.report import (
    BUDGET,
    CHECKS,
    CURL,
    FAMILY,
    FINDING,
    NOT_APPLICABLE,
    PACED,
    SKIP,
)

__all__ = ["INTERMITTENT", "budget_spent", "pytest_runtest_makereport"]


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


def budget_spent(error: BaseException, config: pytest.Config) -> str | None:
    """Why a test stopped, when it stopped because the request budget ran out; else None.

    Hypothesis replays a failing example: when the budget ran out mid-example, the replay meets the
    spent budget at its first request, draws less than the first run did and reports its own
    ``Flaky`` error instead of ours. The error, its causes and group members are searched, and a
    ``Flaky`` error while the budget is spent counts as spent too.
    """
    spent = next((e for e in _walk(error, causes=True) if isinstance(e, BudgetExhausted)), None)
    if spent is not None:
        return str(spent)
    pacer = config.stash.get(PACER, None)
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
    spent = budget_spent(error, item.config)
    if spent is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {spent}")
        item.user_properties.append((SKIP, BUDGET))
    elif isinstance(error, TargetPaced):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: paced: {error}")
        item.user_properties.append((SKIP, PACED))
    elif isinstance(error, ContractViolation):
        findings = _findings(error)
        for check, _, _ in findings:
            item.config.stash[CONTEXT].judged(Check(check))
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
        item.user_properties += [(FAMILY, family), (CHECKS, " ".join(map(str, declared(item))))]
    excinfo = call.excinfo
    held = config.stash[CONTEXT].alongside.take() if report.when == "call" else []
    error = excinfo.value if excinfo is not None else None
    if error is not None and budget_spent(error, config) is None:
        error = _suite_failure_in(error)
    if held and family is not None and report.when == "call":
        error = _with_held(error, held, report)
    if error is not None and report.when in ("setup", "call"):
        _describe_failure(item, report, error, family)
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        # The last net: whatever the failure, no known secret leaves in it.
        report.longrepr = REDACTOR.text(str(report.longrepr))
    if family is not None and (report.when == "call" or report.outcome != "passed"):
        stats = config.stash[PACER].stats[family]
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
    expected = item.config.stash[RUN].expected
    if expected is None or not report.failed:
        return
    covered = expected.cover(findings)
    if covered:
        report.outcome = "skipped"
        report.wasxfail = "; ".join(dict.fromkeys(e.describe() for e in covered))  # type: ignore[attr-defined]
        item.user_properties.append(("expected_failure", report.wasxfail))  # type: ignore[attr-defined]
