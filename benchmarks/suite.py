"""The suite's own pace: the contract suite (``ci`` profile) against the embedded mock, serial and with
``-n 2``, and plain ``st run`` over the same spec and the same kind of target.

    .venv/bin/python -m benchmarks.suite            # 3 runs of each, alternated
    .venv/bin/python -m benchmarks.suite --quick    # 1 run of each

The suite is timed from launching pytest (start-up, collection and its own mock included) to its
exit; its request count is what its pacer sent, written by ``benchmarks.count_requests`` in every
process (xdist workers each run their own mock). ``st run`` gets a mock started here the way the
suite starts its own (``oauth2_token_contract.mock.running_mock``: default config and budgets), the default
client's Basic credentials, the ``ci`` profile's ``--max-examples``, ``--continue-on-failure`` and
``--generation-deterministic``; its count is its ``Test cases: N generated`` line.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import CLIENT_ID, CLIENT_SECRET, ROOT
from oauth2_token_contract.suite.errors import SettingError
from oauth2_token_contract.suite.settings import Settings

RUN_TIMEOUT = 600.0


@dataclass(frozen=True)
class Run:
    wall: float
    count: int  # requests (suite) or generated cases (st run)
    passed: bool

    @property
    def per_second(self) -> float:
        return self.count / self.wall if self.wall else 0.0


def suite_run(workers: int) -> Run:
    """The suite as ``./run contract`` runs it (plus ``-n workers`` when above 0)."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as counts:
        env = {**os.environ, "TOKEN_API_PROFILE": "ci", "BENCH_COUNT_DIR": counts}
        env.pop("TOKEN_API_TARGET", None)
        # Python's default: with bytecode writing off (as in some sandboxes), pytest re-does its
        # assertion rewriting of every plugin module on every run, seconds that no user pays twice.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "oauth2_token_contract/suite/families",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        command += ["-p", "benchmarks.count_requests"] + (["-n", str(workers)] if workers else [])
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
        wall = time.perf_counter() - started
        sent = sum(int(path.read_text()) for path in Path(counts).glob("*.count"))
    return Run(wall, sent, done.returncode == 0)


def st_run(max_examples: int | None) -> Run:
    from oauth2_token_contract.mock import running_mock

    with running_mock() as base_url:
        command = [
            os.path.join(os.path.dirname(sys.executable), "st"),
            "run",
            str(ROOT / "openapi" / "oauth2-token.yaml"),
            "--url",
            base_url,
            "--auth",
            f"{CLIENT_ID}:{CLIENT_SECRET}",
            "--continue-on-failure",
            "--generation-deterministic",
            "--no-color",
        ]
        if max_examples is not None:
            command += ["--max-examples", str(max_examples)]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
        wall = time.perf_counter() - started
    generated = re.search(r"(\d+) generated", done.stdout)
    return Run(wall, int(generated.group(1)) if generated else 0, done.returncode == 0)


def _ci_max_examples() -> int:
    from hypothesis import settings

    from oauth2_token_contract.suite import profiles

    profiles.register()
    return int(settings.get_profile("ci").max_examples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suite", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each instead of three")
    parser.add_argument("--runs", type=int, help="runs of each (default 3; quick 1)")
    args = parser.parse_args(argv)
    try:  # a bad TOKEN_API_* value is said here, in one line, not in a child's output
        Settings.from_env()
    except SettingError as exc:
        print(f"benchmarks: {exc}", file=sys.stderr)
        return 4
    runs = args.runs or (1 if args.quick else 3)
    max_examples = _ci_max_examples()
    kinds = ("suite", "suite -n 2", "st run")
    results: dict[str, list[Run]] = {kind: [] for kind in kinds}
    for attempt in range(runs):
        for kind in kinds[attempt % 3 :] + kinds[: attempt % 3]:
            if kind == "st run":
                result = st_run(max_examples)
            else:
                result = suite_run(2 if kind.endswith("-n 2") else 0)
            results[kind].append(result)
            print(f"  {kind}: {result}", file=sys.stderr, flush=True)
    print(f"ci profile: max_examples={max_examples}; {runs} run(s) each, alternated; medians")
    header = f"{'run':<40}{'wall s':>8}{'count':>8}{'per s':>8}  {'green':<6}{'x st run':>9}"
    print(header)
    print("-" * len(header))
    plain_rate = statistics.median(r.per_second for r in results["st run"])
    labels = {
        "suite": "contract suite (requests)",
        "suite -n 2": "contract suite -n 2 (requests)",
        "st run": f"st run -n {max_examples} (cases)",
    }
    for kind in kinds:
        done = results[kind]
        wall = statistics.median(r.wall for r in done)
        count = statistics.median(r.count for r in done)
        rate = statistics.median(r.per_second for r in done)
        green = "yes" if all(r.passed for r in done) else "no"
        print(f"{labels[kind]:<40}{wall:>8.1f}{count:>8.0f}{rate:>8.1f}  {green:<6}{rate / plain_rate:>9.1f}")
    print("st run 'green: no' is its own verdict on the mock (a finding, not a benchmark failure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
