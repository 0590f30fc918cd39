"""The flake check: the README's main command (``./run contract``) N times back to back.

    python -m tests.support.flakes [--runs 20] [--deadline 300] [-- pytest args]

A contract suite that fails one run in six teaches teams to rerun red builds, so run this before
changing the serving path or the suite's client, and after. It prints one line per run and a tally,
lists every test that failed with its first line, and exits 1 if any run failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def failures(junit: Path) -> list[str]:
    """``test id: first line of its failure`` for each failed test of a JUnit file."""
    if not junit.exists():
        return ["(no JUnit file: the run did not get as far as its tests)"]
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for tag in ("failure", "error"):
            node = case.find(tag)
            if node is not None:
                first = (node.get("message") or node.text or "").strip().splitlines()[:1]
                found.append(f"{case.get('classname')}::{case.get('name')}: {first[0] if first else tag}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.flakes", description="the flake check")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds one run may take")
    parser.add_argument("pytest_args", nargs="*", help="passed to ./run contract (after --)")
    args = parser.parse_args(argv)
    tally: Counter[str] = Counter()
    failed_runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1, args.runs + 1):
            junit = Path(tmp) / f"run-{n}.xml"
            started = time.monotonic()
            command = [str(ROOT / "run"), "contract", "-q", "-p", "no:cacheprovider",
                       f"--junitxml={junit}", *args.pytest_args]  # fmt: skip
            try:
                code = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=args.deadline,
                                      check=False).returncode  # fmt: skip
            except subprocess.TimeoutExpired:
                code = None
            found = failures(junit) if code != 0 else []
            if code == 0:
                verdict = "passed"
            else:
                failed_runs += 1
                verdict = "timed out" if code is None else f"FAILED (exit {code})"
            tally.update(found)
            print(f"run {n:>3}/{args.runs}: {verdict} in {time.monotonic() - started:5.1f} s", flush=True)
            for line in found:
                print(f"    {line}", flush=True)
    print(f"\n{args.runs - failed_runs} of {args.runs} runs passed")
    for line, count in tally.most_common():
        print(f"  {count} x {line}")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
