"""The suite's self-check: does it catch every seeded fault, and pass every correct configuration?

    python -m selfcheck [--quick] [--baseline] [--only NAME ...] [--jobs N] [--report PATH] [--spec SPEC]

For each variant (``selfcheck.faults.FAULTS`` and ``CORRECT``) it starts ``python -m
oauth2_token_contract.mock serve --app selfcheck.faults:app --app-arg NAME --port 0`` as its own process on
loopback, runs ``pytest FAMILIES`` in a child process against that URL exactly as
a user would point it at staging, and reads the JUnit file to find the checks that failed. ``--baseline`` also
runs plain ``st run`` over the same spec against the same server; plain Schemathesis "caught" a fault when it
reports a failure it does not report against the unmodified mock (its own false positives there are noise).

Prints a table (and writes it, as markdown, to ``--report``: ``reports/selfcheck.md``, or the committed
``SELFCHECK.md`` under ``./run selfcheck``), the kill rate and the false positives; exits 1 unless
every fault was caught and every correct configuration passed. ``--spec`` runs it all under another
contract (``moov-published``): the servers and the suite both read it, and the variants that mean
nothing under it (:mod:`selfcheck.applicability`) are listed with the reason, not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from oauth2_token_contract.mock.server import running_mock_process
from oauth2_token_contract.spec import contract
from selfcheck.applicability import not_applicable
from selfcheck.baseline import run_plain_schemathesis
from selfcheck.outcomes import COLUMNS, Column, Outcome, Run, Variant, variants
from selfcheck.report import header, render_table
from selfcheck.suite_run import ROOT, run_suite

__all__ = ["QUICK", "check_all", "check_variant", "main"]

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
SUITE_DEADLINE = 600.0
STARTUP_DEADLINE = 20.0


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
            if os.environ.get("TOKEN_API_SPEC"):  # the contract both sides read (--spec)
                env["TOKEN_API_SPEC"] = os.environ["TOKEN_API_SPEC"]
            done = run_suite(url, junit, env=env, deadline=SUITE_DEADLINE)
    except RuntimeError as exc:
        return Run(None, [], time.monotonic() - started, note=str(exc))
    run = Run(done.returncode, done.failing_checks(), time.monotonic() - started)
    if done.returncode is None:
        run.note = f"the suite overran {SUITE_DEADLINE:g} s"
    elif done.returncode not in (0, 1):
        run.note = f"the suite exited {done.returncode}"
    return run


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
                    outcome.st_findings = run_plain_schemathesis(
                        variant, url, workdir, deadline=SUITE_DEADLINE
                    )
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m selfcheck", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--baseline", action="store_true", help="also run plain `st run` on each variant")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these variants (faults or correct)")
    parser.add_argument("--jobs", type=int, default=1, help="variants checked in parallel")
    parser.add_argument("--report", type=Path, default=REPORT, help="markdown report (default: %(default)s)")
    parser.add_argument(
        "--spec", help="the contract: a file or a version name (default: TOKEN_API_SPEC or docs-page)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.spec:
        os.environ["TOKEN_API_SPEC"] = args.spec  # the served variants read it too
    names = args.only or (list(QUICK) if args.quick else None)
    read = contract.load()
    skipped = {v.name: why for v in variants(names) if (why := not_applicable(v.name, read))}
    chosen = [v for v in variants(names) if v.name not in skipped]
    if args.baseline and not any(v.name == REFERENCE for v in chosen):
        chosen.append(variants([REFERENCE])[0])  # plain st's noise needs the unmodified mock
    started = time.monotonic()
    outcomes = check_all(chosen, baseline=args.baseline, jobs=args.jobs, progress=True)
    reference = next((o for o in outcomes if o.variant.name == REFERENCE), None)
    noise = (reference.st_findings or set()) if reference else set()
    table = render_table(outcomes, noise)
    if skipped:
        table += f"\n\nNot applicable under {read.title}:\n" + "\n".join(
            f"- `{name}`: {why}" for name, why in skipped.items()
        )
    print(table)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(header(argv, time.monotonic() - started) + table + "\n", encoding="utf-8")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
