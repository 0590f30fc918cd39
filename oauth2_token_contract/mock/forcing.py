"""What QA may ask one answer to be, from a ``Prefer`` header or a scripted rule, checked against the spec.

An :class:`Answer` is any of:

* documented: ``code`` (a status the spec documents: its first example), ``example`` (a named
  example), ``error`` (a 400 with that RFC 6749 code, as the mock words it), ``retry_in`` (a 429
  whose ``X-Retry-In`` says that many milliseconds);
* late: ``delay`` milliseconds before the answer (at most ``MAX_DELAY_MS``);
* broken, ``fault``: ``reset`` (the connection is reset, no answer), ``close`` (closed, no answer),
  ``truncate`` (the head and half the body, then closed), ``slow-body`` (the body in
  ``SLOW_BODY_PIECES`` pieces ``SLOW_BODY_GAP`` seconds apart); or a gateway's ``502``/``503``/``504``,
  a status the contract does not document, so opt-in only and marked in the journal.

A documented answer or a gateway status replaces the endpoint's (the request is not processed); a
delay or any other fault changes how the endpoint's own answer is delivered (the request is
processed: a refresh token spent on a reset answer is spent). ``Prefer`` takes ``code``,
``example``, ``delay`` and ``fault``; an unknown value of one of them is 422 ``mock_control_error``,
an unknown preference is ignored (RFC 7240). Rules take all six, as JSON.

The vocabulary is declared once, as the fields of :class:`Answer`: what ``Prefer`` accepts, what a
rule's JSON accepts, :meth:`Answer.describe` and ``MockControls.force()`` all read it from there.
Rendering a forced answer is the renderer's (:mod:`oauth2_token_contract.mock.rendering`). This
module is light (no Starlette): the Python client of the controls imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from oauth2_token_contract.mock.errors import OAUTH_ERRORS, ControlError

if TYPE_CHECKING:
    from starlette.responses import Response

    from oauth2_token_contract.mock.settings import MockSettings
    from oauth2_token_contract.spec.contract import Contract, Operation

__all__ = [
    "DELIVERY_FAULTS",
    "FAULTS",
    "FIELDS",
    "GATEWAY_FAULTS",
    "MAX_DELAY_MS",
    "MAX_RETRY_IN_MS",
    "PREFER_FIELDS",
    "SLOW_BODY_GAP",
    "SLOW_BODY_PIECES",
    "Answer",
    "Answers",
    "parse_prefer",
]

MAX_DELAY_MS = 30_000
MAX_RETRY_IN_MS = 86_400_000  # a day: longer waits are not a retry test
SLOW_BODY_PIECES = 4
SLOW_BODY_GAP = 1.0  # seconds between pieces: longer than a tight per-read timeout
DELIVERY_FAULTS = ("reset", "close", "truncate", "slow-body")
GATEWAY_FAULTS = ("502", "503", "504")
FAULTS = DELIVERY_FAULTS + GATEWAY_FAULTS
_PREFER = {"prefer": True}  # a field ``Prefer`` takes too, not only a rule's JSON
_ORIGIN = {"origin": True}  # where the answer came from, not what was asked


def parse_prefer(value: str) -> dict[str, str]:
    """``code=400, example=x`` (commas or semicolons) -> ``{"code": "400", "example": "x"}``."""
    preferences: dict[str, str] = {}
    for part in value.replace(";", ",").split(","):
        name, sep, setting = part.partition("=")
        if sep:
            preferences[name.strip().lower()] = setting.strip().strip('"')
    return preferences


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer as asked for; ``rule`` is the id of the rule that gave it (None: ``Prefer``).

    Its fields are the vocabulary: a new kind of forced answer is one field here (``_PREFER`` if a
    ``Prefer`` header may ask for it), its check in :meth:`Answers.answer` and its rendering."""

    code: int | None = field(default=None, metadata=_PREFER)
    example: str | None = field(default=None, metadata=_PREFER)
    error: str | None = None
    retry_in: int | None = None
    delay: int = field(default=0, metadata=_PREFER)
    fault: str | None = field(default=None, metadata=_PREFER)
    rule: int | None = field(default=None, metadata=_ORIGIN)

    @property
    def replaces(self) -> bool:
        """It stands in for the endpoint's answer (documented, or a gateway status)."""
        return self.code is not None or self.fault in GATEWAY_FAULTS

    @property
    def wraps(self) -> bool:
        """It changes how an answer is delivered (late, or broken on the wire)."""
        return self.delay > 0 or self.fault in DELIVERY_FAULTS

    @property
    def outside_contract(self) -> bool:
        """What the client meets is not a contract answer: a gateway status, or a broken delivery."""
        return self.fault is not None

    def describe(self) -> dict[str, Any]:
        """The answer as JSON (as rules are written), with what it came from."""
        shown: dict[str, Any] = {
            name: value for name in FIELDS if (value := getattr(self, name)) not in (None, 0)
        }
        shown["source"] = "prefer" if self.rule is None else "rule"
        if self.rule is not None:
            shown["rule"] = self.rule
        return shown


