"""The clients over shared state: what run time changed lives in Redis, the configuration in each process.

Two keys hold the changes: a hash of the clients created at run time (id -> their settings, as JSON)
and a set of the configured clients deleted. Each process's view is its configuration less the
deleted plus the created, rebuilt when the namespace's version moves (:mod:`.backend`), so a client
created through one process is known to the next request any process serves. A Lua script checks and
changes in one step: two processes creating one id at once get one 201 and one 409.

The process that makes a change also does what follows from it across the namespace (a deleted
client's refresh tokens and limiter window go); one that only learns of it (``remote``) updates what
it keeps for itself (budgets, the journal's masked secrets).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict

from oauth2_token_contract.mock.clients import MAX_ADDED_CLIENTS, ClientRegistry, RegistryError
from oauth2_token_contract.mock.settings import ClientConfig
from oauth2_token_contract.mock.shared.engine import Engine, guarded

__all__ = ["RedisClientRegistry", "decode_client", "encode_client"]

# KEYS: added, removed, version. ARGV: id, settings, configured (1/0), cap.
ADD = """
local configured = ARGV[3] == '1' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0
if configured or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[3])
return 'added'
"""
# KEYS: added, removed, version. ARGV: id, configured (1/0).
REMOVE = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  if ARGV[2] ~= '1' or redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 'missing' end
end
redis.call('INCR', KEYS[3])
return 'removed'
"""


def encode_client(client: ClientConfig) -> str:
    fields = asdict(client)
    for name in ("scopes", "grant_types", "default_scopes"):
        if fields.get(name) is not None:
            fields[name] = sorted(fields[name])
    return json.dumps(fields, separators=(",", ":"))


def decode_client(text: str) -> ClientConfig:
    fields = json.loads(text)
    for name in ("scopes", "grant_types", "default_scopes"):
        if fields.get(name) is not None:
            fields[name] = frozenset(fields[name])
    return ClientConfig(**fields)


class RedisClientRegistry(ClientRegistry):
    """:class:`ClientRegistry` whose run-time changes every process of the namespace shares."""

    def __init__(
        self, clients: Mapping[str, ClientConfig], engine: Engine, max_added: int = MAX_ADDED_CLIENTS
    ) -> None:
        super().__init__(clients, max_added)
        self.engine = engine
        self._keys = [engine.key("clients:added"), engine.key("clients:removed"), engine.version]
        self.remote = False  # True while taking in another process's change
        self._add = engine.script(ADD)
        self._remove = engine.script(REMOVE)

    @guarded
    def add(self, client: ClientConfig) -> None:
        configured = "1" if client.client_id in self._configured else "0"
        outcome = self._add(keys=self._keys, args=[client.client_id, encode_client(client), configured,
                                                  self.max_added])  # fmt: skip
        if outcome == "exists":
            raise RegistryError("a client with this client_id exists")
        if outcome == "full":
            raise RegistryError(f"at most {self.max_added} clients may be created at run time")
        self._added.add(client.client_id)
        self._set(client.client_id, client)
        self.engine.changed()

    @guarded
    def remove(self, client_id: str) -> ClientConfig:
        known = self._clients.get(client_id) or self._configured.get(client_id)
        configured = "1" if client_id in self._configured else "0"
        if self._remove(keys=self._keys, args=[client_id, configured]) == "missing" or known is None:
            raise RegistryError("no such client")
        self._added.discard(client_id)
        if client_id in self._clients:
            self._set(client_id, None)
        self.engine.changed()
        return known

    @guarded
    def restore(self) -> None:
        added, removed, version = self._keys
        with self.engine.client.pipeline() as pipe:
            pipe.delete(added, removed)
            pipe.incr(version)
            pipe.execute()
        self.apply({}, set(), remote=False)

    def apply(self, added: Mapping[str, str], removed: set[str], *, remote: bool = True) -> None:
        """The view Redis holds: the configured clients less ``removed``, plus ``added`` (id -> JSON)."""
        view = {cid: client for cid, client in self._configured.items() if cid not in removed}
        view.update({cid: decode_client(text) for cid, text in added.items()})
        self.remote = remote
        try:
            for client_id in [cid for cid in self._clients if cid not in view]:
                self._set(client_id, None)
            for client_id, client in view.items():
                if self._clients.get(client_id) != client:
                    self._set(client_id, client)
        finally:
            self.remote = False
        self._added = set(added)
