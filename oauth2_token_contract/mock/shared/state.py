"""RedisState: the state backend whose parts live in one Redis namespace, and how processes keep in step.

The data path needs no syncing: refresh and access tokens and limiter windows are read and written in
Redis on every request. The control state (the clock's offset, the clients created or deleted, the rules) is
read on every request too, so each process keeps a copy, and the namespace keeps a version that every
change of control state increments in the same step (the Lua scripts do it). A control first rereads
the control state when the version moved (``sync``). A request compares the version too, but in the
round trip it makes anyway: :meth:`RedisState.begin` arms the check, the limiter's script compares the
version before it counts (in one step, so the count and the state it was judged on agree), and when
another process moved it the state is reread and the request's steps run again (StateMoved). Only a
request the limiter does not count (no budget) pays a round trip for the check (:meth:`confirm`). So a
change made through any process is seen by the next request any process serves, and a request costs
two round trips (the window, then the token issued with the journal entry), not three.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.errors import StateMoved
from oauth2_token_contract.mock.forcing import Answers
from oauth2_token_contract.mock.scripted import ScriptedAnswers
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.shared.access import RedisAccessTokenStore
from oauth2_token_contract.mock.shared.clients import RedisClientRegistry
from oauth2_token_contract.mock.shared.clock import RedisClock
from oauth2_token_contract.mock.shared.engine import UNARMED, Engine, guarded
from oauth2_token_contract.mock.shared.journal import RedisJournal
from oauth2_token_contract.mock.shared.scripted import RedisScriptedAnswers
from oauth2_token_contract.mock.shared.store import RedisRefreshTokenStore
from oauth2_token_contract.mock.shared.windows import RedisRateLimiter, RedisWindows
from oauth2_token_contract.mock.state import StateBackend

__all__ = ["RedisState"]

_UNSEEN = object()
logger = logging.getLogger(__name__)


class RedisState(StateBackend):
    """The mock's state in Redis at ``settings.state``, under ``settings.namespace``."""

    shared = True

    def __init__(self, settings: MockSettings) -> None:
        self.engine = Engine(settings.state, settings.namespace)
        self.engine.check()
        self.engine.on_change = self.reload
        self.namespace = settings.namespace
        self.sync = self.refresh
        self._seen: object = _UNSEEN
        self._clock: RedisClock | None = None
        self._registry: RedisClientRegistry | None = None
        self._rules: RedisScriptedAnswers | None = None
        self._carried = False  # the limiter's script can carry the request's version check

    def registry(self, clients: Mapping[str, ClientConfig]) -> ClientRegistry:
        self._registry = RedisClientRegistry(clients, self.engine)
        return self._registry

    def build(self, name: str, settings: MockSettings, dependencies: dict[str, Any]) -> Any | None:
        if name == "clock":
            return RedisClock(self.engine)
        if name == "store":
            return RedisRefreshTokenStore(settings, self.engine)
        if name == "access":
            return RedisAccessTokenStore(settings, self.engine)
        if name == "limiter":
            return RedisRateLimiter(settings, self.engine, **dependencies)
        if name == "journal":
            return RedisJournal(settings, self.engine)
        return None

    def rule_book(self, settings: MockSettings, answers: Answers) -> ScriptedAnswers:
        self._rules = RedisScriptedAnswers(settings, answers, self.engine)
        return self._rules

    def bind(self, parts: Mapping[str, Any]) -> None:
        """Keeps in step only the parts that are this backend's (a variant may have put its own)."""
        clock, registry = parts["clock"], parts["settings"].clients
        rules = getattr(parts["controls"], "rules", None)
        self._clock = clock if isinstance(clock, RedisClock) else None
        self._registry = registry if isinstance(registry, RedisClientRegistry) else None
        self._rules = rules if isinstance(rules, RedisScriptedAnswers) else None
        journal, windows = parts["journal"], getattr(parts["limiter"], "windows", None)
        self.engine.deferring = isinstance(journal, RedisJournal) and journal.engine is self.engine
        self._carried = isinstance(windows, RedisWindows) and windows.engine is self.engine
        self.reload()

    @guarded
    def claim_scenario(self, again: bool = False) -> bool:
        claimed = self.engine.client.set(self.engine.key("scenario"), "1", nx=not again)
        return bool(claimed)

    @guarded
    def refresh(self) -> None:
        """Takes in the control state when another process changed it (one GET when it did not)."""
        if self.engine.client.get(self.engine.version) != self._seen:
            self.reload()

    def begin(self, last: bool) -> None:
        """Arms the version check the limiter's script carries; checks at once instead when the steps
        before the limiter use the shared state themselves (a rule in force is taken in Redis, and a
        rerun would take it twice), when the limiter is not this engine's, or on the last run."""
        if last or not self._carried or (self._rules is not None and self._rules.active):
            self.engine.expected = UNARMED
            self.refresh()
        else:
            self.engine.expected = self._seen if self._seen is not _UNSEEN else None

    @guarded
    def confirm(self) -> None:
        """The check the limiter did not carry (no budget counted this request): one GET."""
        if self.engine.expected is UNARMED:
            return
        expected, self.engine.expected = self.engine.expected, UNARMED
        if self.engine.client.get(self.engine.version) != expected:
            self.reload()
            raise StateMoved

    @guarded
    def reload(self, *, again: bool = True) -> None:
        """Takes in the control state. A namespace without its ``scenario`` mark (set by the first
        process, never cleared by a reset) has lost its data: the scenario is claimed again (one
        process adds its rules), and the state read once more."""
        with self.engine.client.pipeline(transaction=True) as pipe:
            pipe.get(self.engine.version)
            pipe.get(self.engine.key("clock"))
            pipe.hgetall(self.engine.key("clients:added"))
            pipe.smembers(self.engine.key("clients:removed"))
            pipe.hgetall(self.engine.key("rules"))
            pipe.get(self.engine.key("scenario"))
            version, offset, added, removed, rules, scenario = pipe.execute()
        if scenario is None and again and self.on_lost is not None:
            logger.warning("shared state at %s came back empty: scenario loaded again", self.engine.url)
            self.on_lost()
            self.reload(again=False)
            return
        if self._clock is not None:
            self._clock.apply(offset)
        if self._registry is not None:
            self._registry.apply(added, set(removed))
        if self._rules is not None:
            self._rules.apply(rules)
        self._seen = version

    def describe(self) -> str:
        return f"{self.engine.url} namespace {self.namespace}"

    def close(self) -> None:
        self.engine.client.close()
