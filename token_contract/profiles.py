"""Hypothesis settings profiles, chosen by ``TOKEN_API_PROFILE`` or ``--hypothesis-profile``.

* ``ci``: derandomized and bounded, the same cases every run; quick enough to gate a deploy.
* ``live``: like ``ci`` but small, so a run fits a live target's request budget.
* ``dev``: random, using the example database in ``.hypothesis/`` so a failure found once replays.
* ``deep``: many more examples, for nightly runs and QA; prints progress.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.database import DirectoryBasedExampleDatabase

__all__ = ["DATABASE", "register"]

DATABASE = Path(__file__).resolve().parent.parent / ".hypothesis" / "examples"
_QUIET = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
    HealthCheck.differing_executors,
    HealthCheck.data_too_large,
]


def register() -> None:
    database = DirectoryBasedExampleDatabase(DATABASE)
    common = {"deadline": None, "suppress_health_check": _QUIET, "print_blob": True}
    # ci: 78 examples make about 1,500 requests per run (benchmarks/suite.py); past about 64, one
    # filtered strategy (grant types with stray characters) spends seconds on rejected draws.
    settings.register_profile("ci", max_examples=78, derandomize=True, database=None, **common)
    settings.register_profile(
        "live",
        max_examples=5,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        **common,
    )
    settings.register_profile("dev", max_examples=50, database=database, **common)
    settings.register_profile(
        "deep", max_examples=1000, database=database, verbosity=Verbosity.normal, **common
    )
