"""The suite's self-check: does it catch every seeded fault, and pass every correct configuration?

    python -m selfcheck [--quick] [--baseline] [--only NAME ...] [--jobs N] [--report PATH]

For each variant (``selfcheck.faults.FAULTS`` and ``CORRECT``) it starts ``python -m
oauth2_token_contract.mock serve --app selfcheck.faults:app --app-arg NAME --port 0`` as its own process on
loopback, runs ``pytest FAMILIES`` in a child process against that URL exactly as
a user would point it at staging, and reads the JUnit file to find the checks that failed. ``--baseline`` also
runs plain ``st run`` over the same spec against the same server; plain Schemathesis "caught" a fault when it
reports a failure it does not report against the unmodified mock (its own false positives there are noise).

Prints a table (and writes it, as markdown, to ``--report``: ``reports/selfcheck.md``, or the committed
``SELFCHECK.md`` under ``./run selfcheck``), the kill rate and the false positives; exits 1 unless
every fault was caught and every correct configuration passed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from oauth2_token_contract.mock.processes import run_group
from oauth2_token_contract.mock.server import running_mock_process
from oauth2_token_contract.mock.settings import load_settings

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from selfcheck.faults import CORRECT, FAULTS
from selfcheck.suite_run import FAMILIES, ROOT, run_suite, suite_env

__all__ = ["QUICK", "Outcome", "Variant", "check_all", "check_variant", "main", "render_table", "variants"]

REPORT = ROOT / "reports" / "selfcheck.md"
# Faults in different components, quick to fail, and one correct configuration.
QUICK = (
    "secret-not-checked",
    "duplicate-parameters-accepted",
    "same-token-every-time",
    "grant-type-trimmed",
    "no-retry-in",
    "opaque",
)
REFERENCE = "opaque"  # the unmodified mock: what plain Schemathesis reports there is its noise
REQUEST_TIMEOUT = 3.0  # plain st's per-request timeout (the suite keeps its user default)
SUITE_DEADLINE = 600.0
STARTUP_DEADLINE = 20.0
ST_OPTIONS = ("--checks", "all", "--max-examples", "50", "--continue-on-failure", "--seed", "1")


@dataclass(frozen=True)
class Column:
    """How a user runs the suite against a URL: nothing told about the target but its credentials."""

    name: str
    env: tuple[tuple[str, str], ...]
    bursts: bool


# The defaults a staging job gets (budget unset, so 400; bursts allowed), and a tight budget without
# bursts: every fault outside the 429 path must still be caught there.
COLUMNS = (
    Column("default budget, bursts", (("TOKEN_API_ALLOW_BURST", "1"),), bursts=True),
    Column("150 requests, no bursts", (("TOKEN_API_MAX_REQUESTS", "150"),), bursts=False),
)


@dataclass(frozen=True)
class Variant:
    """A server to check: a fault (``expected`` names its check) or a correct configuration."""

    name: str
    description: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    expected: tuple[str, ...] = ()  # a fault: the checks that may catch it, the first its own
    burst_only: bool = False
    env: tuple[tuple[str, str], ...] = ()  # what else the target's owner tells the suite

    @property
    def is_fault(self) -> bool:
        return bool(self.expected)

    @property
    def on_429_path(self) -> bool:
        """A fault only a burst can show (it cannot be caught without one)."""
        return self.burst_only or (self.is_fault and set(self.expected) <= BURST_CHECKS)

    @property
    def serve_args(self) -> tuple[str, ...]:
        return ("--app", "selfcheck.faults:app", "--app-arg", self.name)


BURST_CHECKS = {
    str(c)
    for c in (
        Check.BURST_MEETS_429,
        Check.RETRY_IN_IS_DIGITS,
        Check.RETRY_IN_IS_ENOUGH,
        Check.RETRY_IN_NOT_EXCESSIVE,
    )
}


@dataclass
class Run:
    """One column's run of the suite against a variant."""

    returncode: int | None  # None when it overran its deadline
    checks: list[str]  # every failing test's check, in JUnit order
    seconds: float
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.returncode == 1 and bool(self.checks)

    @property
    def passed(self) -> bool:
        return self.returncode == 0


@dataclass
class Outcome:
    variant: Variant
    runs: dict[str, Run] = field(default_factory=dict)  # column name -> run
    st_findings: set[str] | None = None  # plain st's failure kinds; None without --baseline
    st_seconds: float = 0.0

    def judged(self, column: Column) -> bool | None:
        """A fault caught (or a correct configuration passed) in that column; None when not expected
        of it (a 429-path fault without bursts)."""
        run = self.runs.get(column.name)
        if run is None or (self.variant.on_429_path and not column.bursts):
            return None
        if not self.variant.is_fault:
            return run.passed
        return run.failed and any(check in run.checks for check in self.variant.expected)

    @property
    def ok(self) -> bool:
        """Every column that applies says what it should."""
        return all(self.judged(column) is not False for column in COLUMNS)

    @property
    def checks(self) -> list[str]:
        first = self.runs.get(COLUMNS[0].name)
        return first.checks if first else []


def variants(names: Sequence[str] | None = None) -> list[Variant]:
    """Every fault, then every correct configuration; or the ``names`` asked for, in that order."""
    clients = load_settings().clients
    default = contract.load().request_examples()["clientCredentials"]["client_id"]

    def build(name: str) -> Variant:
        known = FAULTS.get(name) or CORRECT.get(name)
        if known is None:
            raise KeyError(name)
        client = clients[known.suite_client or default]
        scopes = tuple(sorted(client.scopes))
        fault = FAULTS.get(name)
        if fault is None:
            return Variant(name, known.description, client.client_id, client.client_secret, scopes)
        expected = tuple(str(check) for check in fault.checks)
        return Variant(
            name,
            known.description,
            client.client_id,
            client.client_secret,
            scopes,
            expected,
            fault.burst_only,
            fault.env,
        )

    chosen = list(names) if names else [*FAULTS, *CORRECT]
    unknown = [n for n in chosen if n not in FAULTS and n not in CORRECT]
    if unknown:
        raise SystemExit(f"selfcheck: unknown variant(s): {', '.join(unknown)}")
    return [build(name) for name in chosen]


