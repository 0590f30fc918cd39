"""The run's first contact with its target, before the first planned request: one grant, at most.

A wrong secret, a dead port or a scope the client lacks used to surface as thousands of lines of
failures blamed on the target. The preflight asks, in order, and stops at the first "no" with one
line that names the cause and the fix (:class:`~oauth2_token_contract.suite.errors.PreflightFailed`):

1. reach: the host resolves, a TCP connection opens, TLS completes (no request: nothing spent);
2. the token path answers a well-formed client_credentials grant (one request of the budget);
3. the credentials get a token (not ``invalid_client``, in Basic and then in the body, nor
   ``unauthorized_client``);
4. every scope asked for is granted (not ``invalid_scope``, and not left out of the answer).

Anything else the target answers (a malformed token, a 500) is left to the contract's checks, which
name the rule it breaks: the preflight stops only what the user can fix on their side.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import quote, urlencode, urlsplit

import httpx

from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.client import FORM, Placement, TokenClient, basic_header
from oauth2_token_contract.suite.errors import PreflightFailed, TargetTimeout, TargetUnreachable
from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["preflight", "reach"]

_NO_ENDPOINT = {404, 405, 501}
_SECRET_FIX = "check TOKEN_API_CLIENT_ID and TOKEN_API_CLIENT_SECRET"


def reach(base_url: str, timeout: float) -> None:
    """Resolve, connect, and for https complete TLS as the suite's client would (httpx's CA bundle)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PreflightFailed(
            f"cannot resolve {host}: {reason}; check the host in TOKEN_API_TARGET"
        ) from None
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        raise PreflightFailed(
            f"cannot connect to {where}: connection refused; is the server running on that port? "
            "check TOKEN_API_TARGET"
        ) from None
    except TimeoutError:
        raise PreflightFailed(
            f"cannot connect to {where}: no answer within {timeout:g} s; check TOKEN_API_TARGET "
            "(a firewall, a VPN) or raise TOKEN_API_TIMEOUT"
        ) from None
    except OSError as exc:
        raise PreflightFailed(
            f"cannot connect to {where}: {exc.strerror or exc}; check TOKEN_API_TARGET"
        ) from None
    with connection:
        if parts.scheme != "https":
            return
        try:
            httpx.create_ssl_context().wrap_socket(connection, server_hostname=host).close()
        except ssl.SSLCertVerificationError as exc:
            raise PreflightFailed(
                f"TLS with {where}: certificate not trusted ({exc.verify_message}); check the host name "
                "in TOKEN_API_TARGET, or SSL_CERT_FILE for a private CA"
            ) from None
        except (ssl.SSLError, OSError) as exc:
            raise PreflightFailed(
                f"TLS handshake with {where} failed ({getattr(exc, 'reason', None) or exc}); is it an "
                "https port? check the scheme and port in TOKEN_API_TARGET"
            ) from None


def _error_code(exchange: Exchange) -> str | None:
    body = exchange.json()
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _judge(exchange: Exchange, client: TokenClient, asked: tuple[str, ...]) -> None:
    """Stop on what the user can fix: no endpoint there, credentials or scope refused."""
    target, status, code = client.target, exchange.status, _error_code(exchange)
    scope = " ".join(asked)
    if status in _NO_ENDPOINT:
        raise PreflightFailed(
            f"no token endpoint at {target.token_url}: POST answered {status}; check the base URL in "
            "TOKEN_API_TARGET (the path comes from the spec, TOKEN_API_SPEC)"
        )
    if code == "invalid_client" or (status == 401 and code is None):
        raise PreflightFailed(f"credentials rejected: {status} {code or 'without a body'}; {_SECRET_FIX}")
    if code == "unauthorized_client":
        raise PreflightFailed(
            f"client {target.client_id} may not use client_credentials: {status} unauthorized_client; "
            "name a client allowed that grant in TOKEN_API_CLIENT_ID"
        )
    if code == "invalid_scope":
        raise PreflightFailed(
            f"scope {scope!r} refused: {status} invalid_scope; set TOKEN_API_SCOPE to scopes this "
            "client may ask for"
        )
    body = exchange.json()
    granted = body.get("scope") if status == 200 and isinstance(body, dict) else None
    if isinstance(granted, str):  # RFC 6749 5.1: an answer without scope granted what was asked
        missing = [s for s in asked if s not in granted.split()]
        if missing:
            raise PreflightFailed(
                f"scope not granted: asked {scope!r}, granted {granted!r}; set TOKEN_API_SCOPE to "
                "scopes this client may ask for"
            )


def _grant(client: TokenClient, asked: tuple[str, ...], placement: Placement) -> Exchange:
    """A client_credentials grant with the scopes asked for, spaces sent as ``%20``: a form decoder
    that forgets ``+`` is a fault for the checks to name, not a scope the user should change."""
    target = client.target
    pairs = [("grant_type", "client_credentials")] + ([("scope", " ".join(asked))] if asked else [])
    headers = [("Content-Type", FORM)]
    if placement == "basic":
        headers.append(("Authorization", basic_header(target.client_id, target.client_secret)))
    else:
        pairs += [("client_id", target.client_id), ("client_secret", target.client_secret)]
    body = urlencode(pairs, quote_via=quote).encode()
    return client.send(body, headers=headers, path=contract.load().token_path)


def preflight(client: TokenClient) -> str:
    """Check the target before the run spends anything on it; a line saying what was found.

    Raises :class:`PreflightFailed` with the cause and the fix.
    """
    target = client.target
    reach(target.base_url, client.timeout)
    asked = target.scopes
    try:
        exchange = _grant(client, asked, "basic")
        if _error_code(exchange) == "invalid_client":
            # A target that refuses Basic but takes the same credentials in the body breaks the
            # contract (a check names it); only credentials refused both ways are the user's to fix.
            exchange = _grant(client, asked, "body")
    except TargetTimeout:
        raise PreflightFailed(
            f"no answer from {target.token_url} within {client.timeout:g} s; check the server is up, "
            "or raise TOKEN_API_TIMEOUT"
        ) from None
    except TargetUnreachable as exc:
        first = str(exc).split("\n", 1)[0]
        raise PreflightFailed(
            f"{first}, before any answer to POST {target.token_url}; check the scheme and port in "
            "TOKEN_API_TARGET"
        ) from None
    _judge(exchange, client, asked)
    return f"{target.token_url} answered {exchange.status} to client {target.client_id}"
