"""The contract suite against a real server library, in one command.

    .venv/bin/python -m tests.realservers authlib              # or dot
    .venv/bin/python -m tests.realservers authlib --expected   # known divergences as expected failures
    .venv/bin/python -m tests.realservers dot --shim json-as-form -- -k encodings

Starts the server (``running_real_server``), runs ``pytest oauth2_token_contract/suite/families`` against its
URL through ``selfcheck.suite_run.run_suite`` with the example client's credentials and
``TOKEN_API_ALLOW_BURST=1``, prints the suite's output and exits with its code. ``--expected`` adds
``TOKEN_API_EXPECTED_FAILURES=tests/realservers/<name>.expected.yaml`` and ``TOKEN_API_ALLOW_PARTIAL=1``
(the JSON families cannot judge anything on a server that refuses JSON). ``--shim`` (diagnostic
only, see shims.py) is passed to the server.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from selfcheck.suite_run import run_suite
from tests.realservers import EXPECTED_DIR, SERVERS, running_real_server, suite_settings
from tests.realservers.shims import SHIMS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("server", choices=sorted(SERVERS))
    parser.add_argument("--expected", action="store_true", help="use <server>.expected.yaml")
    parser.add_argument("--shim", action="append", default=[], choices=sorted(SHIMS))
    parser.add_argument("--junit", type=Path, help="where to keep the JUnit file (default: a temp dir)")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args(argv)
    env = suite_settings()
    if args.expected:
        env["TOKEN_API_EXPECTED_FAILURES"] = str(EXPECTED_DIR / f"{args.server}.expected.yaml")
        env["TOKEN_API_ALLOW_PARTIAL"] = "1"
    options = [f"--shim={name}" for name in args.shim]
    with tempfile.TemporaryDirectory(prefix="realserver-suite-") as tmp:
        junit = args.junit or Path(tmp) / "junit.xml"
        with running_real_server(args.server, options) as url:
            print(f"{args.server} at {url}", flush=True)
            run = run_suite(url, junit, *args.pytest_args, env=env)
        print(run.output)
        if run.returncode is None:
            return 2
        return run.returncode


if __name__ == "__main__":
    sys.exit(main())
