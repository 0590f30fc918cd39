"""What a mock that others can reach must have, checked before it listens.

The ``/__mock/*`` controls create clients, reset everybody's state and read the journal. On loopback
only this machine reaches them; bound to any other address (``--host 0.0.0.0``), anyone on the network
would, so the mock refuses to start there without a controls token (``--controls-token`` or
``CONTROLS_TOKEN_ENV``), which every control request must then carry as ``Authorization: Bearer``.
Turning the controls off (``controls: false``) needs no token. TLS (``--tls-cert``/``--tls-key``)
comes as a pair: many OAuth client libraries refuse a plain-http token URL off loopback.
"""

from __future__ import annotations

import ipaddress

from oauth2_token_contract.mock.settings import ConfigError, MockSettings

__all__ = ["CONTROLS_TOKEN_ENV", "check_exposure", "check_tls", "is_loopback"]

CONTROLS_TOKEN_ENV = "TOKEN_CONTRACT_MOCK_CONTROLS_TOKEN"
MIN_TOKEN_LENGTH = 16


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host`` (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve anywhere


def check_exposure(host: str, settings: MockSettings) -> None:
    """ConfigError when the controls would be open to the network, or the token is too weak to guard them."""
    token = settings.controls_token
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"the controls token must be at least {MIN_TOKEN_LENGTH} characters")
    if settings.controls and token is None and not is_loopback(host):
        raise ConfigError(
            f"--host {host} reaches beyond loopback, and /__mock/* would let anyone there create clients, "
            f"reset the state and read the journal: set --controls-token (or {CONTROLS_TOKEN_ENV}), "
            "or turn the controls off (controls: false)"
        )


def check_tls(cert: str | None, key: str | None) -> tuple[str, str] | None:
    """The certificate and key files to serve https with, both or neither."""
    if (cert is None) != (key is None):
        raise ConfigError("--tls-cert and --tls-key go together")
    return None if cert is None or key is None else (cert, key)
