"""HTTP helpers the tests of the mock share: an RFC 6749 Basic header, the journal, an error code."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import httpx

TIMEOUT = httpx.Timeout(5.0)
TOKEN = "/oauth2/token"


def basic(client_id: str, secret: str) -> str:
    """An RFC 6749 section 2.3.1 Basic header: each part form-url-encoded, then base64."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def journal(http: httpx.Client) -> list[dict[str, Any]]:
    response = http.get("/__mock/requests")
    assert response.status_code == 200
    return response.json()["requests"]


def error_of(response: httpx.Response) -> str:
    """The ``error`` code of a 400 (asserting it is one)."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()["error"]
