"""The refresh tokens over shared state: one key per token, rotated exactly once, expiring with it.

A token's key holds whom it was issued to, its scope and when it expires on the mock's clock, and
expires in Redis when its lifetime ends (the mock's clock only runs ahead of real time, so the token is
never dropped before its time). A sorted set orders the tokens by expiry: entries past it leave on
each add, and past ``max_refresh_tokens`` the soonest to expire go, so Redis holds at most that many
tokens under any load, as the in-memory store does.

A rotation (:meth:`RedisRefreshTokenStore.rotate`) is one Lua script: the old key is deleted and the
new one written in one step, and only the request whose delete removed the key gets its successor. So
of any number of requests presenting one token at once, across any number of processes, exactly one
rotates it; and a connection lost during the script leaves both keys as before or both as after.
A revocation (:meth:`RedisRefreshTokenStore.revoke`) is one script too: the token deleted and its
grant marked among the access tokens (:mod:`.access`) in one step.
"""

from __future__ import annotations

import json
import math
import time

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.shared.access import RedisAccessTokenStore
from oauth2_token_contract.mock.shared.engine import ADD_BODY, FORGET, Engine, as_int, guarded
from oauth2_token_contract.mock.store import GrantEnder, RefreshRecord, RefreshTokenStore

__all__ = ["RedisRefreshTokenStore"]

# KEYS: token, order.
ADD = ADD_BODY + "add(KEYS[1], KEYS[2])\nreturn 1\n"
# KEYS: old token, new token, order. 0 when the old token was gone (nothing written).
ROTATE = (
    ADD_BODY
    + """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], KEYS[1])
add(KEYS[2], KEYS[3])
return 1
"""
)


# KEYS: token, order, the access tokens' order. ARGV: client id, now (the mock's clock), the grant
# marks' key prefix, the mark's lifetime (ms), its expiry (real ms), now (real ms), the access cap.
# 'unknown' (no live token), 'other' (another client's: nothing changed) or 'revoked': the token gone
# and its grant marked, in one step, so no access token of the grant is accepted once it returns.
REVOKE = """
local value = redis.call('GET', KEYS[1])
if not value then return 'unknown' end
local record = cjson.decode(value)
if tonumber(record[3]) <= tonumber(ARGV[2]) then return 'unknown' end
if record[1] ~= ARGV[1] then return 'other' end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
local grant = record[4]
if type(grant) == 'string' then
  local mark = ARGV[3] .. grant
  redis.call('SET', mark, cjson.encode({ARGV[1]}), 'PX', ARGV[4])
  redis.call('ZADD', KEYS[3], ARGV[5], mark)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[6])
  local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[7])
  if over > 0 then
    local doomed = redis.call('ZPOPMIN', KEYS[3], over)
    for i = 1, #doomed, 2 do redis.call('DEL', doomed[i]) end
  end
end
return 'revoked'
"""


def _encode(record: RefreshRecord) -> str:
    fields = [record.client_id, sorted(record.scope), record.expires_at, record.grant]
    return json.dumps(fields, separators=(",", ":"))


def _decode(text: str) -> RefreshRecord:
    client_id, scope, expires_at, *grant = json.loads(text)
    return RefreshRecord(client_id, frozenset(scope), float(expires_at), grant[0] if grant else None)


class RedisRefreshTokenStore(RefreshTokenStore):
    """:class:`RefreshTokenStore` every process of the namespace shares."""

    def __init__(self, settings: MockSettings, engine: Engine) -> None:
        super().__init__(settings)
        self.engine = engine
        self.registry = settings.clients if isinstance(settings.clients, ClientRegistry) else None
        self.order = engine.key("rt-order")
        self._add = engine.script(ADD)
        self._rotate = engine.script(ROTATE)
        self._forget = engine.script(FORGET)
        self._revoke = engine.script(REVOKE)

    def _key(self, token: str) -> str:
        return self.engine.prefix + "rt:" + token

    def _args(self, record: RefreshRecord, now: float) -> list[str | int | float]:
        lifetime = max(1, math.ceil((record.expires_at - now) * 1000))
        real = time.time() * 1000
        return [_encode(record), lifetime, real + lifetime, real, self.max_entries]

    @guarded
    def __len__(self) -> int:
        return as_int(self.engine.client.zcard(self.order))

    @guarded
    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        """A blind write: sent with the request's journal entry (:meth:`Engine.write`)."""
        self.engine.write(self._add, [self._key(token), self.order], self._args(record, now))

    @guarded
    def get(self, token: str, now: float) -> RefreshRecord | None:
        text = self.engine.client.get(self._key(token))
        if text is None:
            return None
        record = _decode(text if isinstance(text, str) else text.decode())
        if record.expires_at <= now:  # expired on the mock's clock, ahead of Redis's expiry
            self.engine.client.delete(self._key(token))
            return None
        return record

    @guarded
    def consume(self, token: str) -> RefreshRecord | None:
        with self.engine.client.pipeline() as pipe:
            pipe.getdel(self._key(token))
            pipe.zrem(self.order, self._key(token))
            text, _ = pipe.execute()
        return None if text is None else _decode(text)

    @guarded
    def rotate(self, old: str, new: str, record: RefreshRecord, now: float) -> bool:
        keys = [self._key(old), self._key(new), self.order]
        return bool(self._rotate(keys=keys, args=self._args(record, now)))

    @guarded
    def forget_client(self, client_id: str) -> int:
        return as_int(self._forget(keys=[self.order], args=[client_id]))

    @guarded
    def revoke(
        self, token: str, client_id: str, now: float, access: GrantEnder, access_lifetime: float
    ) -> str:
        """RFC 7009 for a refresh token, in one script: the token gone and its grant's access tokens
        ended together (the access store's keys, when it is this engine's too)."""
        if not isinstance(access, RedisAccessTokenStore) or access.engine is not self.engine:
            return super().revoke(token, client_id, now, access, access_lifetime)
        lifetime = max(1, math.ceil(access_lifetime * 1000))
        real = time.time() * 1000
        keys = [self._key(token), self.order, access.order]
        args: list[str | int | float] = [
            client_id,
            repr(now),
            access.mark_prefix,
            lifetime,
            real + lifetime + 1,
            real,
            access.max_entries,
        ]
        return str(self._revoke(keys=keys, args=args))

    def client_changed(self, client_id: str, client: ClientConfig | None) -> None:
        if client is None and not getattr(self.registry, "remote", False):
            self.forget_client(client_id)  # once, by the process that deleted the client

    @guarded
    def clear(self) -> None:
        self.engine.delete_matching("rt:*")
        self.engine.client.delete(self.order)
