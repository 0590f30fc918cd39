"""A flood on loopback: 50 keep-alive connections for ``HARDENING_FLOOD_SECONDS`` (default 5) against the
mock in its own process, ten clients with a known budget each.

The QA controls are in use meanwhile (a rule in force for a client that is not flooding, so every
request is matched against it, and the clock an hour ahead), as when another team's test shares the
mock. Asserted: no 5xx, no dropped connection, and the limiter exact. Exactness is checked server-side from
the journal (it records each answer right after the limiter decided, in order): replaying the fixed
windows (a window opens on a client's first hit and lasts one second), no window holds more 200s
than the budget. Figures (requests, 200s, 429s, p99, RSS) are printed (``-s``).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from tests.support.mock_process import mock_process, serve_command

CONNECTIONS = 50
CLIENTS = 10
BUDGET = 20  # per client per second
CLOCK_SLACK = 0.05  # seconds; see _windows
SECONDS = float(os.environ.get("HARDENING_FLOOD_SECONDS", "5"))
SECRET = "flood-secret_Q8v3Lm7Xz2"


def _config(tmp_path: Path) -> Path:
    clients = [
        {
            "client_id": f"flood-client-{n}",
            "client_secret": SECRET,
            "scopes": ["/accounts.read"],
            "token_type": "opaque",
            "rate_limit": f"{BUDGET}/second",
            "issue_refresh_tokens": False,
        }
        for n in range(CLIENTS)
    ]
    config = {
        "defaults": {"expires_in": 900, "refresh_expires_in": 86400},
        "clients": clients,
        "journal": {"max_entries": 200_000},
        "store": {"max_refresh_tokens": 1000},
    }
    path = tmp_path / "flood.yaml"
    path.write_text(json.dumps(config))
    return path


async def _connection(url: str, client_id: str, stop_at: float, results: list, errors: Counter) -> None:
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": SECRET}
    ).encode()
    request = (
        b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                errors["dropped"] += 1
                return
            status = int(head[9:12])
            length = next(
                int(line.split(b":")[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            await reader.readexactly(length)
            results.append((status, time.perf_counter() - started))
    finally:
        writer.close()


async def _flood(url: str) -> tuple[list, Counter]:
    results: list = []
    errors: Counter = Counter()
    stop_at = time.monotonic() + SECONDS
    await asyncio.gather(
        *(
            _connection(url, f"flood-client-{n % CLIENTS}", stop_at, results, errors)
            for n in range(CONNECTIONS)
        )
    )
    return results, errors


def _windows(entries: list[dict]) -> list[tuple[str, int, int]]:
    """(client, 200s, 429s) per replayed fixed window.

    A fixed window opens with a granted request, so windows are cut at 200s only. The journal's clock
    is read a little after the limiter's, by a varying amount, so a 200 that opens a window may be
    stamped up to ``CLOCK_SLACK`` before the previous window's first stamp plus one second; under a
    flood a window's own 200s all come at its start, so nothing else lands there.
    """
    by_client: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_client[(entry["params"] or {}).get("client_id", "?")].append(entry)
    windows = []
    for client_id, seen in by_client.items():
        window_start, counts = None, Counter()
        for entry in seen:
            opens = entry["status"] == 200 and entry["time"] >= (window_start or 0) + 1.0 - CLOCK_SLACK
            if window_start is None or opens:
                if window_start is not None:
                    windows.append((client_id, counts[200], counts[429]))
                window_start, counts = entry["time"], Counter()
            counts[entry["status"]] += 1
        windows.append((client_id, counts[200], counts[429]))
    return windows


def test_a_flood_gets_no_5xx_no_drops_and_an_exact_limiter(tmp_path: Path) -> None:
    with mock_process(serve_command(_config(tmp_path)), tmp_path / "logs") as mock:
        with httpx.Client(base_url=mock.url, timeout=30) as http:
            rule = {"match": {"client_id": "not-flooding"}, "times": 10, "answer": {"fault": "reset"}}
            assert http.post("/__mock/rules", json=rule).status_code == 201
            assert http.post("/__mock/clock", json={"advance_seconds": 3600}).status_code == 200
        rss_before = mock.rss_kib()
        results, errors = asyncio.run(_flood(mock.url))
        rss_after = mock.rss_kib()
        with httpx.Client(base_url=mock.url, timeout=30) as http:
            entries = http.get("/__mock/requests").json()["requests"]
    statuses = Counter(status for status, _ in results)
    latencies = sorted(latency for _, latency in results)
    other = {k: v for k, v in statuses.items() if k not in (200, 429)}
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    print(
        f"\nflood: {len(_windows(entries))} windows; "
        f" {CONNECTIONS} connections, {SECONDS:g} s: {len(results)} requests, "
        f"{statuses[200]} x 200, {statuses[429]} x 429, other {other}, "
        f"p99 {p99 * 1000:.1f} ms, RSS {rss_before // 1024} -> {rss_after // 1024} MiB, errors {dict(errors)}"
    )
    assert not errors, errors
    assert set(statuses) <= {200, 429}, statuses
    assert statuses[200] > 0 and statuses[429] > 0
    assert len(entries) == len(results), "the journal missed answers"
    windows = _windows(entries)
    assert all(granted <= BUDGET for _, granted, _ in windows), "a window granted more than its budget"
    # Exact, not merely strict: a window that refused anyone had granted its whole budget first.
    short = [w for w in windows if w[2] and w[1] != BUDGET]
    assert not short, f"windows that refused before their budget was spent: {short[:5]}"
