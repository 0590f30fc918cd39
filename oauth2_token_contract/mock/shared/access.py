"""The access tokens over shared state: one key per token, expiring with it, bounded as in memory.

A token's key holds whom it was issued to, its scope, when it was issued and expires on the mock's
clock, its grant and its token type, and expires in Redis when its lifetime ends. A sorted set orders
the keys by expiry: past ``max_access_tokens`` the soonest to expire go. Adding one is a blind write,
sent with the request's journal entry (the token path gains no round trip).

A grant whose refresh token was revoked gets a mark (written by the refresh store's revocation script,
in the same step as the delete: :mod:`.store`), which lives until the last access token it covers
would have expired, and orders after them all; checking a token (:meth:`RedisAccessTokenStore.check`)
reads the token and its grant's mark in one script, and revoking one checks and deletes it in one.
"""

from __future__ import annotations

import json
import math
import time

from oauth2_token_contract.mock.access import AccessRecord, AccessTokenStore
from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.shared.engine import ADD_BODY, FORGET, Engine, as_int, guarded

__all__ = ["RedisAccessTokenStore"]

# KEYS: token, order.
ADD = ADD_BODY + "add(KEYS[1], KEYS[2])\nreturn 1\n"
# KEYS: token. ARGV: the marks' key prefix. The token's value, or false (none, or its grant ended).
CHECK = """
local value = redis.call('GET', KEYS[1])
if not value then return false end
local grant = cjson.decode(value)[5]
if type(grant) == 'string' and redis.call('EXISTS', ARGV[1] .. grant) == 1 then return false end
return value
"""
# KEYS: token, order. ARGV: client id, the marks' key prefix, now (the mock's clock).
REVOKE = """
local value = redis.call('GET', KEYS[1])
if not value then return 'unknown' end
local record = cjson.decode(value)
if tonumber(record[4]) <= tonumber(ARGV[3]) then return 'unknown' end
local grant = record[5]
if type(grant) == 'string' and redis.call('EXISTS', ARGV[2] .. grant) == 1 then return 'unknown' end
if record[1] ~= ARGV[1] then return 'other' end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return 'revoked'
"""


def _encode(record: AccessRecord) -> str:
    return json.dumps(list(record), separators=(",", ":"))


def _decode(text: str) -> AccessRecord:
    client_id, scope, issued_at, expires_at, grant, token_type = json.loads(text)
    return AccessRecord(client_id, scope, int(issued_at), float(expires_at), grant, token_type)


class RedisAccessTokenStore(AccessTokenStore):
    """:class:`AccessTokenStore` every process of the namespace shares."""

    def __init__(self, settings: MockSettings, engine: Engine) -> None:
        super().__init__(settings)
        self.engine = engine
        self.registry = settings.clients if isinstance(settings.clients, ClientRegistry) else None
        self.order = engine.key("at-order")
        self.mark_prefix = engine.prefix + "atg:"
        self._add = engine.script(ADD)
        self._check = engine.script(CHECK)
        self._revoke = engine.script(REVOKE)
        self._forget = engine.script(FORGET)

    def _key(self, token: str) -> str:
        return self.engine.prefix + "at:" + token

    @guarded
    def __len__(self) -> int:
        return as_int(self.engine.client.zcard(self.order))

    @guarded
    def add(self, token: str, record: AccessRecord, now: float) -> None:
        """A blind write: sent with the request's journal entry (:meth:`Engine.write`)."""
        lifetime = max(1, math.ceil((record.expires_at - now) * 1000))
        real = time.time() * 1000
        args = [_encode(record), lifetime, real + lifetime, real, self.max_entries]
        self.engine.write(self._add, [self._key(token), self.order], args)

    @guarded
    def get(self, token: str, now: float) -> AccessRecord | None:
        text = self.engine.client.get(self._key(token))
        record = None if text is None else _decode(str(text))
        return record if record is not None and record.expires_at > now else None

    @guarded
    def check(self, token: str, now: float) -> AccessRecord | None:
        text = self._check(keys=[self._key(token)], args=[self.mark_prefix])
        record = None if text is None else _decode(str(text))
        return record if record is not None and record.expires_at > now else None

    @guarded
    def consume(self, token: str) -> AccessRecord | None:
        with self.engine.client.pipeline() as pipe:
            pipe.getdel(self._key(token))
            pipe.zrem(self.order, self._key(token))
            text, _ = pipe.execute()
        return None if text is None else _decode(text)

    @guarded
    def revoke(self, token: str, client_id: str, now: float) -> str:
        keys = [self._key(token), self.order]
        return str(self._revoke(keys=keys, args=[client_id, self.mark_prefix, repr(now)]))

    @guarded
    def end_grant(self, grant: str, client_id: str, until: float, now: float) -> None:
        lifetime = max(1, math.ceil((until - now) * 1000))
        real = time.time() * 1000
        args: list[str | int | float] = [json.dumps([client_id]), lifetime, real + lifetime + 1, real,
                                          self.max_entries]  # fmt: skip
        self._add(keys=[self.mark_prefix + grant, self.order], args=args)

    @guarded
    def forget_client(self, client_id: str) -> int:
        return as_int(self._forget(keys=[self.order], args=[client_id]))

    def client_changed(self, client_id: str, client: ClientConfig | None) -> None:
        if client is None and not getattr(self.registry, "remote", False):
            self.forget_client(client_id)  # once, by the process that deleted the client

    @guarded
    def clear(self) -> None:
        self.engine.delete_matching("at:*")
        self.engine.delete_matching("atg:*")
        self.engine.client.delete(self.order)
