"""The mock's memory over a long run: RSS sampled while wrk sends valid requests, a million by default.

    .venv/bin/python -m benchmarks.rss_probe                    # until 1,000,000 requests
    .venv/bin/python -m benchmarks.rss_probe --requests 100000  # a shorter probe

The mock runs as ``python -m oauth2_token_contract.mock serve --rate-limit 1000000000/minute`` (a budget the
load never spends: the limiter counts every request); wrk (one thread, 16 connections) runs in bounded slices,
JSON and form alternately, and after each slice the mock's RSS and peak RSS are read from ``/proc``. Flat
means the last samples sit where the early ones did once the bounded stores (10,000 refresh tokens, 256
journal entries) have filled.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.processes import peak_rss_mb, rss_mb, run_wrk, servers, wrk_scripts

SLICE_SECONDS = 10.0
MAX_SECONDS = 1800.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.rss_probe", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with servers("mock") as mock, wrk_scripts() as scripts:
        print(f"{'requests':>10}{'RSS MB':>9}{'peak MB':>9}{'req/s':>8}")
        print(f"{0:>10}{rss_mb(mock.pid):>9.1f}{peak_rss_mb(mock.pid):>9.1f}{'':>8}")
        sent, turn = 0, 0
        while sent < args.requests and time.monotonic() - started < MAX_SECONDS:
            load = run_wrk(mock, scripts["json" if turn % 2 == 0 else "form"], 16, SLICE_SECONDS)
            if load.errors:
                print(f"  {load.errors} errors in this slice", file=sys.stderr)
            sent += load.requests
            turn += 1
            print(
                f"{sent:>10}{rss_mb(mock.pid):>9.1f}{peak_rss_mb(mock.pid):>9.1f}{load.rps:>8.0f}", flush=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
