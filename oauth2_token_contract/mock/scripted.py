"""Scripted answers: "the next N requests that match get this answer", then normal behaviour again.

A rule matches on the client id a request claims (Basic or body, before authentication), its grant
type and its media type; a field left out matches anything. Rules are tried in the order they were
made; the first that matches answers (an
:class:`~oauth2_token_contract.mock.forcing.Answer`) and counts one use down, and leaves when
it is used up. They apply to requests whose body parsed, and only when the request's own ``Prefer``
asks for nothing. At most ``MAX_RULES`` rules, each for at most ``MAX_TIMES`` requests.

    {"match": {"client_id": "app-1", "grant_type": "refresh_token", "media": "application/json"},
     "times": 2, "answer": {"code": 429, "retry_in": 1500}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth2_token_contract.mock.errors import ControlError
from oauth2_token_contract.mock.forcing import Answer, Answers
from oauth2_token_contract.mock.settings import MockSettings

__all__ = ["MAX_RULES", "MAX_TIMES", "ScriptedAnswer", "ScriptedAnswers"]

MAX_RULES = 100
MAX_TIMES = 10_000
_MATCH_FIELDS = ("client_id", "grant_type", "media")
_MAX_TEXT = 255


@dataclass
class ScriptedAnswer:
    """One scripted answer and what it still has to answer."""

    id: int
    client_id: str | None
    grant_type: str | None
    media: str | None
    remaining: int
    answer: Answer
    used: int = 0

    def matches(self, client_id: str | None, grant_type: Any, media: str | None) -> bool:
        return (
            (self.client_id is None or self.client_id == client_id)
            and (self.grant_type is None or self.grant_type == grant_type)
            and (self.media is None or self.media == media)
        )

    def describe(self) -> dict[str, Any]:
        match = {name: value for name in _MATCH_FIELDS if (value := getattr(self, name)) is not None}
        answer = self.answer.describe()
        del answer["source"], answer["rule"]
        return {
            "id": self.id,
            "match": match,
            "remaining": self.remaining,
            "used": self.used,
            "answer": answer,
        }


def media_of(content_type: bytes | None) -> str | None:
    """The media type of a Content-Type, lower-cased, without parameters."""
    if content_type is None:
        return None
    return content_type.split(b";", 1)[0].strip().lower().decode("latin-1")


class ScriptedAnswers:
    """The rules in force; ``active`` is the one flag the request path reads."""

    def __init__(self, settings: MockSettings, answers: Answers, max_rules: int = MAX_RULES) -> None:
        self.answers = answers
        self.media_types = tuple(settings.contract.media_types)
        self.max_rules = max_rules
        self.rules: list[ScriptedAnswer] = []
        self.active = False
        self._next_id = 1

    def add(self, data: Any) -> ScriptedAnswer:
        """A rule from its JSON (ControlError 422 when malformed, 409 when the book is full)."""
        rule = self.parse(data, self._next_id)
        if len(self.rules) >= self.max_rules:
            raise ControlError(f"at most {self.max_rules} rules at once", status=409)
        self._next_id += 1
        self.rules.append(rule)
        self.active = True
        return rule

    def parse(self, data: Any, rule_id: int) -> ScriptedAnswer:
        """The rule a JSON body describes, numbered ``rule_id`` (ControlError 422 when malformed)."""
        if not isinstance(data, dict) or set(data) - {"match", "times", "answer"}:
            raise ControlError('a rule is {"match": {...}, "times": N, "answer": {...}}')
        match = {} if data.get("match") is None else data["match"]
        if not isinstance(match, dict) or set(match) - set(_MATCH_FIELDS):
            raise ControlError(f"match may name {', '.join(_MATCH_FIELDS)}")
        for name, value in match.items():
            if not isinstance(value, str) or not 0 < len(value) <= _MAX_TEXT:
                raise ControlError(f"match.{name} must be a string of 1 to {_MAX_TEXT} characters")
        if "media" in match and match["media"].lower() not in self.media_types:
            raise ControlError(f"match.media must be one of {', '.join(self.media_types)}")
        times = data.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_TIMES:
            raise ControlError(f"times must be an integer in [1, {MAX_TIMES}]")
        answer = self.answers.from_json(data.get("answer"), rule=rule_id)
        media = match["media"].lower() if "media" in match else None
        return ScriptedAnswer(rule_id, match.get("client_id"), match.get("grant_type"), media, times, answer)

    def take(self, client_id: str | None, grant_type: Any, content_type: bytes | None) -> Answer | None:
        """The answer of the first rule the request matches, counting one use; None when none does."""
        media = media_of(content_type)
        for rule in self.rules:
            if rule.matches(client_id, grant_type, media):
                rule.remaining -= 1
                rule.used += 1
                if rule.remaining <= 0:
                    self.remove(rule.id)
                return rule.answer
        return None

    def remove(self, rule_id: int) -> bool:
        kept = [rule for rule in self.rules if rule.id != rule_id]
        removed = len(kept) != len(self.rules)
        self.rules = kept
        self.active = bool(kept)
        return removed

    def clear(self) -> None:
        self.rules = []
        self.active = False

    def describe(self) -> list[dict[str, Any]]:
        return [rule.describe() for rule in self.rules]
