"""What a request carried, as the checks read it: a body parameter, the client secrets."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from oauth2_token_contract.suite.exchange import Exchange

__all__ = ["sent_parameter", "sent_secrets"]


def sent_parameter(exchange: Exchange, name: str) -> Any:
    """A parameter of the request's body (JSON or form), or None."""
    body = exchange.request.body.decode("utf-8", "replace")
    try:
        data = json.loads(body)
        return data.get(name) if isinstance(data, dict) else None
    except ValueError:
        return next((v for k, v in parse_qsl(body, keep_blank_values=True) if k == name), None)


def sent_secrets(exchange: Exchange) -> list[str]:
    """The client secrets this request carried, from Basic and from the body."""
    found: list[str] = []
    auth = exchange.request.header("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:], validate=True).decode()
            found.append(unquote_plus(decoded.partition(":")[2]))
        except ValueError:
            pass
    secret = sent_parameter(exchange, "client_secret")
    if isinstance(secret, str):
        found.append(secret)
    return [s for s in found if len(s) >= 4]
