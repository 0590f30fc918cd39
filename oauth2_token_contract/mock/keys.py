"""The key JWT access tokens are signed with, and the JWK Set that publishes it (RFC 7517, RFC 7518 3).

``jwt.alg`` in the config picks it: RS256 (the default; an RSA key of 2048 bits) or ES256 (P-256), made
at start with ``cryptography`` or loaded from ``jwt.key``/``jwt.key_file`` (PEM), with a ``kid`` (the
config's, else the key's RFC 7638 thumbprint); or HS256 with a shared key, which the JWK Set never
shows. A key made at start is made once per process and kept for every app it builds: the workers of
``serve --workers N`` are forked after it, so they sign with one key; replicas started apart share one
only when the config names it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from functools import cache, cached_property
from typing import Any

from oauth2_token_contract.mock.settings import ConfigError, MockSettings

__all__ = ["JWT_TYPE", "Signer"]

JWT_TYPE = "at+jwt"  # RFC 9068 2.1
_RSA_BITS = 2048
_THUMBPRINT_CHARS = 43  # base64url of a SHA-256 digest
_SIGNATURE_CHARS = {"HS256": 43, "ES256": 86}  # base64url of 32 and 64 bytes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@cache
def _made(alg: str) -> Any:
    """A private key made for ``alg``, once per process (the workers of a fork share it)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: PLC0415 - JWT clients only

    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)


def _loaded(alg: str, pem: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import load_pem_private_key  # noqa: PLC0415

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigError("jwt.key: not a PEM private key without a password") from None
    if alg == "RS256" and not (isinstance(key, rsa.RSAPrivateKey) and key.key_size >= _RSA_BITS):
        raise ConfigError(f"jwt.key: RS256 needs an RSA key of {_RSA_BITS} bits or more")
    if alg == "ES256" and not (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"):
        raise ConfigError("jwt.key: ES256 needs a P-256 (secp256r1) key")
    return key


def public_jwk(key: Any, alg: str) -> dict[str, str]:
    """The public half of ``key`` as a JWK (RFC 7517 4, RFC 7518 6), without ``kid``."""
    numbers = key.public_key().public_numbers()
    if alg == "ES256":
        size = 32
        return {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(size, "big")),
                "y": _b64(numbers.y.to_bytes(size, "big"))}  # fmt: skip
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return {"kty": "RSA", "n": _b64(n), "e": _b64(e)}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    required = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


class Signer:
    """Signs JWTs with the configured key; the key is loaded at once and made on first use."""

    def __init__(self, settings: MockSettings) -> None:
        self.alg = settings.jwt_algorithm
        self._configured_kid = settings.jwt_kid
        self._pem: str | None = None
        self._secret: str | None = None
        if self.alg == "HS256":
            self._secret = settings.jwt_key or secrets.token_urlsafe(32)
        elif settings.jwt_key:
            self._pem = settings.jwt_key
            _ = self.key  # a bad key fails at start, in one line

    @cached_property
    def key(self) -> Any:
        """What PyJWT signs with: the shared key (HS256) or the private key."""
        if self._secret is not None:
            return self._secret
        return _loaded(self.alg, self._pem) if self._pem is not None else _made(self.alg)

    def ready(self) -> None:
        """Makes the key now (before workers fork, so that they share it)."""
        _ = self.key

    @cached_property
    def kid(self) -> str | None:
        if self._configured_kid or self.alg == "HS256":
            return self._configured_kid
        return thumbprint(public_jwk(self.key, self.alg))

    @property
    def kid_chars(self) -> int:
        """How long the ``kid`` is, known without making the key."""
        if self._configured_kid or self.alg == "HS256":
            return len(self._configured_kid or "")
        return _THUMBPRINT_CHARS

    @property
    def signature_chars(self) -> int:
        """How long a signature is in the token, known without making a key of the default size."""
        if self.alg == "RS256":
            bits = _RSA_BITS if self._pem is None else int(self.key.key_size)
            return -(-((bits + 7) // 8) * 4 // 3)
        return _SIGNATURE_CHARS[self.alg]

    def header(self, kid: str | None = None) -> dict[str, str]:
        """The JOSE header PyJWT writes (sorted keys): alg, kid where there is one, typ at+jwt."""
        header = {"alg": self.alg, "typ": JWT_TYPE}
        if kid:
            header["kid"] = kid
        return header

    def sign(self, claims: dict[str, Any]) -> str:
        import jwt  # noqa: PLC0415 - only clients configured for JWTs pay for PyJWT

        extra: dict[str, str] = {"typ": JWT_TYPE}
        if self.kid:
            extra["kid"] = self.kid
        return jwt.encode(claims, self.key, algorithm=self.alg, headers=extra)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK Set: the public key, with its kid, use and alg; none for a shared key."""
        if self.alg == "HS256":
            return {"keys": []}
        jwk = public_jwk(self.key, self.alg)
        return {"keys": [{**jwk, "kid": self.kid or "", "use": "sig", "alg": self.alg}]}
