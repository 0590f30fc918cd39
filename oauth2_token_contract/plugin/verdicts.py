"""The run's own verdicts, judged at its end on the controller (or the one process).

* Coverage: every check a selected test declared (``@pytest.mark.checks``) must have judged
  something, or the run fails (``TOKEN_API_ALLOW_PARTIAL=1`` lets it pass, saying so).
* Promptness: answers far slower than the others fail ``answers_promptly``.
* Expected failures (``TOKEN_API_EXPECTED_FAILURES``) that did not happen fail the run: the list stays true.

A run stopped before its first test (:mod:`.stops`) is not judged: it exits with the code it stopped with.

Each verdict is a failing entry of its own, in the terminal, in JUnit and in the exit code.
"""

from __future__ import annotations

from textwrap import indent
from typing import Any

import pytest

from oauth2_token_contract.plugin.stash import CONTEXT, PACER, RUN, SETTINGS, STOPPED, Run
from oauth2_token_contract.plugin.xdist import hand_over, is_worker
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.report import CURL, FAMILY, FINDING

__all__ = ["pytest_sessionfinish"]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its counts to the controller; the controller (or the one process) judges the
    run: coverage, answers far slower than the others, stale expected failures."""
    config = session.config
    run = config.stash[RUN]
    if is_worker(config):
        hand_over(config)
        return
    stopped = config.stash.get(STOPPED, None)
    if stopped is not None:
        session.exitstatus = int(stopped[1])
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
    session.config.stash[RUN].verdicts.append(f"{name}: {message}")


def _judge_coverage(session: pytest.Session, run: Run) -> None:
    missing = run.report.unexercised({str(c) for c in session.config.stash[CONTEXT].coverage.exercised})
    if not missing:
        return
    lines = [
        f"  {check} (declared by {len(tests)} test(s), e.g. {tests[0]}): {run.report.why_unjudged(check)}"
        for check, tests in missing.items()
    ]
    message = (
        f"{len(missing)} check(s) applied to the target but judged nothing, so the contract was not "
        "checked in full:\n" + "\n".join(lines)
    )
    if session.config.stash[SETTINGS].allow_partial:
        run.verdicts.append("partial coverage allowed (TOKEN_API_ALLOW_PARTIAL=1): " + ", ".join(missing))
        return
    _verdict(
        session,
        "coverage",
        message + "\n(TOKEN_API_ALLOW_PARTIAL=1 lets such a run pass)",
        [("check", "coverage"), *(("unexercised", check) for check in missing)],
    )


def _judge_promptness(session: pytest.Session) -> None:
    latencies = session.config.stash[PACER].latencies
    if len(latencies.seconds) < 10:
        return
    session.config.stash[CONTEXT].judged(Check.ANSWERS_PROMPTLY)
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
    session.config.stash[RUN].report.add(
        "token-contract::answers_promptly",
        [(FAMILY, "(whole run)"), (FINDING, finding), (CURL, slow[0].curl)],
        "failed",
    )


def _judge_expected(session: pytest.Session, run: Run) -> None:
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
