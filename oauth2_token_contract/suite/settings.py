"""The run's settings: every ``TOKEN_API_*`` variable, read once, validated once, one object.

The plugin reads them in ``pytest_configure`` and keeps the object on pytest's config; the command
line sets its options as the same variables before it does; the fixtures, the planner and the
benchmarks read the object, never ``os.environ``. A value that cannot be used stops the run before
anything is started, with one line per bad variable: its name, the value, and what it accepts::

    TOKEN_API_TIMEOUT='0': expected seconds above 0 and at most 600, e.g. 10

Each variable is one :class:`Setting` of :data:`SETTINGS`: its name, the parser that checks it, what
it is for. A table rather than pydantic-settings: the suite's lock does not carry pydantic, and a
parser per kind of value (a count, seconds, a flag, a choice) is all the validation there is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oauth2_token_contract.mock.embedded import ClientCredentials
from oauth2_token_contract.suite.errors import SettingError

__all__ = ["FLAG_VALUES", "PROFILES", "SETTINGS", "Setting", "Settings", "example_db_error"]

PROFILES = ("quick", "ci", "live", "dev", "deep")
FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
               "off": False}  # fmt: skip
EXAMPLE_DB_FORMS = "redis://HOST:PORT/DB, rediss://HOST:PORT/DB, github:OWNER/REPO, or a directory"


class _Invalid(ValueError):
    """What a parser says is wrong with a value: the text after ``NAME='value': ``."""


def _count(low: int, example: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise _Invalid(f"expected a whole number {low} or more, e.g. {example}") from None
        if value < low:
            raise _Invalid(f"expected a whole number {low} or more, e.g. {example}")
        return value

    return parse


def _seconds(
    *, above: float | None, least: float | None, most: float, example: str
) -> Callable[[str], float]:
    floor = f"above {above:g}" if above is not None else f"{least:g} or more"
    expected = f"expected seconds {floor} and at most {most:g}, e.g. {example}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise _Invalid(expected) from None
        too_low = (above is not None and value <= above) or (least is not None and value < least)
        if not math.isfinite(value) or too_low or value > most:
            raise _Invalid(expected)
        return value

    return parse


def _flag(text: str) -> bool:
    try:
        return FLAG_VALUES[text.strip().lower()]
    except KeyError:
        raise _Invalid(f"expected one of {', '.join(FLAG_VALUES)}") from None


def _profile(text: str) -> str:
    if text not in PROFILES:
        raise _Invalid(f"expected one of {', '.join(PROFILES)}")
    return text


def example_db_error(choice: str) -> str | None:
    """Why ``choice`` names no example database Hypothesis can use; None when it names one."""
    if choice.startswith(("redis://", "rediss://")):
        return None
    if choice.startswith("github:"):
        owner, _, repo = choice.removeprefix("github:").partition("/")
        if owner and repo and "/" not in repo:
            return None
        return f"expected github:OWNER/REPO ({EXAMPLE_DB_FORMS})"
    if "://" in choice or choice.split(":", 1)[0] in {"redis", "rediss", "github"}:
        return f"unknown scheme; expected {EXAMPLE_DB_FORMS}"
    return None


def _example_db(text: str) -> str:
    problem = example_db_error(text)
    if problem is not None:
        raise _Invalid(problem)
    return text


def _text(text: str) -> str:
    return text


@dataclass(frozen=True)
class Setting:
    """One ``TOKEN_API_*`` variable: the field it fills, how its text is checked, what it is for."""

    env: str
    attribute: str
    parse: Callable[[str], Any]
    help: str


SETTINGS = (
    Setting("TOKEN_API_TARGET", "target", _text, "mock, prism, a name from targets.yaml, or a URL"),
    Setting("TOKEN_API_CLIENT_ID", "client_id", _text, "the client the suite gets tokens for"),
    Setting("TOKEN_API_CLIENT_SECRET", "client_secret", _text, "that client's secret"),
    Setting("TOKEN_API_SCOPE", "scope", _text, "the scopes the client may ask for, space-separated"),
    Setting("TOKEN_API_MAX_REQUESTS", "max_requests", _count(1, 400), "the run's request budget"),
    Setting("TOKEN_API_ALLOW_BURST", "allow_burst", _flag, "provoke 429 on purpose"),
    Setting("TOKEN_API_ALLOW_INSECURE_HTTP", "allow_insecure_http", _flag, "plain http:// off loopback"),
    Setting("TOKEN_API_ALLOW_PARTIAL", "allow_partial", _flag, "pass a run whose budget ran out"),
    Setting(
        "TOKEN_API_TIMEOUT",
        "timeout",
        _seconds(above=0, least=None, most=600, example="10"),
        "seconds a request may take",
    ),
    Setting(
        "TOKEN_API_MAX_WAIT",
        "max_wait",
        _seconds(above=None, least=0, most=3600, example="30"),
        "the longest 429 wait honoured",
    ),
    Setting(
        "TOKEN_API_EXPECT_429_WITHIN", "expect_429_within", _count(1, 100), "a burst this long meets 429"
    ),
    Setting("TOKEN_API_RESTRICTED_CLIENT_ID", "restricted_id", _text, "a client limited to some grants"),
    Setting("TOKEN_API_RESTRICTED_CLIENT_SECRET", "restricted_secret", _text, "its secret"),
    Setting("TOKEN_API_PROFILE", "profile", _profile, "the Hypothesis profile"),
    Setting("TOKEN_API_PROGRESS", "progress", _count(0, 50), "requests between progress lines (0: none)"),
    Setting("TOKEN_API_EXAMPLE_DB", "example_db", _example_db, "where failing examples are kept"),
    Setting("TOKEN_API_EXPECTED_FAILURES", "expected_failures", _text, "a file of known failures"),
    Setting("TOKEN_API_SPEC", "spec", _text, "the OpenAPI file or version name"),
    Setting("TOKEN_API_OPERATION", "operation", _text, "which token operation, when a spec has several"),
    Setting("TOKEN_API_TARGETS_FILE", "targets_file", _text, "the named targets (default targets.yaml)"),
)


@dataclass(frozen=True)
class Settings:
    """Run-wide knobs, validated; unset variables keep these defaults (the options override the target)."""

    target: str = "mock"
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None
    max_requests: int | None = None
    allow_burst: bool = False
    allow_insecure_http: bool = False
    allow_partial: bool = False
    timeout: float = 10.0
    max_wait: float = 30.0
    # A remote target's known budget: a burst of this many requests must meet a 429.
    expect_429_within: int | None = None
    restricted_id: str | None = None
    restricted_secret: str | None = field(default=None, repr=False)
    profile: str | None = None
    progress: int | None = None
    example_db: str = ""
    expected_failures: str | None = None
    spec: str | None = None
    operation: str | None = None
    targets_file: str | None = None
    # Whether TOKEN_API_TARGET (or --target) named the target, rather than the default.
    target_named: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings ``env`` (default: the process's environment) gives; every bad value said at once.

        An empty variable counts as unset, as a CI template's blank input does.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        problems: list[str] = []
        for setting in SETTINGS:
            text = env.get(setting.env, "").strip()
            if not text:
                continue
            try:
                values[setting.attribute] = setting.parse(text)
            except _Invalid as exc:
                shown = "(hidden)" if "SECRET" in setting.env else repr(text)
                problems.append(f"{setting.env}={shown}: {exc}")
        if bool(values.get("restricted_id")) != bool(values.get("restricted_secret")):
            problems.append(
                "TOKEN_API_RESTRICTED_CLIENT_ID and TOKEN_API_RESTRICTED_CLIENT_SECRET: set both or neither"
            )
        if problems:
            raise SettingError("\n".join(problems))
        return cls(**values, target_named="target" in values)

    @property
    def restricted_client(self) -> ClientCredentials | None:
        """A client of the target allowed client_credentials only, when its owner names one: the
        refresh grant is then unauthorized_client for it."""
        if self.restricted_id and self.restricted_secret:
            return ClientCredentials(self.restricted_id, self.restricted_secret, ())
        return None
