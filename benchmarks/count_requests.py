"""A pytest plugin for ``benchmarks.suite``: the run's main process writes the number of requests the
suite sent to ``$BENCH_COUNT_DIR/main.count`` when its session ends. Under xdist that process's pacer
holds the workers' counts added up (the workers report theirs before the session ends), so workers
write nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.get("BENCH_COUNT_DIR")
    if not folder or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from oauth2_token_contract.suite import pytest_plugin

    pacer = session.config.stash.get(pytest_plugin._PACER_KEY, None)  # the suite's own counter
    if pacer is None:
        return
    Path(folder, "main.count").write_text(str(pacer.sent))
