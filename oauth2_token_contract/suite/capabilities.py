"""What a target can offer a test, said once for the plugin's markers and for ``replay``'s cases.

A test asks with a marker (``needs_state``, ``needs_controls``, ``burst``), a named case with its
``needs`` (``state``, ``burst``). A target that cannot offer what is asked is no failure: the test or
case is skipped, with the reason given here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.targets import Target

__all__ = ["NEEDS", "Need", "documented_media", "undocumented_media", "unmet"]


@dataclass(frozen=True)
class Need:
    """One thing a test may ask of its target: the marker that asks, whether a target offers it, why not."""

    marker: str
    offered: Callable[[Target], bool]
    reason: Callable[[Target], str]


def _may_burst(target: Target) -> bool:
    return target.may_burst and target.kind != "prism" and contract.load().rate_limited


def _why_no_burst(target: Target) -> str:
    if not contract.load().rate_limited:
        return "the spec documents no 429: there is no rate limit to provoke"
    if target.kind == "prism":
        return "prism never rate-limits (it answers 429 only when asked with Prefer: code=429)"
    return (
        f"{target.name}: provoking 429 on purpose is off for remote targets; set TOKEN_API_ALLOW_BURST=1 "
        "to allow it"
    )


# In the order they are asked about: a test lacking several is skipped with the first one's reason.
NEEDS = {
    "state": Need(
        "needs_state",
        lambda t: t.stateful,
        lambda t: f"{t.name} is stateless: it issues no real tokens and remembers none",
    ),
    "controls": Need(
        "needs_controls",
        lambda t: t.controls,
        lambda t: f"{t.name} has no /__mock QA controls (embedded mock only)",
    ),
    "burst": Need("burst", _may_burst, _why_no_burst),
}


MEDIA_TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


def documented_media() -> tuple[str, ...]:
    """The request encodings (``json``, ``form``) the spec documents a body for, form first."""
    documented = {m.split(";")[0].strip().lower() for m in contract.load().media_types}
    return tuple(media for media in ("form", "json") if MEDIA_TYPES[media] in documented)


def undocumented_media(media: str) -> str | None:
    """Why a test of ``media`` bodies does not apply (the spec documents none); else None."""
    if media in documented_media():
        return None
    return f"the spec documents no {MEDIA_TYPES.get(media, media)} request body"


def unmet(needs: Iterable[str], target: Target) -> str | None:
    """Why ``target`` cannot offer the first of ``needs`` (names of :data:`NEEDS`) it lacks; else None."""
    asked = set(needs)
    for name, need in NEEDS.items():
        if name in asked and not need.offered(target):
            return need.reason(target)
    return None
