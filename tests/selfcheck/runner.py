"""The suite's self-check: does it catch every seeded fault, and pass every correct configuration?

    python -m tests.selfcheck [--quick] [--baseline] [--only NAME ...] [--jobs N] [--report PATH]

For each variant (``tests.faults.FAULTS`` and ``CORRECT``) it starts ``python -m mocks serve --app
tests.faults:app --app-arg NAME --port 0`` as its own process on loopback, runs ``pytest
tests/contract`` in a child process against that URL exactly as a user would point it at staging,
and reads the JUnit file to find the checks that failed. ``--baseline`` also runs plain ``st run``
over the same spec against the same server; plain Schemathesis "caught" a fault when it reports a
failure it does not report against the unmodified mock (its own false positives there are noise).

Prints a table (and writes it, as markdown, to ``reports/selfcheck.md``), the kill rate and the false
positives; exits 1 unless every fault was caught and every correct configuration passed.
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

from mocks.processes import run_group
from mocks.server import running_mock_process
from mocks.settings import load_settings
from tests.faults import CORRECT, FAULTS
from tests.support.suite import ROOT, SuiteRun, run_suite, suite_env
from token_spec import contract

__all__ = ["QUICK", "Outcome", "Variant", "check_all", "check_variant", "main", "render_table", "variants"]

REPORT = ROOT / "reports" / "selfcheck.md"
# Five faults, each in another component and quick to fail, and one correct configuration.
QUICK = (
    "secret-not-checked",
    "duplicate-parameters-accepted",
    "same-token-every-time",
    "grant-type-trimmed",
    "no-retry-in",
    "opaque",
)
REFERENCE = "opaque"  # the unmodified mock: what plain Schemathesis reports there is its noise
REQUEST_TIMEOUT = 3.0  # the suite's (and plain st's) per-request timeout: stalls show in seconds
SUITE_DEADLINE = 600.0
STARTUP_DEADLINE = 20.0
ST_OPTIONS = ("--checks", "all", "--max-examples", "50", "--continue-on-failure", "--seed", "1")


@dataclass(frozen=True)
class Variant:
    """A server to check: a fault (``expected`` names its check) or a correct configuration."""

    name: str
    description: str
    serve_args: tuple[str, ...]
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    expected: str | None = None

    @property
    def is_fault(self) -> bool:
        return self.expected is not None


@dataclass
class Outcome:
    variant: Variant
    returncode: int | None  # the suite's exit code; None when it overran its deadline
    checks: list[str]  # every failing test's check, in JUnit order
    seconds: float
    st_findings: set[str] | None = None  # plain st's failure kinds; None without --baseline
    st_seconds: float = 0.0
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.returncode == 1 and bool(self.checks)

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def ok(self) -> bool:
        """A fault caught, or a correct configuration passed."""
        return self.failed if self.variant.is_fault else self.passed


def variants(names: Sequence[str] | None = None) -> list[Variant]:
    """Every fault, then every correct configuration; or the ``names`` asked for, in that order."""
    clients = load_settings().clients
    default = contract.load().request_examples()["clientCredentials"]["client_id"]

    def build(name: str) -> Variant:
        serve: tuple[str, ...]
        expected: str | None
        if name in FAULTS:
            fault = FAULTS[name]
            serve = ("--app", "tests.faults:app", "--app-arg", name)
            chosen, expected = fault.suite_client, fault.check
        elif name in CORRECT:
            correct = CORRECT[name]
            rate = ("--rate-limit", correct.rate_limit) if correct.rate_limit else ()
            serve, chosen, expected = rate, correct.suite_client, None
        else:
            raise KeyError(name)
        client = clients[chosen or default]
        description = FAULTS[name].description if name in FAULTS else CORRECT[name].description
        return Variant(
            name,
            description,
            serve,
            client.client_id,
            client.client_secret,
            tuple(sorted(client.scopes)),
            expected,
        )

    chosen = list(names) if names else [*FAULTS, *CORRECT]
    unknown = [n for n in chosen if n not in FAULTS and n not in CORRECT]
    if unknown:
        raise SystemExit(f"selfcheck: unknown variant(s): {', '.join(unknown)}")
    return [build(name) for name in chosen]


# -- processes -------------------------------------------------------------------------------------
@contextmanager
def served(serve_args: Sequence[str]) -> Iterator[str]:
    """``python -m mocks serve --port 0 ...`` in its own process group; yields its base URL."""
    with running_mock_process(extra_args=serve_args, timeout=STARTUP_DEADLINE) as url:
        yield url


def run_variant_suite(variant: Variant, url: str, junit: Path) -> SuiteRun:
    """``pytest tests/contract`` against ``url``, configured as a user would configure a staging run."""
    return run_suite(
        url,
        junit,
        env={
            "TOKEN_API_CLIENT_ID": variant.client_id,
            "TOKEN_API_CLIENT_SECRET": variant.client_secret,
            "TOKEN_API_SCOPE": " ".join(variant.scopes),
            "TOKEN_API_MAX_REQUESTS": "20000",
            "TOKEN_API_ALLOW_BURST": "1",
            # We know each variant's budget (per second), as a platform team knows its own service's:
            # a bounded burst must meet a 429, or the limiter is missing.
            "TOKEN_API_EXPECT_429_WITHIN": "1000",
            "TOKEN_API_TIMEOUT": str(REQUEST_TIMEOUT),
            "TOKEN_API_PROFILE": "ci",
        },
        deadline=SUITE_DEADLINE,
    )


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
    with tempfile.TemporaryDirectory(prefix=f"selfcheck-{variant.name}-") as tmp:
        workdir = Path(tmp)
        junit = workdir / "junit.xml"
        started = time.monotonic()
        try:
            with served(variant.serve_args) as url:
                run = run_variant_suite(variant, url, junit)
                returncode = run.returncode
                seconds = time.monotonic() - started
                outcome = Outcome(variant, returncode, run.failing_checks(), seconds)
                if baseline:
                    st_started = time.monotonic()
                    outcome.st_findings = run_plain_schemathesis(variant, url, workdir)
                    outcome.st_seconds = time.monotonic() - st_started
        except RuntimeError as exc:
            return Outcome(variant, None, [], time.monotonic() - started, note=str(exc))
    if returncode is None:
        outcome.note = f"the suite overran {SUITE_DEADLINE:g} s"
    elif returncode not in (0, 1):
        outcome.note = f"the suite exited {returncode}"
    return outcome


def check_all(
    chosen: Sequence[Variant], *, baseline: bool = False, jobs: int = 1, progress: bool = False
) -> list[Outcome]:
    """:func:`check_variant` for each, ``jobs`` at a time; outcomes in the order given."""

    def one(variant: Variant) -> Outcome:
        outcome = check_variant(variant, baseline=baseline)
        if progress:
            verdict = "ok" if outcome.ok else "NOT OK"
            print(f"  {variant.name}: {verdict} ({outcome.seconds:.0f} s)", file=sys.stderr, flush=True)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, chosen))


# -- the table ---------------------------------------------------------------------------------------
def _caught_by(outcome: Outcome) -> str:
    checks = list(dict.fromkeys(outcome.checks))
    expected = outcome.variant.expected
    if not checks:
        return outcome.note or "-"
    if expected in checks:
        checks.remove(expected)
        checks.insert(0, expected)
        shown = f"**{expected}**"
    else:
        shown = checks[0] + (f" (expected {expected})" if expected else "")
    rest = len(checks) - 1
    return shown + (f" (+{rest} more)" if rest else "")


def _plain(outcome: Outcome, noise: set[str]) -> str:
    if outcome.st_findings is None:
        return ""
    new = sorted(outcome.st_findings - noise)
    if not outcome.variant.is_fault:
        return "noise: " + (", ".join(sorted(outcome.st_findings)) or "none")
    return ("caught: " + ", ".join(new)) if new else "missed"


def render_table(outcomes: Sequence[Outcome], noise: set[str] | None = None) -> str:
    """The markdown table, then the kill rate and the false positives."""
    with_st = any(o.st_findings is not None for o in outcomes)
    noise = noise or set()
    head = ["variant", "kind", "suite", "caught by (check)", "s"]
    if with_st:
        head += ["plain `st run`", "st s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for o in outcomes:
        kind = "fault" if o.variant.is_fault else "correct"
        if o.variant.is_fault:
            verdict = "caught" if o.failed else "**MISSED**"
        else:
            verdict = "passed" if o.passed else "**FALSE POSITIVE**"
        row = [o.variant.name, kind, verdict, _caught_by(o), f"{o.seconds:.0f}"]
        if with_st:
            row += [_plain(o, noise), f"{o.st_seconds:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    faults = [o for o in outcomes if o.variant.is_fault]
    correct = [o for o in outcomes if not o.variant.is_fault]
    caught = [o for o in faults if o.failed]
    named = [o for o in caught if o.variant.expected in o.checks]
    lines.append("")
    if faults:
        lines.append(
            f"Kill rate: {len(caught)}/{len(faults)} faults caught ({100 * len(caught) / len(faults):.0f}%), "
            f"{len(named)} by the expected check."
        )
        missed = [o.variant.name for o in faults if not o.failed]
        if missed:
            lines.append(f"Missed: {', '.join(missed)}.")
        if with_st:
            st_caught = [o for o in faults if o.st_findings and o.st_findings - noise]
            lines.append(
                f"Plain `st run` caught {len(st_caught)}/{len(faults)} (noise on the unmodified mock: "
                f"{', '.join(sorted(noise)) or 'none'})."
            )
    if correct:
        false = [o.variant.name for o in correct if not o.passed]
        lines.append(
            f"False positives: {len(false)}/{len(correct)} correct configurations failed"
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
            f"- command: `python -m tests.selfcheck {' '.join(argv)}`".rstrip() + f"; {seconds:.0f} s",
            f"- suite: `pytest tests/contract` by URL, profile ci, TOKEN_API_TIMEOUT={REQUEST_TIMEOUT:g}",
            f"- plain: `st run SPEC --url URL --auth ID:SECRET {' '.join(ST_OPTIONS)} "
            f"--request-timeout {REQUEST_TIMEOUT:g}`",
            "",
            "",
        ]
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.selfcheck", description=__doc__.split("\n")[0])
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