# What a rule's JSON may ask for, and the part of it a ``Prefer`` header may: read off Answer.
FIELDS = tuple(f.name for f in fields(Answer) if not f.metadata.get("origin"))
PREFER_FIELDS = tuple(f.name for f in fields(Answer) if f.metadata.get("prefer"))


def _integer(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, str):
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ControlError(f"{name} must be an integer in [{low}, {high}]")
    return value


class Renderer(Protocol):
    """What the answers need of the renderer (:class:`~oauth2_token_contract.mock.rendering.ResponseRenderer`,
    which imports this module): the status each refusal takes, and the forced answer written out."""

    @property
    def statuses(self) -> Mapping[str, int]: ...

    def forced(self, answer: Answer) -> Response: ...


class Answers:
    """Reads answers (from ``Prefer`` or JSON) and checks them against the spec; the renderer
    renders them (:meth:`~oauth2_token_contract.mock.rendering.ResponseRenderer.forced`)."""

    def __init__(
        self, settings: MockSettings, renderer: Renderer, operation: Operation | None = None
    ) -> None:
        """``operation``: the documented operation whose answers these are (default: the token's)."""
        contract: Contract | Operation = settings.contract if operation is None else operation
        self.renderer = renderer
        self.examples = {status: contract.response_examples(status) for status in sorted(contract.statuses)}
        self.errors = {error.code: error for error in OAUTH_ERRORS if error.code in contract.error_codes}
        self.contract = contract

    def from_prefer(self, prefer: bytes) -> Answer | None:
        """What a ``Prefer`` header asks for; None when it asks nothing the mock knows."""
        preferences = parse_prefer(prefer.decode("latin-1"))
        asked = {name: preferences[name] for name in PREFER_FIELDS if name in preferences}
        return self.answer(asked) if asked else None

    def from_json(self, data: Any, rule: int | None = None) -> Answer:
        """A rule's ``answer`` object."""
        if not isinstance(data, dict) or not data:
            raise ControlError(f"answer must be an object with any of {sorted(FIELDS)}")
        unknown = set(data) - set(FIELDS)
        if unknown:
            raise ControlError(f"answer: unknown field(s) {sorted(map(str, unknown))}")
        return self.answer(data, rule)

    def render(self, answer: Answer) -> Response:
        """The answer that stands in for the endpoint's (``answer.replaces``), as the renderer writes it."""
        return self.renderer.forced(answer)

    def answer(self, asked: dict[str, Any], rule: int | None = None) -> Answer:
        """The answer, checked: ControlError (422) names what is wrong."""
        code = None if asked.get("code") is None else _integer(asked["code"], "code", 100, 599)
        example, error, retry_in = asked.get("example"), asked.get("error"), asked.get("retry_in")
        delay = _integer(asked.get("delay", 0), "delay", 0, MAX_DELAY_MS)
        fault = asked.get("fault")
        if fault is not None:
            fault = str(fault).lower()
            if fault not in FAULTS:
                raise ControlError(f"fault must be one of {', '.join(FAULTS)}")
            if fault in GATEWAY_FAULTS and (code, example, error, retry_in) != (None,) * 4:
                raise ControlError("a gateway status replaces the answer: it takes no code, example or error")
        if error is not None:
            fits = self.contract.statuses_for(error) if error in self.errors else ()
            if not fits or (code is not None and code not in fits) or example is not None:
                raise ControlError(f"error must be one of {sorted(self.errors)}, alone or with its status")
            code = code or self.renderer.statuses.get(error, 400)
        if retry_in is not None:
            retry_in = _integer(retry_in, "retry_in", 1, MAX_RETRY_IN_MS)
            if code not in (None, 429):
                raise ControlError("retry_in goes with code 429")
            code = 429
        if code is not None or example is not None:
            code = self._documented(code, example, error)
        return Answer(code, example, error, retry_in, delay, fault, rule)

    def _documented(self, code: int | None, example: Any, error: str | None) -> int:
        """The status of a documented answer: ``code``, or the first that has the named example."""
        if example is not None and not isinstance(example, str):
            raise ControlError("example must be the name of a documented example")
        if code is None:
            code = next((status for status, named in self.examples.items() if example in named), None)
        examples = self.examples.get(code) if code is not None else None
        if code is None or examples is None:
            raise ControlError("no such documented response")
        if example is not None and example not in examples:
            raise ControlError("no such documented response")
        if code == 200 and not examples and self.contract.response_schema(200):
            raise ControlError("the spec has no 200 example; the endpoint itself answers 200")
        return code
