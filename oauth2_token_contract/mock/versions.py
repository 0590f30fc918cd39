"""Several contract versions at once, chosen per request by a header, as Moov's API does.

``serve --spec moov-published --spec docs-page`` builds one mock per spec, each with its own state,
and answers each request with the one whose version the request's ``X-Moov-Version`` names (the
spec's ``info.version``, or the label given as ``--spec LABEL=FILE``); a request without the header,
or naming a version not served, gets the first. The choice costs one header scan per request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oauth2_token_contract.mock.settings import ConfigError

__all__ = ["VERSION_HEADER", "VersionedApp", "parse_spec_choices"]

VERSION_HEADER = b"x-moov-version"


def parse_spec_choices(choices: Sequence[str]) -> list[tuple[str | None, str]]:
    """``--spec`` values as (label or None, spec): ``v2025.10.00=moov-published`` or a plain spec."""
    parsed: list[tuple[str | None, str]] = []
    for choice in choices:
        label, equals, spec = choice.partition("=")
        if equals and (not label or not spec):
            raise ConfigError(f"--spec {choice!r}: expected LABEL=FILE or FILE")
        parsed.append((label, spec) if equals else (None, choice))
    return parsed


@dataclass
class VersionedApp:
    """An ASGI app that hands each request to the mock of the version it asks for."""

    apps: Mapping[str, Any]  # version label -> app, the default first
    header: bytes = VERSION_HEADER

    def __post_init__(self) -> None:
        if not self.apps:
            raise ConfigError("no contract version to serve")
        self.default = next(iter(self.apps.values()))
        self._by_value = {label.encode("latin-1"): app for label, app in self.apps.items()}

    @property
    def state(self) -> Any:
        """The default version's state (its settings and components), as a single mock offers it."""
        return self.default.state

    def pick(self, headers: list[tuple[bytes, bytes]]) -> Any:
        for name, value in headers:
            if name.lower() == self.header:
                return self._by_value.get(value.strip(), self.default)
        return self.default

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        app = self.pick(scope.get("headers") or []) if scope["type"] == "http" else self.default
        await app(scope, receive, send)
