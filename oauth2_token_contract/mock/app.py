"""Assembling the mock: components, routes, and the seam for faulty variants.

    create_app(settings, **overrides) -> Starlette
      ├── /oauth2/token      TokenEndpoint(components)
      │                        parser, validator, authenticator, limiter, grants(store, access, minter),
      │                        renderer
      ├── /oauth2/revoke     RevocationEndpoint      } each at the path the spec documents, and only
      ├── /oauth2/introspect IntrospectionEndpoint   } where it documents the operation
      ├── /ping              ResourceEndpoint        } (contract.revocation, .introspection, .resource)
      ├── /.well-known/oauth-authorization-server, /.well-known/jwks.json   Discovery (always)
      └── /__mock/*          controls: journal, reset, clock, clients, rules   (``controls: true`` only)

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

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from oauth2_token_contract.mock.components import Components, build_components
from oauth2_token_contract.mock.discovery import Discovery
from oauth2_token_contract.mock.endpoint import TokenEndpoint
from oauth2_token_contract.mock.introspection import IntrospectionEndpoint
from oauth2_token_contract.mock.lifecycle import OperationEndpoint
from oauth2_token_contract.mock.resource import ResourceEndpoint
from oauth2_token_contract.mock.revocation import RevocationEndpoint
from oauth2_token_contract.mock.settings import MockSettings, load_settings

__all__ = ["LIFECYCLE_ENDPOINTS", "Components", "build_components", "create_app"]

# The endpoint of each documented operation of a token's life, by role (contract.<role>).
LIFECYCLE_ENDPOINTS: dict[str, type[OperationEndpoint]] = {
    "revocation": RevocationEndpoint,
    "introspection": IntrospectionEndpoint,
    "resource": ResourceEndpoint,
}


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

    contract = components.settings.contract
    routes = [Route(contract.token_path, endpoint(components))]
    for role, lifecycle_endpoint in LIFECYCLE_ENDPOINTS.items():
        operation = getattr(contract, role)
        if operation is not None:
            routes.append(Route(operation.path, lifecycle_endpoint(components, operation)))
    routes += [Route(path, call, methods=methods) for path, call, methods in Discovery(components).routes()]
    if settings.controls:
        routes += [Route(path, call, methods=methods) for path, call, methods in components.controls.routes()]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})
    app.router.redirect_slashes = False  # a 307 to the token path would be an answer the spec lacks
    app.state.components = components
    app.state.settings = components.settings  # its clients: the registry the components share
    return app
