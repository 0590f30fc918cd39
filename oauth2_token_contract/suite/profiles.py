"""Hypothesis settings profiles, chosen by ``TOKEN_API_PROFILE`` or ``--hypothesis-profile``.

* ``quick``: the default against the embedded mock (a first run, a pre-commit check): derandomized,
  enough examples that every check judges something (the coverage verdict fails the run otherwise),
  and no more; ``ci`` is one variable away.
* ``ci``: derandomized and bounded, the same cases every run; quick enough to gate a deploy.
* ``live``: derandomized too; the run's plan gives it as many examples as the target's budget allows.
* ``dev``: random, keeping failing examples in the example database so they replay first next time.
* ``deep``: many more examples, for nightly runs and QA; keeps failing examples too.

Derandomized runs replay by running the same command again (Hypothesis allows them no database).
The random ones share failing examples through Hypothesis's own example databases, chosen by
``TOKEN_API_EXAMPLE_DB``:

* unset: ``.hypothesis/examples`` in the working directory (upload it as an artifact in CI);
* ``redis://HOST:PORT/DB``: a Redis server the team shares (needs the ``redis`` package);
* ``github:OWNER/REPO``: the examples the repository's GitHub Actions uploaded as the artifact
  ``hypothesis-example-db`` (read with ``GITHUB_TOKEN``), beside the local directory;
* a path: a directory (a value with another scheme, such as ``reddis://``, is refused).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    GitHubArtifactDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

__all__ = ["ARTIFACT", "LOCAL_DATABASE", "example_database", "register"]

LOCAL_DATABASE = ".hypothesis/examples"
# Examples per property of the quick profile: each generated family's checks judge at this count
# (BENCHMARKS.md, "A first run"); ci has 90, deep 1000.
QUICK_EXAMPLES = 20
ARTIFACT = "hypothesis-example-db"
_QUIET = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
    HealthCheck.differing_executors,
    HealthCheck.data_too_large,
]


def example_database(choice: str = "") -> ExampleDatabase:
    """The example database ``TOKEN_API_EXAMPLE_DB`` names (see the module docstring), validated by
    :mod:`oauth2_token_contract.suite.settings` (so a typo of a scheme never becomes a folder)."""
    choice = choice.strip()
    local = DirectoryBasedExampleDatabase(LOCAL_DATABASE)
    if not choice:
        return local
    if choice.startswith(("redis://", "rediss://")):
        import redis  # noqa: PLC0415 - an optional dependency, for teams that share a Redis
        from hypothesis.extra.redis import RedisExampleDatabase  # noqa: PLC0415

        return RedisExampleDatabase(redis.Redis.from_url(choice))
    if choice.startswith("github:"):
        owner, _, repo = choice.removeprefix("github:").partition("/")
        shared = GitHubArtifactDatabase(owner, repo, artifact_name=ARTIFACT)
        return MultiplexedDatabase(local, ReadOnlyDatabase(shared))
    return DirectoryBasedExampleDatabase(choice)


def register(example_db: str = "") -> None:
    """Register the profiles; the random ones keep failing examples in ``example_db``'s database."""
    database = example_database(example_db)
    base = settings(deadline=None, suppress_health_check=_QUIET, print_blob=True)
    # Against a server every shrinking step is a request, and against a stalling one a timeout:
    # the quick profiles report the failing exchange as found (its curl line replays it), and the
    # investigating ones (dev, deep) shrink it to the smallest.
    no_shrink = [Phase.explicit, Phase.generate]
    settings.register_profile(
        "quick", base, max_examples=QUICK_EXAMPLES, derandomize=True, database=None, phases=no_shrink
    )
    settings.register_profile("ci", base, max_examples=90, derandomize=True, database=None, phases=no_shrink)
    settings.register_profile(
        "live", base, max_examples=100, derandomize=True, database=None, phases=no_shrink
    )
    settings.register_profile("dev", base, max_examples=50, database=database)
    settings.register_profile("deep", base, max_examples=1000, database=database, verbosity=Verbosity.normal)
