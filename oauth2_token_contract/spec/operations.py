"""The operations of a token's life beside the one that issues it, each found by its role, as data.

    token          the operation whose request body takes ``grant_type`` (:func:`.reading.locate`)
    revocation     RFC 7009: a POST whose request body takes ``token``, not ``grant_type``
    introspection  RFC 7662: a POST that takes ``token`` and answers ``active``
    resource       RFC 6750: a protected resource that accepts the issued token (Moov's ``GET /ping``),
                   and the scope it needs
    metadata       RFC 8414: ``GET /.well-known/oauth-authorization-server``
    jwks           RFC 7517: a JWK Set (a path ending in ``jwks.json`` or ``jwks``, or answering ``keys``)

:func:`.reading.locate_role` finds them in a document; :class:`Operation` is what the mock and the suite
ask of one: its path and method, its request's media types and parameters, its documented statuses,
headers, bodies and examples, the status a success takes, and (a resource) the scope it needs. Where the
document says nothing, RFC 6749 5.2's refusals (400, ``{"error": ...}``) and RFC 9110's ``Retry-After``
fill in, as for the token operation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from oauth2_token_contract.spec.retry import RetryHeader, retry_header

__all__ = ["LIFECYCLE", "RFC_SUCCESS", "ROLES", "Operation"]

ROLES = ("token", "revocation", "introspection", "resource", "metadata", "jwks")
LIFECYCLE = ROLES[1:]  # the roles a spec may leave out
# The success each role's RFC gives where the spec documents none: RFC 7009 2.2, RFC 7662 2.2, RFC
# 6750 (the resource's own answer), RFC 8414 3.2, RFC 7517 (a JWK Set is a JSON document).
RFC_SUCCESS = dict.fromkeys(ROLES, 200)
# RFC 6749 5.2's codes, where a spec's 400 names none of its own (the contract reads them from here).
RFC_ERROR_CODES = (
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
)


def _status_key(code: Any) -> int | None:
    return int(code) if str(code).isdigit() else None


@dataclass(frozen=True)
class Operation:
    """One documented operation of a token's life, resolved."""

    role: str
    path: str
    method: str
    operation: dict[str, Any] = field(repr=False)
    parameters: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    # A resource: the scope a token needs to be accepted there (None: any valid token).
    scope: str | None = None
    source: Path = field(default=Path(), repr=False, compare=False)

    # Its request.

    @property
    def media_types(self) -> tuple[str, ...]:
        content = (self.operation.get("requestBody") or {}).get("content") or {}
        return tuple(content)

    @property
    def request_schema(self) -> dict[str, Any]:
        """The request body's schema (the first media type's); ``{}`` without a body."""
        content = (self.operation.get("requestBody") or {}).get("content") or {}
        for media in content.values():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                return copy.deepcopy(media["schema"])
        return {}

    @property
    def request_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("properties") or {})

    @property
    def required_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("required") or ())

    @property
    def request_headers(self) -> dict[str, dict[str, Any]]:
        return {str(p["name"]): p for p in self.parameters if p.get("in") == "header" and "name" in p}

    # Its answers.

    def response(self, status: int) -> dict[str, Any]:
        return (self.operation.get("responses") or {}).get(str(status)) or {}

    @property
    def statuses(self) -> tuple[int, ...]:
        return tuple(s for s in map(_status_key, self.operation.get("responses") or {}) if s is not None)

    @property
    def success(self) -> int:
        """The status a success takes: the first documented 2xx, else the role's RFC status."""
        return next((s for s in self.statuses if 200 <= s < 300), RFC_SUCCESS.get(self.role, 200))

    def response_schema(self, status: int) -> dict[str, Any]:
        """The JSON schema of one answer's body; ``{}`` where the spec documents no body."""
        content = self.response(status).get("content") or {}
        for media_type, media in content.items():
            if "json" in media_type and isinstance(media, dict) and isinstance(media.get("schema"), dict):
                return copy.deepcopy(media["schema"])
        return {}

    def documents_body(self, status: int) -> bool:
        return bool(self.response(status).get("content"))

    def response_headers(self, status: int) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.response(status).get("headers") or {})

    def required_headers(self, status: int) -> dict[str, dict[str, Any]]:
        return {name: h for name, h in self.response_headers(status).items() if h.get("required")}

    def header_example(self, status: int, header: str) -> str:
        found = self.response_headers(status).get(header) or {}
        example = found.get("example", (found.get("schema") or {}).get("example"))
        return "" if example is None else str(example)

    def response_examples(self, status: int) -> dict[str, Any]:
        media = (self.response(status).get("content") or {}).get("application/json") or {}
        return {
            name: copy.deepcopy(ex["value"])
            for name, ex in (media.get("examples") or {}).items()
            if isinstance(ex, dict) and "value" in ex
        }

    @property
    def refusal_statuses(self) -> tuple[int, ...]:
        return tuple(s for s in self.statuses if 400 <= s < 500 and s != 429)

    @property
    def server_errors(self) -> tuple[int, ...]:
        return tuple(s for s in self.statuses if s >= 500)

    @property
    def error_codes(self) -> tuple[str, ...]:
        enum = ((self.response_schema(400).get("properties") or {}).get("error") or {}).get("enum")
        return tuple(enum) if enum else RFC_ERROR_CODES

    def statuses_for(self, code: str) -> tuple[int, ...]:
        """Every documented status a refusal with ``code`` may take, RFC 6749 5.2's 400 first: a
        documented 401 for ``invalid_client``, a documented 422 for ``invalid_request``."""
        found = [400]
        if code == "invalid_client" and 401 in self.statuses:
            found.append(401)
        if code == "invalid_request" and 422 in self.statuses:
            found.append(422)
        return tuple(found)

    def refusal_body(self, status: int, code: str, description: str) -> dict[str, Any]:
        """``{error, error_description}``, or a message on the first field a 422 names."""
        fields = set(self.response_schema(status).get("properties") or {}) - {"error", "error_description"}
        if status == 422 and fields:
            return {sorted(fields)[0]: description}
        return {"error": code, "error_description": description}

    @property
    def rate_limited(self) -> bool:
        return 429 in self.statuses

    @cached_property
    def retry(self) -> RetryHeader:
        return retry_header(self.response_headers(429), self.source)

    def describe(self) -> str:
        """``POST /oauth2/revoke (204)``: how the lint and a run header name it."""
        said = f"{self.method.upper()} {self.path} ({self.success})"
        return said + (f", scope {self.scope}" if self.scope else "")
