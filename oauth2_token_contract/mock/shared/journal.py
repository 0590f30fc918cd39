"""The journal over shared state: one list for every process, the last N requests whichever served them.

Entries are redacted before they leave the process (the shared engine is infrastructure others reach:
no secret, no token goes there) and numbered by Redis as they are appended, by one Lua script that
also trims the list to ``journal.max_entries``. An entry that cannot be written, because the engine is
lost, waits in this process (bounded) and goes first once it answers again: the 503s an outage forced
are in the journal after it. Entries are numbered per process, and Redis keeps the last number it took
from each (a key expiring a day later): a write whose reply was lost (a timeout after Redis ran it) and
is sent again adds nothing twice. The request's blind writes (a refresh token issued) go in the same
pipeline, one round trip; when they fail, the answer is not sent (the endpoint answers 503 instead).
Questions read the list and filter here; ``wait`` asks again every ``POLL_SECONDS`` until an entry
matches or its time is up.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import uuid
from collections import deque
from typing import Any

from oauth2_token_contract.mock.forcing import Answer
from oauth2_token_contract.mock.journal import MAX_WAIT_SECONDS, MAX_WAITERS, Journal, Query
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.shared.engine import ENGINE_ERRORS, Engine, guarded

__all__ = ["MARK_SECONDS", "POLL_SECONDS", "RedisJournal"]

POLL_SECONDS = 0.05
MARK_SECONDS = 86_400  # a process's mark outlives any outage it could be sending entries again after
# KEYS: entries, sequence, this process's mark. ARGV: cap, the mark's lifetime (s), then pairs: the
# entry's number in this process, its JSON. Each is stored as "ID<TAB>JSON". Entries numbered at or
# below the mark are already in the list (a write whose answer was lost, sent again): skipped.
PUSH = """
local mark = tonumber(redis.call('GET', KEYS[3]) or '0')
local last = mark
for i = 3, #ARGV, 2 do
  local number = tonumber(ARGV[i])
  if number > mark then
    redis.call('RPUSH', KEYS[1], redis.call('INCR', KEYS[2]) .. '\\t' .. ARGV[i + 1])
    if number > last then last = number end
  end
end
redis.call('SET', KEYS[3], last, 'EX', tonumber(ARGV[2]))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return 1
"""


def _matches(query: Query, entry: dict[str, Any]) -> bool:
    return (
        (query.since is None or entry["time"] >= query.since)
        and (query.status is None or entry["status"] == query.status)
        and (query.client_id is None or entry["client_id"] == query.client_id)
        and (query.grant_type is None or (entry["params"] or {}).get("grant_type") == query.grant_type)
    )


_forks = 0


def _forked() -> None:
    global _forks  # noqa: PLW0603 - a generation counter, bumped in the child only
    _forks += 1


os.register_at_fork(after_in_child=_forked)


class RedisJournal(Journal):
    """:class:`Journal` every process of the namespace writes to and reads."""

    def __init__(self, settings: MockSettings, engine: Engine) -> None:
        super().__init__(settings)
        self.engine = engine
        self.cap = max(settings.journal_max_entries, 1)
        self._push = engine.script(PUSH)
        self._writer()
        self._pending: deque[tuple[int, str]] = deque(maxlen=self.cap)
        self._waiting = 0

    def record(  # noqa: PLR0917 - the endpoint's call, as the in-memory journal takes it
        self,
        scope: dict[str, Any],
        params: dict[str, Any] | None,
        status: int,
        body: bytes | memoryview,
        internal_error: bool | str = False,
        client_id: str | None = None,
        answer: Answer | None = None,
    ) -> None:
        writes, self.engine.deferred = self.engine.deferred, []
        if self._forks != _forks:  # a worker forked after the app was built: a writer of its own
            self._writer()
        if self.enabled:
            entry = (0, time.time(), scope["method"], scope["path"], scope["headers"], params, status, body,
                     internal_error, client_id, answer)  # fmt: skip
            redacted = self.redact(entry)
            del redacted["id"]  # Redis numbers it
            self._pending.append((next(self._numbers), json.dumps(redacted, separators=(",", ":"))))
        if not writes and not self._pending:
            return
        if self._pending:
            numbered = [part for entry in self._pending for part in entry]
            writes.append((self._push, self.keys, [self.cap, MARK_SECONDS, *numbered]))
        try:
            self.engine.run_together(writes)
        except ENGINE_ERRORS as exc:
            if len(writes) > bool(self._pending):  # the answer's state is not stored: it must not go out
                if self.enabled:
                    self._pending.pop()
                raise self.engine.failed(exc) from None
            return  # kept, and written first once the engine answers (the endpoint said 503)
        self._pending.clear()

    def _writer(self) -> None:
        """This process's name among the namespace's marks, and its entry numbers: each worker of
        ``serve --workers N`` (forked from the process that built the app) takes its own, or the
        marks would take one worker's entries for another's sent again, and drop them."""
        writer = uuid.uuid4().hex[:16]
        engine = self.engine
        self.keys = [engine.key("journal"), engine.key("journal:seq"), engine.key("journal:mark:" + writer)]
        self._numbers = itertools.count(1)
        self._forks = _forks

    @guarded
    def _stored(self) -> list[dict[str, Any]]:
        entries = []
        for line in self.engine.client.lrange(self.keys[0], 0, -1):
            sequence, _, text = str(line).partition("\t")
            entries.append({"id": int(sequence), **json.loads(text)})
        return entries

    def entries(self, query: Query | None = None) -> list[dict[str, Any]]:
        stored = self._stored()
        return stored if query is None else [entry for entry in stored if _matches(query, entry)]

    def count(self, query: Query | None = None) -> int:
        return len(self.entries(query))

    async def wait(self, query: Query, seconds: float) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(seconds, MAX_WAIT_SECONDS)
        if self._waiting >= MAX_WAITERS:
            raise ValueError(f"at most {MAX_WAITERS} requests may wait on the journal at once")
        self._waiting += 1
        try:
            found = self.entries(query)
            while not found and (remaining := deadline - loop.time()) > 0:
                await asyncio.sleep(min(POLL_SECONDS, remaining))
                found = self.entries(query)
        finally:
            self._waiting -= 1
        return found

    @guarded
    def clear(self) -> None:
        self.engine.client.delete(self.keys[0])
        self._pending.clear()
