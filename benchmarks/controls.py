"""What the QA controls cost the request path: this checkout's mock next to another checkout's, side by
side, with the controls enabled and unused, turned off, and in use for another client.

    git worktree add /tmp/bench-base <commit>          # the code to compare against
    .venv/bin/python -m benchmarks.controls --base /tmp/bench-base [--rounds 5] [--seconds 5]
    .venv/bin/python -m benchmarks.controls --base /tmp/bench-base --micro   # no sockets, ~1 min
    .venv/bin/python -m benchmarks.controls --base /tmp/bench-base --variants base,unused

Every variant serves as ``python -m oauth2_token_contract.mock serve --rate-limit 1000000000/minute`` in its
own process (the base from its own folder, so it imports its own ``mocks``); wrk (one thread) sends the valid
``client_credentials`` requests of :mod:`benchmarks.serving`, JSON and form, at 1 and 16
connections. Each round visits every cell once in a rotated order; the table shows medians over
rounds and each variant's req/s and CPU per request against the base's. Servers are pinned to one
CPU and wrk to the others, so placement does not pass for a difference between variants.

``--micro`` times the request path alone (``TokenEndpoint.answer`` on a valid JSON request, in a
loop, no sockets) in a fresh process per checkout and variant, alternated, and prints the median
microseconds per request: the controls' own cost, without the noise of serving.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from benchmarks.processes import ROOT, UNSPENT_BUDGET, Load, Server, run_wrk, wrk_scripts
from oauth2_token_contract.mock.processes import read_announcement, running_group
from oauth2_token_contract.mock.settings import DEFAULT_CONFIG

VARIANTS = ("base", "unused", "off", "in use")
KINDS = ("json", "form")
CONNECTIONS = (1, 16)
START_TIMEOUT = 30.0


@contextmanager
def _mock(name: str, folder: Path, *extra: str) -> Iterator[Server]:
    command = [
        sys.executable,
        "-m",
        "oauth2_token_contract.mock",
        "serve",
        "--port",
        "0",
        "--rate-limit",
        UNSPENT_BUDGET,
        *extra,
    ]
    with running_group(command, cwd=folder, stdout=subprocess.PIPE) as process:
        yield Server(name, read_announcement(process, START_TIMEOUT), process.pid)


@contextmanager
def variants(base: Path, names: tuple[str, ...]) -> Iterator[dict[str, Server]]:
    """The servers named: the base checkout, and this one with controls unused, off, and in use."""
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-controls-") as folder:
        off = Path(folder) / "controls-off.yaml"
        off.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8") + "\ncontrols: false\n")
        starts = {
            "base": lambda: _mock("base", base),
            "unused": lambda: _mock("unused", ROOT),
            "off": lambda: _mock("off", ROOT, "--config", str(off)),
            "in use": lambda: _mock("in use", ROOT),
        }
        servers = {name: stack.enter_context(starts[name]()) for name in names}
        if "in use" in servers:
            with httpx.Client(base_url=servers["in use"].base_url, timeout=10) as http:
                rule = {"match": {"client_id": "another-team"}, "times": 10_000, "answer": {"code": 429}}
                http.post("/__mock/rules", json=rule).raise_for_status()
                http.post("/__mock/clock", json={"advance_seconds": 3600}).raise_for_status()
        yield servers


@contextmanager
def _pinned(servers: dict[str, Server]) -> Iterator[None]:
    """Every server on the last CPU, this process (and so wrk) on the others: two servers measured
    one after the other then run where the other ran, not wherever the scheduler put each."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        yield
        return
    for server in servers.values():
        for task in os.listdir(f"/proc/{server.pid}/task"):
            os.sched_setaffinity(int(task), {cpus[-1]})
    os.sched_setaffinity(0, set(cpus[:-1]))
    try:
        yield
    finally:
        os.sched_setaffinity(0, set(cpus))


def _rotated(names: tuple[str, ...], round_number: int) -> tuple[str, ...]:
    shift = round_number % len(names)
    return names[shift:] + names[:shift]


