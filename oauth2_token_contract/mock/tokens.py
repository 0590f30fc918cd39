"""Minting tokens: random opaque strings, or signed JWTs for clients whose ``format`` is ``jwt``.

A token's format is the client's, apart from the ``token_type`` the answer names (a ``Bearer`` token
may be either). Every token is unique (base64url text of ``os.urandom`` bytes, drawn in batches and
sliced, or a random ``jti``) and fits the spec's ``access_token`` ``maxLength`` where it sets one.
JWTs are RFC 9068 access tokens (header ``typ: at+jwt``; ``iss``, ``exp``, ``aud``, ``sub``,
``client_id``, ``iat``, ``jti``, ``scope``), signed RS256 by default with a key made at start and
published in the JWK Set, or as the config's ``jwt:`` says (:mod:`oauth2_token_contract.mock.keys`).
``aud`` is ``jwt.audience``, else the spec's first server (the API the token is for), else the issuer.
PyJWT is imported on the first JWT, not at start.
"""

from __future__ import annotations

import binascii
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from oauth2_token_contract.mock.keys import Signer
from oauth2_token_contract.mock.settings import DEFAULT_CONFIG, ClientConfig, ConfigError, MockSettings

__all__ = ["JWT_ALGORITHM", "TokenMinter", "fit_shipped_clients"]

JWT_ALGORITHM = "RS256"  # the default; ``jwt.alg`` in the config picks another
_OPAQUE_BYTES = 32
_URLSAFE = bytes.maketrans(b"+/", b"-_")
# Random text is drawn from the OS in batches, already base64url-encoded (one system call for many
# tokens), and a token is a slice of the batch no other token shares (every character of base64 over
# random bytes carries 6 random bits). A fork empties the batch (parent and child must differ).
_BATCH_CHARS = 4096
_forks = 0


def _forked() -> None:
    global _forks  # noqa: PLW0603 - a generation counter, bumped in the child only
    _forks += 1


os.register_at_fork(after_in_child=_forked)


def _random_text(chars: int) -> str:
    """At least ``chars`` base64url characters of fresh random bytes, a whole number of 3-byte groups
    (no padding, so even the last character carries 6 random bits)."""
    nbytes = -(-chars // 4) * 3  # 3 bytes make 4 characters
    return binascii.b2a_base64(os.urandom(nbytes), newline=False).translate(_URLSAFE).decode()


class TokenMinter:
    """Makes access and refresh tokens; one ``mint_<format>`` method per token format."""

    _batch = ""
    _batch_at = 0
    _batch_forks = -1

    def __init__(self, settings: MockSettings) -> None:
        contract = settings.contract
        self.max_length = contract.issued_token_max_length
        limit = _OPAQUE_BYTES if self.max_length is None else self.max_length * 3 // 4
        self.opaque_bytes = max(1, min(_OPAQUE_BYTES, limit))
        self.opaque_chars = -(-self.opaque_bytes * 4 // 3)  # what token_urlsafe(opaque_bytes) is long
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience or _first_server(contract.document) or settings.jwt_issuer
        self.signer = Signer(settings)
        self._minters: dict[str, Callable[[ClientConfig, str, int], str]] = {
            "opaque": self.mint_opaque,
            "jwt": self.mint_jwt,
        }
        for client in settings.clients.values():
            self.check(client)
        if settings.shared or any(c.token_format == "jwt" for c in settings.clients.values()):
            self.signer.ready()  # now, before workers fork: every process signs with one key

    @property
    def key(self) -> Any:
        """What JWTs are signed with (the shared key, or the private key)."""
        return self.signer.key

    def check(self, client: ClientConfig) -> None:
        """ConfigError when the client's tokens could break the spec (a JWT over ``maxLength``)."""
        if client.token_format not in self._minters:
            raise ConfigError(f"{client.client_id}: no token format {client.token_format!r}")
        if self.jwt_too_long(client):
            raise ConfigError(f"{client.client_id}: its JWT would exceed the spec's maxLength")

    def jwt_too_long(self, client: ClientConfig) -> bool:
        """Whether the client's JWTs could be longer than the spec's ``maxLength`` for tokens."""
        limit = self.max_length
        return client.token_format == "jwt" and limit is not None and self.jwt_length(client) > limit

    def access_token(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self._minters[client.token_format](client, scope, issued_at)

    def refresh_token(self) -> str:
        return self.random_text(self.opaque_chars)

    def mint_opaque(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.random_text(self.opaque_chars)

    def random_text(self, chars: int) -> str:
        """``chars`` random base64url characters (as long as ``secrets.token_urlsafe`` makes them, with
        at least its randomness), sliced from a batch."""
        start = self._batch_at
        end = start + chars
        if end > len(self._batch) or self._batch_forks != _forks:
            self._batch = _random_text(max(_BATCH_CHARS, chars))
            self._batch_forks = _forks
            start, end = 0, chars
        self._batch_at = end
        return self._batch[start:end]

    def mint_jwt(self, client: ClientConfig, scope: str, issued_at: int) -> str:
        return self.signer.sign(self.claims(client, scope, issued_at))

    def claims(self, client: ClientConfig, scope: str, issued_at: int) -> dict[str, Any]:
        claims: dict[str, Any] = {"iss": self.issuer, "sub": client.client_id, "client_id": client.client_id}
        if self.audience:
            claims["aud"] = self.audience
        claims.update(
            iat=issued_at,
            exp=issued_at + client.expires_in,
            jti=secrets.token_urlsafe(16),
            scope=scope,
        )
        return claims

    def jwt_length(self, client: ClientConfig) -> int:
        """The longest JWT this client can get (all its scopes), computed without PyJWT."""
        widest = self.claims(client, " ".join(sorted(client.scopes)), 2**31)
        payload = json.dumps(widest, separators=(",", ":")).encode()
        header = self.signer.header("k" * self.signer.kid_chars)
        header_bytes = len(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
        chars = -(-header_bytes * 4 // 3) + 1 + -(-len(payload) * 4 // 3) + 1
        return chars + self.signer.signature_chars


def _first_server(document: Any) -> str | None:
    """The spec's first server URL: the API an access token is for (RFC 9068's ``aud``)."""
    servers = document.get("servers") if isinstance(document, dict) else None
    url = (
        servers[0].get("url")
        if isinstance(servers, list) and servers and isinstance(servers[0], dict)
        else None
    )
    return str(url) if url and "{" not in str(url) else None


def fit_shipped_clients(settings: MockSettings) -> MockSettings:
    """The shipped clients serve any spec: one whose JWTs cannot fit the spec's ``maxLength`` for
    tokens gets opaque tokens instead. A user's own clients file is held to what it says."""
    if settings.source != DEFAULT_CONFIG:
        return settings
    minter = TokenMinter(replace(settings, clients={}))  # to measure with; it checks no client
    fitted = {
        cid: replace(client, token_format="opaque") if minter.jwt_too_long(client) else client
        for cid, client in settings.clients.items()
    }
    return settings if fitted == dict(settings.clients) else replace(settings, clients=fitted)
