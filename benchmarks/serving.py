"""The mock, Prism and the bare endpoint side by side: throughput, latency, CPU, RSS and start-up.

    .venv/bin/python -m benchmarks.serving            # 3 rounds of 5 s per cell (about 4 minutes)
    .venv/bin/python -m benchmarks.serving --quick    # 1 round of 2 s per cell (under a minute)

All three servers run at once on loopback (the mock as ``python -m oauth2_token_contract.mock serve
--rate-limit 1000000000/minute``, a budget the load never spends, so the limiter counts every request; Prism
through ``oauth2_token_contract.mock.prism.running_prism``, the bare app on the mock's uvicorn settings); wrk
(one thread) sends valid ``client_credentials`` requests, JSON or form, at 1 and 16 connections. Each round
visits every cell once, in a rotated server order, so drift and other processes' noise fall on all of them
alike; the table shows medians over rounds. Start-up is the time from launching a server to its first 200,
alternated the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
from contextlib import ExitStack
from dataclasses import dataclass

from benchmarks.processes import Load, Server, first_200, peak_rss_mb, run_wrk, servers, wrk_scripts

NAMES = ("mock", "prism", "bare")
GRANIAN = ("granian-mock", "granian-bare")
_BARE_OF = dict.fromkeys(GRANIAN, "granian-bare")  # "of bare" compares within one stack
KINDS = ("json", "form")
CONNECTIONS = (1, 16)


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: float
    warmup: float
    startups: int


FULL = Plan(rounds=3, seconds=5, warmup=2, startups=7)
QUICK = Plan(rounds=1, seconds=2, warmup=1, startups=3)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_load(
    plan: Plan, names: tuple[str, ...]
) -> tuple[dict[tuple[str, str, int], list[Load]], dict[str, float]]:
    results: dict[tuple[str, str, int], list[Load]] = {}
    with ExitStack() as stack:
        scripts = stack.enter_context(wrk_scripts())
        running: dict[str, Server] = {name: stack.enter_context(servers(name)) for name in names}
        for server in running.values():  # warm-up: first requests, JIT (Prism), allocator
            for kind in KINDS:
                run_wrk(server, scripts[kind], 16, plan.warmup)
        for round_number in range(plan.rounds):
            shift = round_number % len(names)
            order = names[shift:] + names[:shift]
            for kind in KINDS:
                for connections in CONNECTIONS:
                    for name in order:
                        load = run_wrk(running[name], scripts[kind], connections, plan.seconds)
                        results.setdefault((name, kind, connections), []).append(load)
            print(f"  round {round_number + 1}/{plan.rounds} done", file=sys.stderr, flush=True)
        peaks = {name: peak_rss_mb(server.pid) for name, server in running.items()}
    return results, peaks


def measure_startup(plan: Plan) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in NAMES}
    for attempt in range(plan.startups):
        for name in NAMES[attempt % 3 :] + NAMES[: attempt % 3]:
            times[name].append(first_200(name))
    return times


def print_tables(
    results: dict[tuple[str, str, int], list[Load]],
    peaks: dict[str, float],
    startup: dict[str, list[float]],
    names: tuple[str, ...],
) -> None:
    header = (
        f"{'server':<13}{'body':<6}{'conns':>5}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU %':>7}"
        f"{'CPU us/req':>11}{'errors':>7}{'x Prism':>9}{'p99/Prism':>10}{'of bare':>9}"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        for connections in CONNECTIONS:
            medians = {}
            for name in names:
                loads = results[(name, kind, connections)]
                medians[name] = (
                    _median([load.rps for load in loads]),
                    _median([load.p50_ms for load in loads]),
                    _median([load.p99_ms for load in loads]),
                    _median([load.cpu_percent for load in loads]),
                    _median([1e6 * load.cpu_seconds / max(load.requests, 1) for load in loads]),
                    sum(load.errors for load in loads),
                )
            prism_rps, prism_p99 = medians["prism"][0], medians["prism"][2]
            for name in names:
                rps, p50, p99, cpu, per_request, errors = medians[name]
                print(
                    f"{name:<13}{kind:<6}{connections:>5}{rps:>10.0f}{p50:>9.2f}{p99:>9.2f}{cpu:>7.0f}"
                    f"{per_request:>11.0f}{errors:>7}{rps / prism_rps:>9.2f}{p99 / prism_p99:>10.2f}"
                    f"{rps / medians[_BARE_OF.get(name, 'bare')][0]:>9.0%}"
                )
        print()
    print(f"{'server':<13}{'peak RSS MB':>12}{'first 200 s (median)':>22}  all")
    for name in names:
        runs = " ".join(f"{value:.3f}" for value in startup.get(name, []))
        print(f"{name:<13}{peaks[name]:>12.1f}{_median(startup.get(name, [])):>22.3f}  {runs}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serving", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s per cell, 3 start-ups")
    parser.add_argument("--rounds", type=int, help="rounds of load (default 3; quick 1)")
    parser.add_argument("--seconds", type=float, help="seconds per cell (default 5; quick 2)")
    parser.add_argument("--granian", action="store_true", help="also the mock and bare app under granian")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("benchmarks: wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2
    plan = QUICK if args.quick else FULL
    plan = Plan(
        rounds=args.rounds or plan.rounds,
        seconds=args.seconds or plan.seconds,
        warmup=plan.warmup,
        startups=plan.startups,
    )
    print(
        f"load: {plan.rounds} round(s) x {plan.seconds:g} s per cell, wrk -t1; "
        f"start-up: {plan.startups} launch(es) each",
        file=sys.stderr,
    )
    names: tuple[str, ...] = NAMES
    if args.granian:
        if importlib.util.find_spec("granian") is None:
            print("benchmarks: granian is not installed (pip install granian)", file=sys.stderr)
            return 2
        names += GRANIAN
    startup = measure_startup(plan)
    results, peaks = measure_load(plan, names)
    print_tables(results, peaks, startup, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
