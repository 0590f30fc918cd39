"""Seeded faults and correct variants of the mock: what the self-check points the suite at.

They live beside the self-check, outside the installed package: the product is the mock and the
suite. Each is served like any app, ``python -m oauth2_token_contract.mock serve --app
selfcheck.faults:app --app-arg NAME``.

Faults are grouped by what they break, following the families of the contract; each module's
``FAULTS`` names the rows of the rule matrix (``oauth2_token_contract/spec/rules.py``) each breaks.

    model        Fault and Correct
    media        the media type of the request, for faults that show in one only
    responses    every answer: token schema, media type, headers, error body, secrets, JWT
    wire         answering in time, other methods refused, the request read as clients send it
    grant_types  grant types offered, required, matched exactly, refused
    encodings    reading the body: media types, charset, form decoding, parameters, malformed bodies
    credentials  client authentication: Basic, body, both, the secret checked
    near_misses  a credential or refresh token a little like the real one taken for it
    scopes       scope within the request and the allowance, narrowed and never widened by a refresh
    tokens       tokens unique, a refreshed token working, access tokens not refreshing
    token_limit  the refresh token's length limit and exact match
    rate_limit   the 429 path and X-Retry-In
    latitude     correct variants using the latitude the contract and RFC 6749 leave
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.settings import MockSettings, load_settings
from selfcheck.faults import (
    credentials,
    encodings,
    grant_types,
    near_misses,
    rate_limit,
    responses,
    scopes,
    token_limit,
    tokens,
    wire,
)
from selfcheck.faults.latitude import CORRECT
from selfcheck.faults.model import CC_ONLY_CLIENT, JWT_CLIENT, Correct, Fault

__all__ = [
    "CC_ONLY_CLIENT",
    "CORRECT",
    "FAULTS",
    "JWT_CLIENT",
    "Correct",
    "Fault",
    "app",
    "correct_app",
    "faulty_app",
]


def _union(*groups: dict[str, Fault]) -> dict[str, Fault]:
    """The groups in one table; a name in two groups would silently drop a fault, so it fails here."""
    faults: dict[str, Fault] = {}
    for group in groups:
        twice = faults.keys() & group.keys()
        if twice:
            raise ValueError(f"faults named twice: {', '.join(sorted(twice))}")
        faults.update(group)
    return faults


FAULTS: dict[str, Fault] = _union(
    responses.FAULTS,
    wire.FAULTS,
    grant_types.FAULTS,
    encodings.FAULTS,
    credentials.FAULTS,
    near_misses.FAULTS,
    scopes.FAULTS,
    tokens.FAULTS,
    token_limit.FAULTS,
    rate_limit.FAULTS,
)


def _build(
    overrides: dict[str, type], rate_limit: str | None, settings: MockSettings | None
) -> Callable[..., Any]:
    chosen = settings or load_settings()
    if rate_limit is not None and chosen.rate_limit_override is None:
        chosen = replace(chosen, rate_limit_override=rate_limit)
    return create_app(chosen, **overrides)


def faulty_app(name: str, settings: MockSettings | None = None) -> Callable[..., Any]:
    """The mock with fault ``name`` seeded in (and its own rate limit, unless the settings set one)."""
    fault = FAULTS[name]
    return _build(fault.overrides, fault.rate_limit, settings)


def correct_app(name: str, settings: MockSettings | None = None) -> Callable[..., Any]:
    """The mock as the correct variant ``name`` configures it."""
    correct = CORRECT[name]
    return _build(correct.overrides, correct.rate_limit, settings)


def app(settings: MockSettings, name: str) -> Any:
    """``--app`` factory: the mock with fault ``name`` seeded in, or as the correct variant ``name``."""
    if name in FAULTS:
        return faulty_app(name, settings)
    if name in CORRECT:
        return correct_app(name, settings)
    raise ValueError(f"unknown variant {name!r}; known: {', '.join(sorted([*FAULTS, *CORRECT]))}")
