"""How a contract run stops before its first test: one line, a failing JUnit entry, its own exit code.

A bad setting, a budget too small for the contract or a failed preflight is not a verdict on the
target, and must not look like one, nor like "no tests" (an empty JUnit file a CI reads as green):

* before the session starts (a setting, in ``pytest_configure``): :func:`refuse` writes a JUnit file
  of one error itself, since pytest writes none that early, and raises a usage error: pytest prints
  ``ERROR: <the line>`` and exits 4;
* once it has (the plan, the preflight): :func:`stop` logs a failing entry ``token-contract::NAME``
  that the terminal and JUnit show like any test's, and the run ends with the exit code given
  (:class:`~oauth2_token_contract.suite.exit_codes.Exit`), which the verdicts' ``pytest_sessionfinish``
  sets instead of judging a run that never ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from oauth2_token_contract.plugin.stash import STOPPED
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.exit_codes import Exit

__all__ = ["refuse", "stop"]


def _write_junit(path: str, name: str, message: str) -> None:
    """A JUnit file of one erroring case, as pytest's own writer would lay it out."""
    suite = ET.Element("testsuite", name="pytest", tests="1", errors="1", failures="0", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="token-contract", name=name, time="0")
    ET.SubElement(case, "error", message=message.split("\n", 1)[0]).text = message
    root = ET.Element("testsuites")
    root.append(suite)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)


def refuse(config: pytest.Config, name: str, message: str) -> pytest.UsageError:
    """The usage error to raise for ``message`` before the session starts, its JUnit file written."""
    message = REDACTOR.text(message)
    junit = getattr(config.option, "xmlpath", None)
    if junit and not hasattr(config, "workerinput"):
        _write_junit(junit, name, message)
    return pytest.UsageError(message)


def stop(config: pytest.Config, name: str, message: str, code: Exit) -> None:
    """Stop the run before its first test: the caller leaves no test to run; this says why, once."""
    message = REDACTOR.text(message)
    common: dict[str, Any] = {
        "nodeid": f"token-contract::{name}",
        "location": ("token-contract", None, name),
        "keywords": {},
    }
    config.hook.pytest_runtest_logreport(
        report=pytest.TestReport(outcome="failed", longrepr=message, when="setup", **common)
    )
    config.hook.pytest_runtest_logreport(
        report=pytest.TestReport(outcome="passed", longrepr=None, when="teardown", **common)
    )
    config.stash[STOPPED] = (message, code)
