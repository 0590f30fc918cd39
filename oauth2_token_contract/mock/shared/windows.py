"""The limiter's windows over shared state: every replica's requests count in one window per key.

A window is a hash (hits, close time on the mock's clock) counted by one Lua script, so two processes
hitting one key at once never lose a count: N workers together allow the documented rate, not N times
it. When the endpoint asks, the same script first compares the namespace's version
(:meth:`~oauth2_token_contract.mock.shared.state.RedisState.begin`), so that check costs no round
trip of its own. The key expires in Redis when the window closes (the mock's clock runs at or ahead
of real time), so only open windows take memory. The budgets themselves stay per process
(:class:`~oauth2_token_contract.mock.ratelimit.RateLimiter` derives them from the clients).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.clock import MockClock
from oauth2_token_contract.mock.errors import StateMoved
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.shared.engine import UNARMED, Engine, as_int, guarded

__all__ = ["RedisRateLimiter", "RedisWindows"]

# KEYS: window, version. ARGV: hits allowed, window seconds, now, the version expected ("" for none,
# nothing when KEYS[2] is absent: no check). False while within the budget, else the seconds until
# the window closes; "moved" (nothing counted) when the namespace's version is not the one expected.
HIT = """
if KEYS[2] and (redis.call('GET', KEYS[2]) or '') ~= ARGV[4] then return 'moved' end
local now = tonumber(ARGV[3])
local close = tonumber(redis.call('HGET', KEYS[1], 'close'))
local hits
if not close or close <= now then
  close = now + tonumber(ARGV[2])
  hits = 1
  redis.call('HSET', KEYS[1], 'hits', 1, 'close', string.format('%.17g', close))
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
else
  hits = redis.call('HINCRBY', KEYS[1], 'hits', 1)
end
if hits <= tonumber(ARGV[1]) then return false end
return string.format('%.17g', close - now)
"""


class RedisWindows:
    """:class:`~oauth2_token_contract.mock.windows.FixedWindows`' interface, kept in Redis."""

    def __init__(self, engine: Engine, clock: Callable[[], float], registry: object = None) -> None:
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.prefix = engine.prefix + "win:"
        self._hit = engine.script(HIT)

    @guarded
    def __len__(self) -> int:
        return sum(1 for _ in self.engine.keys_matching("win:*"))

    @guarded
    def __iter__(self) -> Iterator[str]:
        return iter([key.removeprefix(self.prefix) for key in self.engine.keys_matching("win:*")])

    @guarded
    def hit(self, key: str, amount: int, seconds: float) -> float | None:
        """Counts the request; when the endpoint asked for a version check (``Engine.expected``), in
        the same round trip, and StateMoved, nothing counted, when another process changed the state."""
        engine, keys = self.engine, [self.prefix + key]
        args: list[str | int | float] = [amount, seconds, repr(self.clock())]
        if engine.expected is not UNARMED:
            keys.append(engine.version)
            args.append(str(engine.expected or ""))  # armed: the version string (or none yet)
            engine.expected = UNARMED
        wait = self._hit(keys=keys, args=args)
        if wait == "moved":
            engine.changed()  # reread what moved
            raise StateMoved
        return None if wait is None else float(wait)

    @guarded
    def hits(self, key: str) -> int:
        hits, close = self.engine.client.hmget(self.prefix + key, ["hits", "close"])
        return 0 if close is None or float(close) <= self.clock() else as_int(hits)

    @guarded
    def forget(self, key: str) -> None:
        if not getattr(self.registry, "remote", False):  # once, by the process that changed the client
            self.engine.client.delete(self.prefix + key)

    @guarded
    def reset(self) -> None:
        self.engine.delete_matching("win:*")


class RedisRateLimiter(RateLimiter):
    """:class:`RateLimiter` counting in :class:`RedisWindows`."""

    def __init__(self, settings: MockSettings, engine: Engine, *, clock: MockClock | None = None) -> None:
        clock = clock or MockClock()
        super().__init__(settings, clock=clock)
        registry = settings.clients if isinstance(settings.clients, ClientRegistry) else None
        self.windows = RedisWindows(engine, clock.now, registry)  # type: ignore[assignment]
