"""The connection to Redis, the keys of one namespace, and a lost engine said as :class:`StateUnavailable`.

Every key of a mock lives under ``otc:NAMESPACE:``, so two mocks (two teams, two test sessions) share one
Redis without meeting, and a reset clears its own namespace only. The parts that change several keys
at once do it in one Lua script (redis-py's ``register_script``: EVALSHA, EVAL again after a restart
emptied the script cache), so no other process ever sees half of a change, and a change a lost
connection cut is either whole in Redis or not there at all.

Calls are synchronous, on the event loop: the request path is synchronous code (that is what keeps the
in-memory mock fast), and a loopback round trip costs less than an asyncio client's own overhead.
Short socket timeouts bound how long an unreachable Redis holds a worker; one retry on a fresh
connection covers the pooled connections a Redis restart left dead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry

from oauth2_token_contract.mock.errors import StateUnavailable
from oauth2_token_contract.mock.settings import ConfigError

__all__ = ["ADD_BODY", "ENGINE_ERRORS", "FORGET", "UNARMED", "Engine", "guarded", "public_url"]

CONNECT_TIMEOUT = 1.0
SOCKET_TIMEOUT = 2.0
DELETE_BATCH = 500
# What a lost or unwilling engine raises; anything else from Redis is a bug of ours, left to surface.
ENGINE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
)

UNARMED = object()

# What the token stores share (:mod:`.store`, :mod:`.access`): one token key added to an order.
# Adds KEYS[n] (value ARGV[1], lifetime ARGV[2] ms, expiry ARGV[3] ms) to the order KEYS[order]; drops
# what expired (ARGV[4]: now, ms) and, past ARGV[5] tokens, the soonest to expire.
ADD_BODY = """
local function add(key, order)
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  redis.call('ZADD', order, ARGV[3], key)
  redis.call('ZREMRANGEBYSCORE', order, '-inf', ARGV[4])
  local over = redis.call('ZCARD', order) - tonumber(ARGV[5])
  if over > 0 then
    local doomed = redis.call('ZPOPMIN', order, over)
    for i = 1, #doomed, 2 do redis.call('DEL', doomed[i]) end
  end
end
"""
# KEYS: order. ARGV: client id. Drops the client's tokens; how many there were.
FORGET = """
local dropped = 0
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local value = redis.call('GET', key)
  if not value or cjson.decode(value)[1] == ARGV[1] then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], key)
    if value then dropped = dropped + 1 end
  end
end
return dropped
"""

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def public_url(url: str) -> str:
    """The URL without its password, fit for a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Engine:
    """One Redis connection pool and one namespace's key names."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = public_url(url)
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
            # One retry, on a fresh connection, for a refused or reset one; never after a timeout (the
            # command may be running: sent twice, a rotation would be refused the second time).
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
        )
        self.prefix = f"otc:{namespace}:"
        self.version = self.key("version")
        self.lost = False
        # Blind writes of the request being answered (a refresh token issued), sent with its journal
        # entry in one round trip when the journal is this engine's (``deferring``), else at once.
        self.deferring = False
        self.deferred: list[tuple[Script, list[str], list[Any]]] = []
        # Called after this process changed the control state (clients, rules, clock): reread it.
        self.on_change: Callable[[], None] = lambda: None
        # The namespace's version the request being answered expects (``UNARMED``: no check asked):
        # the limiter's script compares it in its own round trip (``RedisState.begin``).
        self.expected: str | object = UNARMED

    def key(self, name: str) -> str:
        return self.prefix + name

    def script(self, source: str) -> Script:
        return self.client.register_script(source)

    def check(self) -> None:
        """ConfigError, in one line, when Redis cannot be reached at start."""
        try:
            self.client.ping()
        except (*ENGINE_ERRORS, redis.exceptions.ResponseError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"cannot reach the state at {self.url}: {reason}") from None

    def write(self, script: Script, keys: list[str], args: list[Any]) -> None:
        """Runs ``script`` now, or with the request's journal entry when deferring."""
        if self.deferring:
            self.deferred.append((script, keys, args))
        else:
            script(keys=keys, args=args)

    def run_together(self, calls: list[tuple[Script, list[str], list[Any]]]) -> None:
        """Runs scripts in one round trip (a pipeline of EVALSHA: redis-py's pipelined scripts would
        ask SCRIPT EXISTS first, a round trip more); one whose script Redis lost (a restart) is loaded
        and run again on its own, the others not repeated."""
        with self.client.pipeline(transaction=False) as pipe:
            for script, keys, args in calls:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
            results = pipe.execute(raise_on_error=False)
        for (script, keys, args), result in zip(calls, results, strict=True):
            if isinstance(result, redis.exceptions.NoScriptError):
                script(keys=keys, args=args)  # EVAL, and the script cached again
            elif isinstance(result, Exception):
                raise result

    def changed(self) -> None:
        self.on_change()

    def keys_matching(self, pattern: str) -> Iterator[str]:
        """The namespace's keys matching ``pattern`` (after the prefix), by SCAN: never one long call."""
        for key in self.client.scan_iter(match=self.prefix + pattern, count=DELETE_BATCH):
            yield str(key)

    def delete_matching(self, pattern: str) -> None:
        batch: list[str] = []
        for key in self.keys_matching(pattern):
            batch.append(key)
            if len(batch) >= DELETE_BATCH:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)

    def failed(self, exc: Exception) -> StateUnavailable:
        """The error to raise for a lost engine, said in the log once per outage."""
        if not self.lost:
            self.lost = True
            logger.error("shared state at %s lost: %s", self.url, type(exc).__name__)
        return StateUnavailable(f"the mock's shared state at {self.url} is unreachable")

    def answered(self) -> None:
        if self.lost:
            self.lost = False
            logger.warning("shared state at %s is back", self.url)


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """A method of a part holding ``self.engine``: a lost engine raises :class:`StateUnavailable`."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        engine: Engine = args[0].engine  # type: ignore[attr-defined]
        try:
            result = method(*args, **kwargs)
        except ENGINE_ERRORS as exc:
            raise engine.failed(exc) from None
        if engine.lost:
            engine.answered()
        return result

    return call


def as_int(value: Any) -> int:
    return int(value) if value is not None else 0
