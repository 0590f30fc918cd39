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
    base = settings(deadline=None, suppress_health_check=_QUIET, print_blob=True)
    # Against a server every shrinking step is a request, and against a stalling one a timeout:
    # the quick profiles report the failing exchange as found (its curl line replays it), and the
    # investigating ones (dev, deep) shrink it to the smallest.
    no_shrink = [Phase.explicit, Phase.generate]
    # ci: about 1,500 requests per run against the mock (benchmarks/suite.py).
    settings.register_profile("ci", base, max_examples=90, derandomize=True, database=None, phases=no_shrink)
    settings.register_profile("live", base, max_examples=5, derandomize=True, database=None, phases=no_shrink)
    settings.register_profile("dev", base, max_examples=50, database=database)
    settings.register_profile("deep", base, max_examples=1000, database=database, verbosity=Verbosity.normal)
