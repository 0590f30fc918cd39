"""Authlib's OAuth2 ``AuthorizationServer`` on Flask, as a real server to point the contract suite at.

Why: the suite is written against the contract and the project's own mock; a real, widely used
server library shows which of the suite's failures are true divergences of real servers and which
are the suite's false alarms (see FINDINGS.md).

What it configures, and nothing more:

* one client, the contract's example: ``5clTR_MdVrrkgxw2`` with its secret, scopes
  ``/accounts.read /accounts.write``, grant types client_credentials and refresh_token, token
  endpoint authentication ``client_secret_basic`` and ``client_secret_post``;
* ``OAUTH2_SCOPES_SUPPORTED`` = the two scopes (an unknown scope is ``invalid_scope``), a client
  that asks for no scope gets both (RFC 6749 section 3.3, a pre-defined default), a requested scope
  is filtered to the client's allowance as Authlib's own SQLAlchemy ``ClientMixin`` does;
* ``OAUTH2_REFRESH_TOKEN_GENERATOR = True`` and a two-line subclass of ``ClientCredentialsGrant`` so
  that client_credentials issues a refresh token (Authlib hard-codes ``include_refresh_token=False``
  there; ``--no-refresh-for-client-credentials`` keeps Authlib's stock behaviour);
* ``RefreshTokenGrant`` with ``INCLUDE_NEW_REFRESH_TOKEN = True`` (rotation); the refreshed token is
  revoked. A client_credentials token has no user, so the "user" of a refresh is the client;
* in-memory storage: plain dicts behind a lock, the records implementing Authlib's ``TokenMixin``;
* ``AUTHLIB_INSECURE_TRANSPORT=1``: plain http on loopback.

Run: ``.venv/bin/python -m tests.realservers.authlib_server --port 0``.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants, list_to_scope, scope_to_list
from flask import Flask, Response

from tests.realservers._serving import port_parser, serve

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "SCOPES", "create_app", "main"]

CLIENT_ID = "5clTR_MdVrrkgxw2"
CLIENT_SECRET = "dNC-hg7sVm22jc3g_Eogtyu0_1Mqh_4-"
SCOPES = ("/accounts.read", "/accounts.write")
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class Client(ClientMixin):
    """A registered client, as Authlib's ``ClientMixin`` asks (token endpoint only, no redirects)."""

    client_id: str
    client_secret: str = field(repr=False)
    scope: str
    grant_types: tuple[str, ...]
    auth_methods: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        # As authlib.integrations.sqla_oauth2.OAuth2ClientMixin, but no scope asked means the whole
        # allowance (a pre-defined default, RFC 6749 section 3.3) rather than none.
        if not scope:
            return self.scope
        allowed = set(self.scope.split())
        return list_to_scope([s for s in scope_to_list(scope) if s in allowed])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in self.auth_methods if endpoint == "token" else False

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class Token(TokenMixin):
    """An issued token pair, as Authlib's ``TokenMixin`` asks; one record per grant or refresh."""

    client_id: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: ClientMixin) -> bool:
        return bool(self.client_id == client.get_client_id())

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in < time.time()


class Store:
    """The clients and the issued tokens, in memory, safe across the server's threads."""

    def __init__(self, clients: list[Client]) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.by_refresh: dict[str, Token] = {}
        self.lock = threading.Lock()

    def query_client(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        record = Token(
            client_id=request.client.get_client_id(),
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            scope=token.get("scope", ""),
            expires_in=int(token.get("expires_in", 0)),
        )
        if record.refresh_token:
            with self.lock:
                self.by_refresh[record.refresh_token] = record

    def find_refresh(self, refresh_token: str) -> Token | None:
        with self.lock:
            return self.by_refresh.get(refresh_token)

    def revoke(self, record: Token) -> None:
        with self.lock:
            record.revoked = True


def create_app(*, refresh_for_client_credentials: bool = True) -> Flask:
    """The Flask app with the token endpoint at ``/oauth2/token`` (POST only: others get 405)."""
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    store = Store(
        [
            Client(
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                scope=list_to_scope(list(SCOPES)),
                grant_types=("client_credentials", "refresh_token"),
                auth_methods=tuple(AUTH_METHODS),
            )
        ]
    )

    class ClientCredentialsGrant(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

        def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
            if not refresh_for_client_credentials:
                return super().create_token_response()
            # Authlib's own method, but with include_refresh_token=True.
            token = self.generate_token(scope=self.request.payload.scope, include_refresh_token=True)
            self.save_token(token)
            return 200, token, self.TOKEN_RESPONSE_HEADER

    class RefreshTokenGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = True

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            record = store.find_refresh(refresh_token)
            if record is None or record.is_revoked():
                return None
            return record

        def authenticate_user(self, refresh_token: Token) -> Client | None:
            # client_credentials tokens have no resource owner: the client stands in for one.
            return store.query_client(refresh_token.client_id)

        def revoke_old_credential(self, refresh_token: Token) -> None:
            store.revoke(refresh_token)

    app = Flask("authlib_server")
    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_SCOPES_SUPPORTED=list(SCOPES),
    )
    server = AuthorizationServer(app, query_client=store.query_client, save_token=store.save_token)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(RefreshTokenGrant)

    @app.post("/oauth2/token")
    def issue_token() -> Response:
        return server.create_token_response()

    return app


def main(argv: list[str] | None = None) -> None:
    parser = port_parser("Authlib's AuthorizationServer (Flask) with the contract's example client.")
    parser.add_argument(
        "--no-refresh-for-client-credentials",
        action="store_true",
        help="Authlib's stock ClientCredentialsGrant: no refresh token for client_credentials",
    )
    args = parser.parse_args(argv)
    app = create_app(refresh_for_client_credentials=not args.no_refresh_for_client_credentials)
    serve(app, args.port, shims=args.shim)


if __name__ == "__main__":
    main()
