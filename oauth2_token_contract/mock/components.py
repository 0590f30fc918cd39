"""The mock's parts, one per job, and how they are built: the seam for variants of the mock.

Each component is a class taking the settings (and the components it builds on). A variant is a
subclass that overrides one method, passed to :func:`build_components` (or ``create_app``) by name;
an override may be a class (built like the default) or a ready instance.

The clients are shared, not copied: the components are built on settings whose ``clients`` is one
fresh :class:`~oauth2_token_contract.mock.clients.ClientRegistry`, so a client created at run time reaches
every part. The mock's clock (:class:`~oauth2_token_contract.mock.clock.MockClock`) is a component the timed
parts are built on. The parts that remember come from the state backend ``settings.state`` names
(:mod:`oauth2_token_contract.mock.state`): this process's memory, or Redis shared with other processes.
The endpoints beside the token's (revocation, introspection, the protected resource, discovery) are
built by ``create_app`` on these same parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from oauth2_token_contract.mock.access import AccessTokenStore
from oauth2_token_contract.mock.authentication import Authenticator
from oauth2_token_contract.mock.backends import open_state
from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.clock import MockClock
from oauth2_token_contract.mock.controls import Controls
from oauth2_token_contract.mock.grants import Grants
from oauth2_token_contract.mock.journal import Journal
from oauth2_token_contract.mock.parsing import RequestParser
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.rendering import ResponseRenderer
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.state import MemoryState, StateBackend
from oauth2_token_contract.mock.store import RefreshTokenStore
from oauth2_token_contract.mock.tokens import TokenMinter, fit_shipped_clients
from oauth2_token_contract.mock.validation import RequestValidator

__all__ = ["DEFAULTS", "Components", "build_components"]


@dataclass
class Components:
    """The parts of the mock, in build order (later ones may use earlier ones)."""

    settings: MockSettings
    clock: MockClock
    parser: RequestParser
    validator: RequestValidator
    authenticator: Authenticator
    minter: TokenMinter
    store: RefreshTokenStore
    access: AccessTokenStore
    grants: Grants
    limiter: RateLimiter
    renderer: ResponseRenderer
    journal: Journal
    controls: Controls
    state: StateBackend = field(default_factory=MemoryState)


DEFAULTS: dict[str, type] = {
    "clock": MockClock,
    "parser": RequestParser,
    "validator": RequestValidator,
    "authenticator": Authenticator,
    "minter": TokenMinter,
    "store": RefreshTokenStore,
    "access": AccessTokenStore,
    "grants": Grants,
    "limiter": RateLimiter,
    "renderer": ResponseRenderer,
    "journal": Journal,
    "controls": Controls,
}
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "grants": ("store", "minter", "clock", "access"),
    "limiter": ("clock",),
    "controls": ("store", "limiter", "journal", "clock", "minter", "renderer", "state", "access"),
}


def build_components(settings: MockSettings, **overrides: Any) -> Components:
    """The default components, with any named override (a class or an instance) in its place."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown component(s): {', '.join(sorted(unknown))}")
    state = open_state(settings)
    if not isinstance(settings.clients, ClientRegistry):
        settings = fit_shipped_clients(settings)
        settings = replace(settings, clients=state.registry(settings.clients))
    built: dict[str, Any] = {"settings": settings, "state": state}
    for name, default in DEFAULTS.items():
        dependencies = {needed: built[needed] for needed in DEPENDENCIES.get(name, ())}
        factory = overrides.get(name)
        part = state.build(name, settings, dependencies) if factory is None else None
        if part is None:
            factory = factory or default
            part = factory(settings, **dependencies) if isinstance(factory, type) else factory
        built[name] = part
    state.bind(built)
    return Components(**built)
