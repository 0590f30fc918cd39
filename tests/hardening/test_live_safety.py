"""Live manners, proven against a fake staging server on loopback that counts what it is sent.

The fake is the real mock (limiting off) behind a wrapper that answers every ``EVERY``-th token
request with 429 and ``X-Retry-In: 300``, and records each request's arrival. A run with
``TOKEN_API_MAX_REQUESTS=200`` and no ``TOKEN_API_ALLOW_BURST`` must: plan within the budget, send at
most 200 requests, wait at least 300 ms after every 429, skip the burst family saying why, and still
exercise every other check. A budget too small for every family is refused before any request, and
a plain ``http://`` URL off loopback is a usage error before any request.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.suite.exit_codes import Exit
from selfcheck.suite_run import run_suite

BUDGET = 200
TOO_SMALL = 60
EVERY = 10
RETRY_IN_MS = 300
SETTINGS = load_settings(rate_limit="off")
CLIENT = next(iter(SETTINGS.clients.values()))


class CountingStaging:
    """ASGI: the mock, with a 429 every ``EVERY``-th request; arrivals recorded as (time, status)."""

    def __init__(self) -> None:
        self.app = create_app(SETTINGS)
        self.arrivals: list[tuple[float, int]] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        with self._lock:
            limited = (len(self.arrivals) + 1) % EVERY == 0
            self.arrivals.append((time.monotonic(), 429 if limited else 0))
        if not limited:
            return await self.app(scope, receive, send)
        body = b'{"error":"rate_limited","error_description":"slow down"}'
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"x-retry-in", str(RETRY_IN_MS).encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return None


def _env(**extra: str) -> dict[str, str]:
    return {
        "TOKEN_API_CLIENT_ID": CLIENT.client_id,
        "TOKEN_API_CLIENT_SECRET": CLIENT.client_secret,
        "TOKEN_API_SCOPE": " ".join(sorted(CLIENT.scopes)),
        **extra,
    }


def test_a_live_run_keeps_its_budget_waits_out_429_and_never_bursts(tmp_path: Path) -> None:
    staging = CountingStaging()
    with running_mock(app=staging) as url:
        run = run_suite(url, tmp_path / "junit.xml", env=_env(TOKEN_API_MAX_REQUESTS=str(BUDGET)))
    arrivals = list(staging.arrivals)
    output = run.output
    assert 0 < len(arrivals) <= BUDGET, f"{len(arrivals)} requests for a budget of {BUDGET}"
    assert run.returncode == 0, output[-4000:]  # every check exercised, though 1 request in 10 was a 429
    assert f"plan: budget {BUDGET}" in output
    assert "TOKEN_API_ALLOW_BURST" in output  # the burst tests skipped, saying how to allow them
    limited = [n for n, (_, status) in enumerate(arrivals) if status == 429]
    assert limited, "the fake never answered 429: nothing was proven"
    gaps = [arrivals[n + 1][0] - arrivals[n][0] for n in limited if n + 1 < len(arrivals)]
    assert gaps and min(gaps) >= RETRY_IN_MS / 1000, f"a 429 was not waited out: {min(gaps):.3f} s"
    print(
        f"\nlive safety: {len(arrivals)} requests (budget {BUDGET}), {len(limited)} x 429, "
        f"shortest wait after a 429 {min(gaps) * 1000:.0f} ms"
    )


def test_a_budget_too_small_for_every_family_is_refused_before_any_request(tmp_path: Path) -> None:
    staging = CountingStaging()
    with running_mock(app=staging) as url:
        run = run_suite(url, tmp_path / "junit.xml", env=_env(TOKEN_API_MAX_REQUESTS=str(TOO_SMALL)))
    assert staging.arrivals == [], "requests were sent before the budget was refused"
    assert run.returncode == Exit.BAD_SETTING, run.output[-3000:]  # a setting that cannot be used
    assert f"TOKEN_API_MAX_REQUESTS={TOO_SMALL} cannot check every family" in run.output
    assert "the smallest budget that does is" in run.output


def test_plain_http_off_loopback_is_a_usage_error_before_any_request(tmp_path: Path) -> None:
    run = run_suite("http://example.invalid", tmp_path / "junit.xml", env=_env(), deadline=120)
    assert run.returncode == 4, run.output[-4000:]
    assert "refusing plain http:// to example.invalid" in run.output
    assert "passed" not in run.output and "failed" not in run.output
