"""The scripted rules over shared state: one book for every process, each use counted once.

Redis holds each rule's JSON (as ``POST /__mock/rules`` took it) and what it has left; each process
keeps the rules parsed, rebuilt when the namespace's version moves. Taking a use is one Lua script,
so a rule for ``times: 2`` answers exactly two requests whichever processes serve them: a process whose
copy still shows a rule another used up finds it gone, and tries the next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from oauth2_token_contract.mock.errors import ControlError
from oauth2_token_contract.mock.forcing import Answer, Answers
from oauth2_token_contract.mock.scripted import ScriptedAnswer, ScriptedAnswers, media_of
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.shared.engine import Engine, as_int, guarded

__all__ = ["RedisScriptedAnswers"]

# KEYS: rules, left, version. ARGV: id, JSON, times, cap. 0 when the book is full.
ADD = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[3])
return 1
"""
# KEYS: rules, left, used, version. ARGV: id. What the rule has left after this use; -1 when gone.
TAKE = """
if not redis.call('HGET', KEYS[2], ARGV[1]) then return -1 end
local left = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
if left <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('INCR', KEYS[4])
end
return left
"""
# KEYS: rules, left, used, version. ARGV: id. 1 when the rule was there.
REMOVE = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('INCR', KEYS[4])
return 1
"""


class RedisScriptedAnswers(ScriptedAnswers):
    """:class:`ScriptedAnswers` every process of the namespace shares."""

    def __init__(self, settings: MockSettings, answers: Answers, engine: Engine) -> None:
        super().__init__(settings, answers)
        self.engine = engine
        self.keys = [engine.key("rules"), engine.key("rules:left"), engine.key("rules:used"), engine.version]
        self.next_id = engine.key("rules:next")
        self._add = engine.script(ADD)
        self._take = engine.script(TAKE)
        self._remove = engine.script(REMOVE)

    @guarded
    def add(self, data: Any) -> ScriptedAnswer:
        rule = self.parse(data, as_int(self.engine.client.incr(self.next_id)))
        rules, left, _, version = self.keys
        added = self._add(keys=[rules, left, version], args=[rule.id, json.dumps(data), rule.remaining,
                                                             self.max_rules])  # fmt: skip
        if not added:
            raise ControlError(f"at most {self.max_rules} rules at once", status=409)
        self.engine.changed()
        return rule

    @guarded
    def take(self, client_id: str | None, grant_type: Any, content_type: bytes | None) -> Answer | None:
        media = media_of(content_type)
        for rule in list(self.rules):
            if not rule.matches(client_id, grant_type, media):
                continue
            left = as_int(self._take(keys=self.keys, args=[rule.id]))
            if left < 0:  # another process used it up since this one looked: the next rule may match
                self._drop(rule.id)
                continue
            rule.remaining, rule.used = left, rule.used + 1
            if left == 0:
                self._drop(rule.id)
            return rule.answer
        return None

    @guarded
    def remove(self, rule_id: int) -> bool:
        removed = bool(self._remove(keys=self.keys, args=[rule_id]))
        self.engine.changed()
        return removed

    @guarded
    def clear(self) -> None:
        rules_key, left, used, version = self.keys
        with self.engine.client.pipeline() as pipe:
            pipe.delete(rules_key, left, used)
            pipe.incr(version)
            pipe.execute()
        self.rules.clear()
        self.active = False

    @guarded
    def describe(self) -> list[dict[str, Any]]:
        _, left_key, used_key, _ = self.keys
        with self.engine.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(left_key)
            pipe.hgetall(used_key)
            left, used = pipe.execute()
        for rule in self.rules:
            rule.remaining = as_int(left.get(str(rule.id), rule.remaining))
            rule.used = as_int(used.get(str(rule.id), 0))
        return [rule.describe() for rule in self.rules if str(rule.id) in left]

    def apply(self, stored: Mapping[str, str]) -> None:
        """The rules Redis holds (id -> JSON), parsed, in the order they were made."""
        rules: list[ScriptedAnswer] = []
        for rule_id in sorted(stored, key=int):
            try:
                rules.append(self.parse(json.loads(stored[rule_id]), int(rule_id)))
            except (ControlError, ValueError):
                continue  # written by a process on another spec: not a rule this one can answer
        self.rules, self.active = rules, bool(rules)

    def _drop(self, rule_id: int) -> None:
        self.rules = [rule for rule in self.rules if rule.id != rule_id]
        self.active = bool(self.rules)