def measure(
    base: Path, rounds: int, seconds: float, names: tuple[str, ...] = VARIANTS
) -> dict[tuple[str, str, int], list[Load]]:
    results: dict[tuple[str, str, int], list[Load]] = {}
    with wrk_scripts() as scripts, variants(base, names) as servers, _pinned(servers):
        for server in servers.values():  # warm-up
            for kind in KINDS:
                run_wrk(server, scripts[kind], 16, 2)
        for round_number in range(rounds):
            order = _rotated(names, round_number)
            for kind in KINDS:
                for connections in CONNECTIONS:
                    for name in order:
                        load = run_wrk(servers[name], scripts[kind], connections, seconds)
                        results.setdefault((name, kind, connections), []).append(load)
            print(f"  round {round_number + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results


def table(
    results: dict[tuple[str, str, int], list[Load]], names: tuple[str, ...] = VARIANTS
) -> list[dict[str, object]]:
    rows = []
    for kind in KINDS:
        for connections in CONNECTIONS:
            medians = {}
            for name in names:
                loads = results[(name, kind, connections)]
                medians[name] = (
                    statistics.median(load.rps for load in loads),
                    statistics.median(load.p99_ms for load in loads),
                    statistics.median(1e6 * load.cpu_seconds / max(load.requests, 1) for load in loads),
                    sum(load.errors for load in loads),
                )
            base_rps, _, base_cpu, _ = medians["base"]
            for name in names:
                rps, p99, cpu, errors = medians[name]
                rows.append(
                    {
                        "variant": name,
                        "body": kind,
                        "conns": connections,
                        "req/s": round(rps),
                        "p99 ms": round(p99, 2),
                        "CPU us/req": round(cpu),
                        "errors": errors,
                        "req/s vs base": f"{rps / base_rps:.1%}",
                        "CPU/req vs base": f"{cpu / base_cpu:.1%}",
                    }
                )
    return rows


_MICRO = """
import asyncio, json, sys, time
from dataclasses import replace
from oauth2_token_contract.mock import create_app, load_settings
from oauth2_token_contract.mock.embedded import default_client
settings = load_settings(rate_limit="1000000000/minute")
if sys.argv[1] == "off":
    settings = replace(settings, controls=False)
app = create_app(settings)
if sys.argv[1] == "in use":
    app.state.components.controls.rules.add({"match": {"client_id": "another-team"}, "answer": {"code": 429}})
    app.state.components.clock.advance(3600)
endpoint = next(route for route in app.routes if route.path == "/oauth2/token").endpoint
client = default_client()
body = json.dumps({"grant_type": "client_credentials", "client_id": client.client_id,
                   "client_secret": client.client_secret}).encode()
headers = [(b"host", b"x"), (b"content-type", b"application/json"),
           (b"content-length", str(len(body)).encode())]
scope = {"type": "http", "method": "POST", "path": "/oauth2/token", "headers": headers,
         "client": ("127.0.0.1", 1)}
async def receive():
    return {"type": "http.request", "body": body, "more_body": False}
async def loop(n):
    for _ in range(n):
        await endpoint.answer(scope, receive)
asyncio.run(loop(20000))
best = float("inf")
for _ in range(7):
    started = time.perf_counter()
    asyncio.run(loop(20000))
    best = min(best, (time.perf_counter() - started) / 20000 * 1e6)
print(best)
"""


def micro(base: Path, rounds: int, names: tuple[str, ...] = VARIANTS) -> dict[str, list[float]]:
    """Microseconds per request on the request path alone, per variant (best of 7 loops, per round)."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        for name in _rotated(names, round_number):
            folder, variant = (base, "unused") if name == "base" else (ROOT, name)
            done = subprocess.run(
                [sys.executable, "-c", _MICRO, variant],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )
            times[name].append(float(done.stdout.strip().splitlines()[-1]))
        print(f"  round {round_number + 1}/{rounds} done", file=sys.stderr, flush=True)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.controls", description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="a checkout to compare against")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--micro", action="store_true", help="time the request path alone, no sockets")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help=f"a comma-separated subset of {', '.join(VARIANTS)}"
    )
    args = parser.parse_args(argv)
    names = tuple(name.strip() for name in args.variants.split(","))
    if "base" not in names or set(names) - set(VARIANTS):
        parser.error(f"--variants: base and any of {', '.join(VARIANTS[1:])}")
    if args.micro:
        times = micro(args.base.resolve(), args.rounds, names)
        base = statistics.median(times["base"])
        print(f"{'variant':<10}{'us/request':>12}{'vs base':>10}  all")
        for name, values in times.items():
            median = statistics.median(values)
            runs = " ".join(f"{value:.2f}" for value in values)
            print(f"{name:<10}{median:>12.2f}{median / base:>10.1%}  {runs}")
        return 0
    if shutil.which("wrk") is None:
        print("benchmarks: wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2
    rows = table(measure(args.base.resolve(), args.rounds, args.seconds, names), names)
    columns = list(rows[0])
    print("  ".join(f"{column:>15}" for column in columns))
    for row in rows:
        print("  ".join(f"{row[column]!s:>15}" for column in columns))
        if row["variant"] == names[-1]:
            print()
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
