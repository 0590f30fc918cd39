"""The suite's fixtures: the target, its client and pacer, the planned Hypothesis settings.

``_capabilities`` (autouse) skips, with the reason, a contract test that asks of the target what it
cannot offer (:mod:`oauth2_token_contract.suite.capabilities`); such skips stay
skips, listed in the summary with their reasons.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from oauth2_token_contract.plugin.collection import family_of, planned_settings
from oauth2_token_contract.plugin.options import check_target
from oauth2_token_contract.plugin.stash import CONTEXT, OPENED, PACER, SETTINGS
from oauth2_token_contract.plugin.xdist import worker_count
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.capabilities import NEEDS, undocumented_media, unmet
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.settings import Settings
from oauth2_token_contract.suite.targets import Target, open_target

__all__ = ["token_client", "token_hypothesis_settings", "token_pacer", "token_settings", "token_target"]


@pytest.fixture(scope="session")
def token_settings(request: pytest.FixtureRequest) -> Settings:
    """The run's settings (``TOKEN_API_*``), read and validated once when pytest configured."""
    return request.config.stash[SETTINGS]


@pytest.fixture(scope="session")
def token_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The server under test, started for the run when it is the mock or Prism: the one the preflight
    opened and checked (one process), or this worker's own (xdist: the controller checked one)."""
    chosen = check_target(request.config)
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    pacer = request.config.stash[PACER]
    if chosen.budget is not None:
        pacer.share_budget(chosen.budget, worker_count(request.config))
    opened = request.config.stash.get(OPENED, None)
    if opened is not None:
        yield opened
        return
    with open_target(chosen) as started:
        yield started


@pytest.fixture(scope="session")
def token_pacer(request: pytest.FixtureRequest) -> Pacer:
    """The run's request budget and 429 manners, shared by every client."""
    return request.config.stash[PACER]


@pytest.fixture(scope="session")
def token_client(
    request: pytest.FixtureRequest, token_target: Target, token_pacer: Pacer
) -> Iterator[TokenClient]:
    """The suite's HTTP client for the target's token endpoint, judging into the run's checks."""
    context = request.config.stash[CONTEXT]
    timeout = request.config.stash[SETTINGS].timeout
    client = TokenClient(token_target, token_pacer, timeout=timeout, context=context)
    yield client
    client.close()


@pytest.fixture
def token_hypothesis_settings(request: pytest.FixtureRequest) -> hypothesis_settings:
    """The settings a test that drives Hypothesis itself (a state machine) should run with: the
    profile's, with the plan's examples."""
    return planned_settings(request.config)


@pytest.fixture(autouse=True)
def _capabilities(request: pytest.FixtureRequest) -> None:
    """Skip, with the reason, a test that asks of the target what it cannot offer."""
    item = request.node
    family = family_of(item)
    if family is None:
        return
    request.config.stash[CONTEXT].alongside.take()  # nothing held over from whatever ran before
    pacer = request.config.stash[PACER]
    pacer.family = family
    pacer.current_test = item.nodeid.split("::", 1)[-1]
    callspec = getattr(item, "callspec", None)
    media = callspec.params.get("media") if callspec is not None else None
    if isinstance(media, str) and (why := undocumented_media(media)):
        pytest.skip(why)
    needed = [name for name, need in NEEDS.items() if item.get_closest_marker(need.marker)]
    if not needed:
        return
    reason = unmet(needed, request.getfixturevalue("token_target"))
    if reason is not None:
        pytest.skip(reason)
