"""A pytest plugin for ``benchmarks.suite``: each process of a run (xdist workers included) writes the
number of requests its pacer sent to ``$BENCH_COUNT_DIR/<worker>.count`` when its session ends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.get("BENCH_COUNT_DIR")
    if not folder:
        return
    from token_contract import pytest_plugin

    pacer = session.config.stash.get(pytest_plugin._PACER_KEY, None)  # the suite's own counter
    if pacer is None:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(folder, f"{worker}.count").write_text(str(pacer.sent))
