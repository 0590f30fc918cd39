"""The self-check's report: the markdown table of outcomes, the kill rate per column and the false
alarms, and the header that says where, when and how it was run.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime

from selfcheck.baseline import REQUEST_TIMEOUT, ST_OPTIONS
from selfcheck.outcomes import COLUMNS, Column, Outcome, Run
from selfcheck.suite_run import FAMILIES

__all__ = ["header", "render_table"]


def _cell(outcome: Outcome, column: Column) -> str:
    judged = outcome.judged(column)
    run = outcome.runs.get(column.name)
    if judged is None:
        return "n/a (429 path)"
    if run is None:
        return "-"
    if not outcome.variant.is_fault:
        return "passed" if judged else f"**FALSE ALARM** ({_first(run)})"
    if judged:
        return "caught"
    return f"**MISSED** ({_first(run)})" if run.checks else f"**MISSED** ({run.note or 'passed'})"


def _first(run: Run) -> str:
    checks = list(dict.fromkeys(run.checks))
    if not checks:
        return run.note or f"exit {run.returncode}"
    return checks[0] + (f" +{len(checks) - 1}" if len(checks) > 1 else "")


def _caught_by(outcome: Outcome) -> str:
    checks = list(dict.fromkeys(outcome.checks))
    if not outcome.variant.is_fault:
        return ""
    if not checks:
        return "-"
    expected = next((c for c in outcome.variant.expected if c in checks), None)
    if expected is not None:
        checks.remove(expected)
        checks.insert(0, expected)
        shown = f"`{expected}`"
    else:
        shown = f"{checks[0]} (expected {outcome.variant.expected[0]})"
    rest = len(checks) - 1
    return shown + (f" (+{rest} more)" if rest else "")


def _plain(outcome: Outcome, noise: set[str]) -> str:
    if outcome.st_findings is None:
        return ""
    new = sorted(outcome.st_findings - noise)
    if not outcome.variant.is_fault:
        return ("false alarm: " + ", ".join(sorted(outcome.st_findings))) if outcome.st_findings else "passed"
    return ("caught (" + ", ".join(new) + ")") if new else "missed"


def render_table(outcomes: Sequence[Outcome], noise: set[str] | None = None) -> str:
    """The markdown table, then the kill rate per column and the false alarms."""
    with_st = any(o.st_findings is not None for o in outcomes)
    noise = noise or set()
    head = ["variant", "kind", *(c.name for c in COLUMNS), "caught by"]
    if with_st:
        head.append("plain `st run`")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for o in outcomes:
        kind = "fault" if o.variant.is_fault else "correct"
        row = [o.variant.name, kind, *(_cell(o, c) for c in COLUMNS), _caught_by(o)]
        if with_st:
            row.append(_plain(o, noise))
        lines.append("| " + " | ".join(row) + " |")
    faults = [o for o in outcomes if o.variant.is_fault]
    correct = [o for o in outcomes if not o.variant.is_fault]
    lines.append("")
    for column in COLUMNS:
        judged = [o for o in faults if o.judged(column) is not None]
        caught = [o for o in judged if o.judged(column)]
        if judged:
            missed = [o.variant.name for o in judged if not o.judged(column)]
            lines.append(
                f"{column.name}: {len(caught)}/{len(judged)} faults caught by the expected check"
                + (f"; missed: {', '.join(missed)}." if missed else ".")
            )
    if with_st and faults:
        st_caught = [o for o in faults if o.st_findings and o.st_findings - noise]
        lines.append(f"Plain `st run` caught {len(st_caught)}/{len(faults)}.")
    if correct:
        false = sorted({o.variant.name for o in correct for c in COLUMNS if o.judged(c) is False})
        lines.append(
            f"False alarms: {len(false)}/{len(correct)} correct configurations failed"
            + (f" ({', '.join(false)})." if false else ".")
        )
    return "\n".join(lines)


def header(argv: Sequence[str], seconds: float) -> str:
    """The report's first lines: when and where it ran, and the exact commands, so a run can be redone."""
    import schemathesis

    return "\n".join(
        [
            "# Self-check: the contract suite against seeded faults",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"Schemathesis {getattr(schemathesis, '__version__', '?')}",
            f"- command: `python -m selfcheck {' '.join(argv)}`".rstrip() + f"; {seconds:.0f} s",
            f"- suite: `pytest {FAMILIES}` by URL with the target's credentials and scope, nothing else "
            "but each column's settings: " + "; ".join(f"{c.name}: {dict(c.env)}" for c in COLUMNS),
            f"- plain: `st run SPEC --url URL --auth ID:SECRET {' '.join(ST_OPTIONS)} "
            f"--request-timeout {REQUEST_TIMEOUT:g}`",
            "",
            "",
        ]
    )
