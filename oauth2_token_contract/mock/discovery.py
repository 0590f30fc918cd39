"""What a client discovers before it trusts a token: RFC 8414 metadata and the JWK Set (RFC 7517).

    GET /.well-known/oauth-authorization-server   issuer, token_endpoint, revocation_endpoint and
                                                  introspection_endpoint where served, jwks_uri,
                                                  grant_types_supported, the auth methods supported
    GET /.well-known/jwks.json                    the public key JWT access tokens are signed with

Served under every spec, at the paths the spec documents where it documents them (neither shipped
spec does), since a client verifying the mock's JWTs needs the key whatever the token endpoint's
contract says. Neither says anything secret, so neither is journalled. Endpoint URLs are the request's
own origin (its Host, when it is a plain host and port) plus each path; ``issuer`` is ``jwt.issuer``
(RFC 8414 3.3 asks a client to compare it with the URL it fetched: set ``jwt.issuer`` to the mock's URL
for a client that does). The mock serves no authorization endpoint, so ``response_types_supported``
is empty.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from oauth2_token_contract.mock.rendering import json_response

if TYPE_CHECKING:
    from oauth2_token_contract.mock.components import Components

__all__ = ["JWKS_PATH", "METADATA_PATH", "Discovery"]

METADATA_PATH = "/.well-known/oauth-authorization-server"
JWKS_PATH = "/.well-known/jwks.json"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")  # RFC 6749 2.3.1, both served
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")


class Discovery:
    """The metadata and the JWK Set, as routes ``create_app`` adds."""

    def __init__(self, components: Components) -> None:
        self.components = components
        contract = components.settings.contract
        self.metadata_path = contract.metadata.path if contract.metadata else METADATA_PATH
        self.jwks_path = contract.jwks.path if contract.jwks else JWKS_PATH
        self.paths = {"token_endpoint": contract.token_path}
        if contract.revocation is not None:
            self.paths["revocation_endpoint"] = contract.revocation.path
        if contract.introspection is not None:
            self.paths["introspection_endpoint"] = contract.introspection.path
        self.paths["jwks_uri"] = self.jwks_path
        grants = components.grants
        self.grant_types = [g for g in contract.grant_types if grants.grant(g) is not None]

    def routes(self) -> list[tuple[str, Any, list[str]]]:
        return [(self.metadata_path, self.metadata, ["GET"]), (self.jwks_path, self.jwks, ["GET"])]

    @staticmethod
    def origin(request: Request) -> str:
        scope = request.scope
        host = request.headers.get("host", "")
        if not _HOST.fullmatch(host):
            server = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}"

    async def metadata(self, request: Request) -> Response:
        origin = self.origin(request)
        if self.components.state.sync is not None:
            self.components.state.sync()  # the clients another process created
        settings = self.components.settings
        body: dict[str, Any] = {"issuer": settings.jwt_issuer}
        body.update({name: origin + path for name, path in self.paths.items()})
        body["grant_types_supported"] = self.grant_types
        body["response_types_supported"] = []
        body["token_endpoint_auth_methods_supported"] = list(AUTH_METHODS)
        for name in ("revocation_endpoint", "introspection_endpoint"):
            if name in self.paths:
                body[name + "_auth_methods_supported"] = list(AUTH_METHODS)
        body["scopes_supported"] = sorted({s for c in settings.clients.values() for s in c.scopes})
        return json_response(200, body)

    async def jwks(self, request: Request) -> Response:
        return json_response(200, self.components.minter.signer.jwks())
