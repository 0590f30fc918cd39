"""Assembling the mock: components, routes, and the seam for faulty variants.

    create_app(settings, **overrides) -> Starlette
      ├── /oauth2/token      TokenEndpoint(components)
      │                        parser, validator, authenticator, limiter, grants(store, minter), renderer
      ├── /__mock/requests   controls (journal)        } only with ``controls: true``
      └── /__mock/reset      controls (store, limiter, journal)

Each component is a class taking the settings (and the components it builds on). A faulty variant
is a subclass that overrides one method, passed by name::

    class BearerRenderer(ResponseRenderer):
        def token_body(self, issued):
            return {**super().token_body(issued), "token_type": "Bearer"}

    app = create_app(settings, renderer=BearerRenderer)

An override may be a class (built like the default) or a ready instance; ``endpoint=`` swaps the
request path itself.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mocks.authentication import Authenticator
from mocks.controls import Controls
from mocks.endpoint import TokenEndpoint
from mocks.grants import Grants
from mocks.journal import Journal
from mocks.parsing import RequestParser
from mocks.ratelimit import RateLimiter
from mocks.responses import ResponseRenderer
from mocks.settings import MockSettings, load_settings
from mocks.store import RefreshTokenStore
from mocks.tokens import TokenMinter
from mocks.validation import RequestValidator

__all__ = ["Components", "build_components", "create_app"]


@dataclass
class Components:
    """The parts of the mock, in build order (later ones may use earlier ones)."""

    settings: MockSettings
    parser: RequestParser
    validator: RequestValidator
    authenticator: Authenticator
    minter: TokenMinter
    store: RefreshTokenStore
    grants: Grants
    limiter: RateLimiter
    renderer: ResponseRenderer
    journal: Journal
    controls: Controls


DEFAULTS: dict[str, type] = {
    "parser": RequestParser,
    "validator": RequestValidator,
    "authenticator": Authenticator,
    "minter": TokenMinter,
    "store": RefreshTokenStore,
    "grants": Grants,
    "limiter": RateLimiter,
    "renderer": ResponseRenderer,
    "journal": Journal,
    "controls": Controls,
}
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "grants": ("store", "minter"),
    "controls": ("store", "limiter", "journal"),
}


def build_components(settings: MockSettings, **overrides: Any) -> Components:
    """The default components, with any named override (a class or an instance) in its place."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown component(s): {', '.join(sorted(unknown))}")
    built: dict[str, Any] = {"settings": settings}
    for field in fields(Components)[1:]:
        factory = overrides.get(field.name, DEFAULTS[field.name])
        if isinstance(factory, type):
            factory = factory(settings, *(built[name] for name in DEPENDENCIES.get(field.name, ())))
        built[field.name] = factory
    return Components(**built)


def create_app(
    settings: MockSettings | None = None, *, endpoint: type[TokenEndpoint] = TokenEndpoint, **overrides: Any
) -> Starlette:
    """The mock as an ASGI app; ``app.state.components`` exposes its parts to tests."""
    settings = settings or load_settings()
    components = build_components(settings, **overrides)
    renderer = components.renderer

    async def not_found(request: Request, exc: Exception) -> Response:
        return renderer.not_found()

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        allowed = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and exc.headers else ""
        return renderer.method_not_allowed(allowed)

    routes = [Route(settings.contract.token_path, endpoint(components))]
    if settings.controls:
        routes += [
            Route("/__mock/requests", components.controls.requests, methods=["GET"]),
            Route("/__mock/reset", components.controls.reset, methods=["POST"]),
        ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})
    app.router.redirect_slashes = False  # a 307 to the token path would be an answer the spec lacks
    app.state.components = components
    app.state.settings = settings
    return app
