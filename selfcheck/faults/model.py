"""What a seeded fault and a correct variant are: the overrides of the mock that make them, and, for a
fault, the rows of the rule matrix it breaks (``oauth2_token_contract/spec/rules.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.spec.rules import rows

__all__ = ["CC_ONLY_CLIENT", "JWT_CLIENT", "Correct", "Fault"]

# Clients of mocks/clients.yaml the suite may be pointed with (tests check they exist).
JWT_CLIENT = "jwtQAclient_7Hq2x"
CC_ONLY_CLIENT = "ccOnlyQAclient_9Lm4"


@dataclass(frozen=True)
class Fault:
    """One defect: the overrides that seed it and the matrix rows it breaks.

    ``suite_client`` is the client the suite speaks for (a JWT fault shows only to a client that gets
    JWTs); ``env`` is what else the target's owner would tell the suite (a restricted client's
    credentials); ``burst_only`` marks a fault that only a burst can show.
    """

    name: str
    description: str
    overrides: dict[str, type] = field(default_factory=dict)
    breaks: tuple[str, ...] = ()
    rate_limit: str | None = None
    suite_client: str | None = None
    burst_only: bool = False
    env: tuple[tuple[str, str], ...] = ()

    @property
    def checks(self) -> tuple[Check, ...]:
        """The checks of the rows it breaks, each once, in row order: any of them may catch it."""
        matrix = rows()
        return tuple(dict.fromkeys(matrix[row].check for row in self.breaks))

    @property
    def check(self) -> Check:
        return self.checks[0]


@dataclass(frozen=True)
class Correct:
    """A configuration the suite must pass: the mock as shipped, or using latitude the contract and
    RFC 6749 leave (``overrides``, each a choice a correct server may make; ``allows`` names the rule
    whose latitude it uses)."""

    name: str
    description: str
    rate_limit: str | None = None
    suite_client: str | None = None
    overrides: dict[str, type] = field(default_factory=dict)
    allows: str = ""
