"""How a check is declared: ``@check(Check.NAME, status=200, method="POST")`` registers it under its
name, skips answers its guard rules out, and counts it as exercised when it looks at one.

A single-answer check (``(ctx, exchange)``) runs on every answer the families receive, Schemathesis
cases included; ``every_answer=False`` declares a check a scenario calls itself, with its own
arguments (several exchanges, what was asked for). Every-answer checks run in the order the
:class:`Check` enumeration names them, so an answer's first finding does not depend on which module
loaded first.

Adding a check, every step (a test says which one is missing):

1. a member of :class:`Check` (``oauth2_token_contract/spec/names.py``), the name reports carry;
2. the decorated function in a module of this package, named as the member's value
   (``tests/suite/test_check_declarations.py``), or a family's scenario that raises it;
3. a row of the rule matrix (``oauth2_token_contract/spec/rules.py``) and RULES.md regenerated
   (``tests/spec/test_rules.py``);
4. the family test that judges it, marked ``@pytest.mark.checks(Check.NAME)`` (the same test);
5. a seeded fault in ``selfcheck/faults`` that breaks the row (the same test), and, where the rule
   leaves latitude, a correct variant that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, NoReturn, ParamSpec, TypeVar

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks.context import CheckContext
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange

__all__ = [
    "CHECKS",
    "Guard",
    "ResponseCheck",
    "check",
    "fail",
    "media_type",
    "raise_findings",
    "response_findings",
    "run_response_checks",
]

P = ParamSpec("P")
R = TypeVar("R")
ResponseCheck = Callable[[CheckContext, Exchange], None]
_ORDER = {name: position for position, name in enumerate(Check)}


def media_type(exchange: Exchange) -> str:
    """The answer's media type, lower case, without parameters ("" when it has no Content-Type)."""
    return (exchange.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Guard:
    """When a check applies to an answer; a check judges nothing, and counts nothing, elsewhere."""

    status: int | None = None
    method: str | None = None
    media: str | None = None
    when: Callable[[Exchange], bool] | None = None

    def applies(self, exchange: Exchange) -> bool:
        return (
            (self.status is None or exchange.status == self.status)
            and (self.method is None or exchange.request.method == self.method)
            and (self.media is None or media_type(exchange) == self.media)
            and (self.when is None or self.when(exchange))
        )


class Registry:
    """Every declared check by name; the single-answer ones in the enumeration's order."""

    def __init__(self) -> None:
        self.declared: dict[Check, Callable[..., object]] = {}
        self._every_answer: list[tuple[Check, ResponseCheck]] = []

    def add(self, name: Check, function: Callable[..., object], *, every_answer: bool) -> None:
        if name in self.declared:
            raise ValueError(f"check {name} is declared twice")
        self.declared[name] = function
        if every_answer:
            self._every_answer.append((name, function))  # type: ignore[arg-type]
            self._every_answer.sort(key=lambda entry: _ORDER[entry[0]])

    def every_answer(self) -> tuple[ResponseCheck, ...]:
        return tuple(function for _, function in self._every_answer)


CHECKS = Registry()


def check(
    name: Check,
    *,
    status: int | None = None,
    method: str | None = None,
    media: str | None = None,
    when: Callable[[Exchange], bool] | None = None,
    every_answer: bool = True,
) -> Callable[[Callable[Concatenate[CheckContext, P], R]], Callable[Concatenate[CheckContext, P], R | None]]:
    """Declare a check: registered as ``name``, guarded, and counted in ``ctx`` when it judges."""
    guard = Guard(status, method, media, when)
    if not every_answer and guard != Guard():
        raise ValueError(f"check {name}: a guard needs an answer, so only every-answer checks have one")

    def declare(
        function: Callable[Concatenate[CheckContext, P], R],
    ) -> Callable[Concatenate[CheckContext, P], R | None]:
        @wraps(function)
        def judged(ctx: CheckContext, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
            if every_answer and not guard.applies(args[0]):  # type: ignore[arg-type]
                return None
            ctx.judged(name)
            return function(ctx, *args, **kwargs)

        CHECKS.add(name, judged, every_answer=every_answer)
        return judged

    return declare


def fail(check: Check, message: str, exchange: Exchange | None, *, cause: str | None = None) -> NoReturn:
    raise ContractViolation(check, message, exchange, cause=cause)


def raise_findings(findings: Sequence[ContractViolation]) -> None:
    """Raise the first finding with the others alongside; nothing when there are none."""
    if findings:
        first = findings[0]
        raise ContractViolation(
            first.check, first.message, first.exchange, cause=first.cause, also=findings[1:]
        )


def response_findings(ctx: CheckContext, exchange: Exchange) -> list[ContractViolation]:
    """Every single-answer check, its failures collected rather than raised."""
    found = []
    for response_check in CHECKS.every_answer():
        try:
            response_check(ctx, exchange)
        except ContractViolation as violation:
            found.append(violation)
    return found


def run_response_checks(ctx: CheckContext, exchange: Exchange) -> Exchange:
    """Every single-answer check; the first failure raised, the others alongside it."""
    raise_findings(response_findings(ctx, exchange))
    return exchange
