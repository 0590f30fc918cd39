"""Where the mock's state lives: one interface, two engines.

    StateBackend                 builds the parts that remember, and keeps them in step
    ├── MemoryState  (default)   the parts of :mod:`~oauth2_token_contract.mock.components`, in this
    │                            process: nothing to keep in step, the request path as fast as ever
    └── RedisState               :mod:`oauth2_token_contract.mock.shared`: every process pointed at one
                                 Redis namespace is one mock (``--state redis://HOST:PORT/DB``)

The parts that remember: the clock's offset, the refresh tokens (store), the access tokens (access),
the limiter's windows, the clients (registry), the scripted rules and the journal. A backend builds
those parts (:meth:`StateBackend.build`; ``None`` leaves a part to its default) and, when the state is shared,
keeps the processes in step: ``sync`` before every control, ``begin``/``confirm`` around the token
endpoint's steps that read control state, so a change one process made is seen by the next request
any process serves. :func:`oauth2_token_contract.mock.backends.open_state` picks the
backend the settings name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.forcing import Answers
from oauth2_token_contract.mock.scripted import ScriptedAnswers
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings

__all__ = ["MemoryState", "StateBackend"]


class StateBackend:
    """The interface: what a state engine builds, and how its processes keep in step."""

    shared = False
    # Called before each control when the state is shared (None: nothing to do).
    sync: Callable[[], None] | None = None
    # Called when the shared state was found empty after it had been set up (a Redis restarted with
    # nothing persisted): the controls load the scenario again, once for the namespace.
    on_lost: Callable[[], None] | None = None

    def registry(self, clients: Mapping[str, ClientConfig]) -> ClientRegistry:
        return ClientRegistry(clients)

    def build(self, name: str, settings: MockSettings, dependencies: dict[str, Any]) -> Any | None:
        """The part ``name`` (a field of ``Components``) kept by this engine; None: the default part."""
        return None

    def rule_book(self, settings: MockSettings, answers: Answers) -> ScriptedAnswers:
        return ScriptedAnswers(settings, answers)

    def bind(self, parts: Mapping[str, Any]) -> None:
        """Told of every part once built, so keeping in step knows what to refresh."""

    def claim_scenario(self, again: bool = False) -> bool:
        """Whether this process adds the scenario's rules: a shared namespace adds them once, when
        its first process starts, and ``again`` on a reset."""
        return True

    def begin(self, last: bool) -> None:
        """Before the token endpoint's steps that read control state (shared state only): makes sure
        they will see every change made through any process. ``last``: the steps' last run, which
        must not be asked to run again. May raise StateMoved (after reading the state again)."""

    def confirm(self) -> None:
        """After the limiter's step: completes what :meth:`begin` started (a check the limiter's own
        round trip did not carry). May raise StateMoved (after reading the state again)."""

    def describe(self) -> str:
        return "memory"

    def close(self) -> None:
        """Let go of connections (a test's app, built and dropped)."""


class MemoryState(StateBackend):
    """Today's state: in this process, lost when it stops, never shared."""