# -- processes -------------------------------------------------------------------------------------
@contextmanager
def served(serve_args: Sequence[str]) -> Iterator[str]:
    """``token-contract-mock serve --port 0 ...`` in its own process group; yields its base URL."""
    with running_mock_process(extra_args=serve_args, timeout=STARTUP_DEADLINE) as url:
        yield url


def run_column(variant: Variant, column: Column, workdir: Path) -> Run:
    """``pytest FAMILIES`` against a fresh server of the variant, as a staging job runs it."""
    junit = workdir / f"junit-{len(list(workdir.iterdir()))}.xml"
    started = time.monotonic()
    try:
        with served(variant.serve_args) as url:
            env = {
                "TOKEN_API_CLIENT_ID": variant.client_id,
                "TOKEN_API_CLIENT_SECRET": variant.client_secret,
                "TOKEN_API_SCOPE": " ".join(variant.scopes),
                **dict(variant.env),
                **dict(column.env),
            }
            done = run_suite(url, junit, env=env, deadline=SUITE_DEADLINE)
    except RuntimeError as exc:
        return Run(None, [], time.monotonic() - started, note=str(exc))
    run = Run(done.returncode, done.failing_checks(), time.monotonic() - started)
    if done.returncode is None:
        run.note = f"the suite overran {SUITE_DEADLINE:g} s"
    elif done.returncode not in (0, 1):
        run.note = f"the suite exited {done.returncode}"
    return run


# -- plain Schemathesis ------------------------------------------------------------------------------
def _st_command() -> str:
    """The ``st`` beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("st")
    return str(beside) if beside.exists() else shutil.which("st") or "st"


def run_plain_schemathesis(variant: Variant, url: str, workdir: Path) -> set[str]:
    """``st run`` over the spec with the options a user would pass; the kinds of failure it reports."""
    report = workdir / "st.json"
    command = [
        _st_command(),
        "run",
        str(contract.spec_path()),
        "--url",
        url,
        "--auth",
        f"{variant.client_id}:{variant.client_secret}",
        *ST_OPTIONS,
        "--request-timeout",
        str(REQUEST_TIMEOUT),
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    returncode = run_group(command, cwd=workdir, env=suite_env(url), deadline=SUITE_DEADLINE)
    if returncode is None or not report.exists():
        return {"(did not finish)"}
    data = json.loads(report.read_text(encoding="utf-8"))
    findings = {f"{f['code']} {f['title']}" for f in data.get("failures") or []}
    findings |= {f"error: {e.get('title') or e.get('type') or e}" for e in data.get("errors") or []}
    return findings


# -- one variant -------------------------------------------------------------------------------------
def check_variant(variant: Variant, *, baseline: bool = False) -> Outcome:
    """Every column against the variant (a fresh server each), and plain ``st run`` when asked."""
    outcome = Outcome(variant)
    with tempfile.TemporaryDirectory(prefix=f"selfcheck-{variant.name}-") as tmp:
        workdir = Path(tmp)
        for column in COLUMNS:
            if column.bursts or not variant.on_429_path:
                outcome.runs[column.name] = run_column(variant, column, workdir)
        if baseline:
            started = time.monotonic()
            try:
                with served(variant.serve_args) as url:
                    outcome.st_findings = run_plain_schemathesis(variant, url, workdir)
            except RuntimeError as exc:
                outcome.st_findings = {f"(server did not start: {exc})"}
            outcome.st_seconds = time.monotonic() - started
    return outcome


def check_all(
    chosen: Sequence[Variant], *, baseline: bool = False, jobs: int = 1, progress: bool = False
) -> list[Outcome]:
    """:func:`check_variant` for each, ``jobs`` at a time; outcomes in the order given."""

    def one(variant: Variant) -> Outcome:
        outcome = check_variant(variant, baseline=baseline)
        if progress:
            verdict = "ok" if outcome.ok else "NOT OK"
            seconds = sum(run.seconds for run in outcome.runs.values())
            print(f"  {variant.name}: {verdict} ({seconds:.0f} s)", file=sys.stderr, flush=True)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, chosen))


# -- the table ---------------------------------------------------------------------------------------
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


def _header(argv: Sequence[str], seconds: float) -> str:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m selfcheck", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--baseline", action="store_true", help="also run plain `st run` on each variant")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these variants (faults or correct)")
    parser.add_argument("--jobs", type=int, default=1, help="variants checked in parallel")
    parser.add_argument("--report", type=Path, default=REPORT, help="markdown report (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    names = args.only or (list(QUICK) if args.quick else None)
    chosen = variants(names)
    if args.baseline and not any(v.name == REFERENCE for v in chosen):
        chosen.append(variants([REFERENCE])[0])  # plain st's noise needs the unmodified mock
    started = time.monotonic()
    outcomes = check_all(chosen, baseline=args.baseline, jobs=args.jobs, progress=True)
    reference = next((o for o in outcomes if o.variant.name == REFERENCE), None)
    noise = (reference.st_findings or set()) if reference else set()
    table = render_table(outcomes, noise)
    print(table)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(_header(argv, time.monotonic() - started) + table + "\n", encoding="utf-8")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
