"""The contract as data: every path, status, header, limit, enum and example the mock and suite use.

Nothing else in the project copies a number or a status out of a spec; it asks this module, which reads
whichever document it is given (:mod:`.reading`). What the document leaves unsaid falls back to RFC
6749, 6750, 6585 and 9110, and each such fallback is listed in :attr:`Contract.assumptions`; where the
document contradicts the RFC it is listed in :attr:`Contract.contradictions`. The project ships two
versions, named in :data:`VERSIONS`: the documentation page (the default) and Moov's published contract.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

from oauth2_token_contract.spec.operations import LIFECYCLE, RFC_ERROR_CODES, Operation
from oauth2_token_contract.spec.reading import (
    Located,
    SpecError,
    chosen_operation,
    chosen_resource,
    locate,
    locate_role,
    needed_scope,
    read_document,
)
from oauth2_token_contract.spec.retry import RetryHeader, retry_header

__all__ = [
    "DEFAULT_SPEC",
    "LIFECYCLE",
    "RFC_ERROR_CODES",
    "VERSIONS",
    "Contract",
    "Operation",
    "RetryHeader",
    "SpecError",
    "load",
    "spec_path",
]

_SHIPPED = files("oauth2_token_contract.openapi")
# Contract versions shipped with the package, by the name a user selects them with.
VERSIONS = {
    "docs-page": "oauth2-token.yaml",
    "moov-published": "moov-published.yaml",
}
# Installed as files (a wheel, or editable from the checkout): a real path, which Spectral, Prism and
# Schemathesis open by name.
DEFAULT_SPEC = Path(str(_SHIPPED.joinpath(VERSIONS["docs-page"])))

RFC_GRANT_TYPES = ("client_credentials", "refresh_token")
# The request field each refusal is about, where a spec documents per-field refusal bodies (422).
FIELD_OF = {"invalid_scope": "scope", "invalid_grant": "refresh_token", "invalid_request": None}
# Where a spec sets no maxLength for refresh_token, tokens are tested past the documentation page's
# limit: a longer token was never issued, and truncating columns and buffers usually sit there.
STAND_IN_TOKEN_LIMIT = 4096
EXPIRES_IN = (1, 2**31 - 1)  # RFC 6749 5.1: a lifetime in seconds; an int32 holds it
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 5.1, whatever a spec says


def spec_path(choice: str | None = None) -> Path:
    """The spec in force: ``choice`` or ``TOKEN_API_SPEC`` (a file or a version name), else the default."""
    named = choice or os.environ.get("TOKEN_API_SPEC") or ""
    if named in VERSIONS:
        return Path(str(_SHIPPED.joinpath(VERSIONS[named])))
    return Path(named) if named else DEFAULT_SPEC


def _status_key(code: str) -> int | None:
    return int(code) if str(code).isdigit() else None


@dataclass(frozen=True)
class Contract:
    """What a spec says about its token endpoint, resolved once, with the RFC where it is silent."""

    path: Path
    document: dict[str, Any] = field(repr=False)
    located: Located = field(repr=False)
    # The protected resource's path and the scope it needs, where a spec does not say which operation
    # takes a bearer token (``TOKEN_API_RESOURCE``, ``TOKEN_API_RESOURCE_SCOPE``, or the mock's CLI).
    resource_choice: tuple[str | None, str | None] = field(default=(None, None), repr=False)

    # The operation and its request.

    @property
    def operation(self) -> dict[str, Any]:
        return self.located.operation

    @property
    def token_path(self) -> str:
        return self.located.path

    @property
    def version(self) -> str:
        """The document's ``info.version``: what a version header names it by."""
        return str((self.document.get("info") or {}).get("version", ""))

    @property
    def title(self) -> str:
        info = self.document.get("info") or {}
        return f"{info.get('title', self.path.name)} {info.get('version', '')}".strip()

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(self.operation["requestBody"]["content"])

    @property
    def request_schema(self) -> dict[str, Any]:
        content = self.operation["requestBody"]["content"]
        for media in content.values():
            if "grant_type" in ((media or {}).get("schema") or {}).get("properties", {}):
                return copy.deepcopy(media["schema"])
        raise SpecError(f"spec {self.path}: no request schema with grant_type")  # locate() ensured one

    def _request_property(self, name: str) -> dict[str, Any]:
        return self.request_schema.get("properties", {}).get(name) or {}

    @property
    def request_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("properties", {}))

    @property
    def required_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("required", ()))

    @property
    def grant_types(self) -> tuple[str, ...]:
        enum = self._request_property("grant_type").get("enum")
        return tuple(enum) if enum else RFC_GRANT_TYPES

    @property
    def refresh_token_max_length(self) -> int | None:
        return self.max_length("refresh_token")

    def max_length(self, parameter: str) -> int | None:
        """A request parameter's ``maxLength``, or None where the spec sets none."""
        value = self._request_property(parameter).get("maxLength")
        return None if value is None else int(value)

    def pattern(self, parameter: str) -> str | None:
        return self._request_property(parameter).get("pattern")

    @property
    def basic_auth(self) -> bool:
        """Whether the spec names HTTP Basic; RFC 6749 2.3.1 makes servers support it regardless."""
        schemes = (self.document.get("components") or {}).get("securitySchemes") or {}
        return any(
            str(s.get("type", "")).lower() == "http" and str(s.get("scheme", "")).lower() == "basic"
            for s in schemes.values()
            if isinstance(s, dict)
        )

    @property
    def request_headers(self) -> dict[str, dict[str, Any]]:
        """Header parameters the operation documents (``X-Moov-Version``), by name."""
        return {str(p["name"]): p for p in self.located.parameters if p.get("in") == "header" and "name" in p}

    # Its answers.

    def response(self, status: int) -> dict[str, Any]:
        return self.operation["responses"].get(str(status)) or {}

    @property
    def statuses(self) -> tuple[int, ...]:
        return tuple(s for s in map(_status_key, self.operation["responses"]) if s is not None)

    def response_schema(self, status: int) -> dict[str, Any]:
        """The JSON schema of one answer's body; ``{}`` where the spec documents no body."""
        content = self.response(status).get("content") or {}
        for media_type, media in content.items():
            if "json" in media_type and isinstance(media, dict) and isinstance(media.get("schema"), dict):
                return copy.deepcopy(media["schema"])
        return {}

    def response_headers(self, status: int) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.response(status).get("headers") or {})

    def required_headers(self, status: int) -> dict[str, dict[str, Any]]:
        return {name: h for name, h in self.response_headers(status).items() if h.get("required")}

    def header_schema(self, status: int, name: str) -> dict[str, Any]:
        """The schema of a header documented for ``status`` (its ``schema``, or the one its
        ``content`` gives); ``{}`` where it has none or is not documented. ``name`` in any letter
        case (RFC 9110 section 5.1)."""
        header = next((h for n, h in self.response_headers(status).items() if n.lower() == name.lower()), {})
        schema = header.get("schema")
        if not isinstance(schema, dict):
            media = next(iter((header.get("content") or {}).values()), None)
            schema = media.get("schema") if isinstance(media, dict) else None
        return copy.deepcopy(schema) if isinstance(schema, dict) else {}

    @property
    def token_schema(self) -> dict[str, Any]:
        return self.response_schema(200)

    def _token_property(self, name: str) -> dict[str, Any]:
        return self.token_schema.get("properties", {}).get(name) or {}

    @property
    def required_token_fields(self) -> tuple[str, ...]:
        """What every 200 must carry: the spec's ``required``, and RFC 6749 5.1's two at the least."""
        own = tuple(self.token_schema.get("required", ()))
        return tuple(dict.fromkeys(("access_token", "token_type", *own)))

    @property
    def token_types(self) -> tuple[str, ...]:
        """The token_type names the spec allows; empty where any RFC 6749 7.1 type goes."""
        return tuple(self._token_property("token_type").get("enum") or ())

    @property
    def issued_token_max_length(self) -> int | None:
        value = self._token_property("access_token").get("maxLength")
        return None if value is None else int(value)

    @property
    def expires_in_bounds(self) -> tuple[int, int]:
        prop = self._token_property("expires_in")
        return int(prop.get("minimum", EXPIRES_IN[0])), int(prop.get("maximum", EXPIRES_IN[1]))

    @property
    def refusal_statuses(self) -> tuple[int, ...]:
        """The documented 4xx answers other than 429, in the order the spec lists them."""
        return tuple(s for s in self.statuses if 400 <= s < 500 and s != 429)

    @property
    def server_errors(self) -> tuple[int, ...]:
        return tuple(s for s in self.statuses if s >= 500)

    @property
    def error_codes(self) -> tuple[str, ...]:
        """The RFC 6749 5.2 codes a 400 may carry: the spec's enum, else all six."""
        enum = ((self.response_schema(400).get("properties") or {}).get("error") or {}).get("enum")
        return tuple(enum) if enum else RFC_ERROR_CODES

    def _fields_of(self, status: int) -> set[str]:
        return set(self.response_schema(status).get("properties") or {})

    def statuses_for(self, code: str) -> tuple[int, ...]:
        """Every documented status a refusal with RFC error ``code`` may take (the RFC's 400 first).

        400 is RFC 6749 5.2's answer. A documented 401 also fits ``invalid_client`` (5.2 allows it after
        Basic); a documented 422 with per-field bodies fits a refusal about one of its fields, and a
        422 with no fields fits any refusal about the request's contents.
        """
        found = [400]
        if code == "invalid_client" and 401 in self.statuses:
            found.append(401)
        if 422 in self.statuses and code in FIELD_OF:
            fields = self._fields_of(422) - {"error", "error_description"}
            wanted = FIELD_OF[code]
            if not fields or wanted is None or wanted in fields:
                found.append(422)
        return tuple(found)

    def accepted_statuses_for(self, code: str) -> tuple[int, ...]:
        """What a server may answer for a refusal with RFC error ``code``: :meth:`statuses_for`, and
        401 for ``invalid_client`` whether or not the spec documents it.

        RFC 6749 5.2 lets a server answer ``invalid_client`` with 401 and a ``WWW-Authenticate``
        challenge (and requires it after Basic), so a server using that latitude keeps the contract;
        the mock still answers only what the spec documents.
        """
        found = self.statuses_for(code)
        return (*found, 401) if code == "invalid_client" and 401 not in found else found

    def refusal_body(self, status: int, code: str, description: str) -> dict[str, Any]:
        """The body the spec documents for a refusal at ``status``: ``{error}``, or per-field messages."""
        fields = self._fields_of(status) - {"error", "error_description"}
        if status == 422 and fields:
            wanted = FIELD_OF.get(code)
            name = wanted if wanted in fields else sorted(fields)[0]
            return {name: description}
        return {"error": code, "error_description": description}

    # Rate limiting.

    @property
    def rate_limited(self) -> bool:
        """Whether the spec documents a 429; without one, a server answers none."""
        return 429 in self.statuses

    @cached_property
    def retry(self) -> RetryHeader:
        """The header a 429 names its wait in: the spec's, else RFC 9110's ``Retry-After`` in seconds."""
        return retry_header(self.response_headers(429), self.path)

    @property
    def retry_header(self) -> str:
        return self.retry.name

    @property
    def retry_pattern(self) -> str:
        return self.retry.pattern or "^[0-9]+$"

    # Examples.

    def request_examples(self, media_type: str | None = None) -> dict[str, dict[str, Any]]:
        """Named request examples: name -> body."""
        content = self.operation["requestBody"]["content"]
        media = content.get(media_type or self.media_types[0]) or {}
        found = {
            name: copy.deepcopy(ex["value"])
            for name, ex in (media.get("examples") or {}).items()
            if isinstance(ex, dict) and isinstance(ex.get("value"), dict)
        }
        if not found and isinstance(media.get("example"), dict):
            found["example"] = copy.deepcopy(media["example"])
        return found

    def example_client(self) -> tuple[str, str, tuple[str, ...]] | None:
        """The client the spec's examples use (id, secret, scopes): a client_credentials request
        example, else the request schema's own example, else its properties' examples."""
        schema = self.request_schema
        candidates = [
            *self.request_examples().values(),
            schema.get("example") or {},
            {name: prop.get("example") for name, prop in (schema.get("properties") or {}).items()},
        ]
        for body in candidates:
            usable = isinstance(body, dict) and body.get("client_id") and body.get("client_secret")
            if usable and body.get("grant_type") in (None, "client_credentials"):
                scopes = tuple(str(body.get("scope") or "").split())
                return str(body["client_id"]), str(body["client_secret"]), scopes
        return None

    def response_examples(self, status: int) -> dict[str, Any]:
        """Named response examples for one status: name -> body."""
        media = (self.response(status).get("content") or {}).get("application/json") or {}
        return {
            name: copy.deepcopy(ex["value"])
            for name, ex in (media.get("examples") or {}).items()
            if isinstance(ex, dict) and "value" in ex
        }

    def header_example(self, status: int, header: str) -> str:
        found = self.response_headers(status).get(header) or {}
        example = found.get("example", (found.get("schema") or {}).get("example"))
        return "" if example is None else str(example)

    # The other operations of a token's life, found by their role (:mod:`.operations`).

    @cached_property
    def token(self) -> Operation:
        """The token operation, as the other operations are described."""
        located = self.located
        return Operation(
            "token", located.path, located.method, located.operation, located.parameters, source=self.path
        )

    def _role(self, role: str) -> Operation | None:
        chosen_path, chosen_scope = self.resource_choice if role == "resource" else (None, None)
        found = locate_role(self.document, self.path, role, chosen_path)
        if found is None:
            return None
        scope = (chosen_scope or needed_scope(self.document, found.operation)) if role == "resource" else None
        return Operation(role, found.path, found.method, found.operation, found.parameters, scope, self.path)

    @cached_property
    def revocation(self) -> Operation | None:
        """RFC 7009: a POST whose request body takes ``token`` (not ``grant_type``); None if undocumented."""
        return self._role("revocation")

    @cached_property
    def introspection(self) -> Operation | None:
        """RFC 7662: a POST that takes ``token`` and answers ``active``; None if undocumented."""
        return self._role("introspection")

    @cached_property
    def resource(self) -> Operation | None:
        """RFC 6750: a protected resource that takes the issued token, with the scope it needs."""
        return self._role("resource")

    @cached_property
    def metadata(self) -> Operation | None:
        """RFC 8414 authorization server metadata, where documented."""
        return self._role("metadata")

    @cached_property
    def jwks(self) -> Operation | None:
        """A JWK Set (RFC 7517), where documented."""
        return self._role("jwks")

    def operations(self) -> dict[str, Operation]:
        """The documented operations of a token's life by role, the token operation first."""
        found = {"token": self.token}
        for role in LIFECYCLE:
            operation = getattr(self, role)
            if operation is not None:
                found[role] = operation
        return found

    @property
    def undocumented_operations(self) -> tuple[str, ...]:
        """The roles (:data:`LIFECYCLE`) the spec documents no operation for."""
        return tuple(role for role in LIFECYCLE if getattr(self, role) is None)

    # What the reading assumed, and where the spec and the RFC disagree.

    @cached_property
    def assumptions(self) -> tuple[str, ...]:
        """What the document leaves unsaid and the RFCs decide, one line each."""
        said: list[str] = []
        if not self.located.whole_document:
            said.append(f"path {self.token_path} (the document is only the operation)")
        if not self._request_property("grant_type").get("enum"):
            said.append("grant types client_credentials and refresh_token (RFC 6749 4.4, 6)")
        if not self.basic_auth:
            said.append("client credentials in HTTP Basic too (RFC 6749 2.3.1: servers MUST support it)")
        if 400 not in self.statuses:
            said.append('refusals as 400 {"error": ...} (RFC 6749 5.2)')
        if 401 not in self.statuses:
            said.append("invalid_client as 401 with a WWW-Authenticate challenge too (RFC 6749 5.2)")
        if not self.token_types:
            said.append("any token_type (RFC 6749 7.1)")
        missing = [h for h in NO_STORE if h.lower() not in {n.lower() for n in self.response_headers(200)}]
        if missing:
            said.append(f"{' and '.join(f'{h}: {NO_STORE[h]}' for h in missing)} on tokens (RFC 6749 5.1)")
        if self.rate_limited and not self.retry.documented:
            said.append("a 429 may say its wait in Retry-After, in seconds (RFC 6585 4, RFC 9110 10.2.3)")
        if not self.rate_limited:
            said.append("no rate limiting: the spec documents no 429")
        return tuple(said)

    @cached_property
    def contradictions(self) -> tuple[str, ...]:
        """Where the document says what an RFC forbids; answers are judged by the RFC unless told."""
        found: list[str] = []
        words = str(self._token_property("expires_in").get("description", ""))
        if re.search(r"timestamp|epoch|unix time|when .* expires", words, re.IGNORECASE):
            found.append(
                "expires_in: the spec calls it a timestamp; RFC 6749 5.1 says the lifetime in seconds"
            )
        types = {t.lower() for t in self.token_types}
        if types and "bearer" not in types and not types <= {"opaque", "jwt"}:
            found.append(f"token_type {sorted(types)}: not types RFC 6749 7.1 registers")
        revocation = self.revocation
        if revocation is not None and 200 not in revocation.statuses and revocation.success != 200:
            found.append(
                f"{revocation.path}: the spec documents {revocation.success} for a revocation; "
                "RFC 7009 2.2 says 200"
            )
        return tuple(found)


def _check(contract: Contract) -> Contract:
    """Fail now, with one line, on what the mock and the suite cannot work without."""
    if 200 not in contract.statuses:
        raise SpecError(f"spec {contract.path}: the token operation documents no 200 answer")
    schema = contract.token_schema
    if not schema:
        raise SpecError(f"spec {contract.path}: the 200 answer has no JSON schema")
    if "access_token" not in (schema.get("properties") or {}):
        raise SpecError(f"spec {contract.path}: the 200 schema has no access_token property")
    _ = contract.retry  # a bad unit is named here, not at the first 429
    _ = contract.resource  # so is a TOKEN_API_RESOURCE the document does not have
    return contract


@cache
def _load(path: Path, choice: str | None, resource: tuple[str | None, str | None] = (None, None)) -> Contract:
    document = read_document(path)
    located = locate(document, path, choice)
    if not isinstance(located.operation.get("responses"), Mapping):
        raise SpecError(f"spec {path}: the token operation has no responses")
    return _check(Contract(path=path, document=document, located=located, resource_choice=resource))


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    resource: str | None = None,
    resource_scope: str | None = None,
) -> Contract:
    """The contract from ``path`` (a file or a version name; default: :func:`spec_path`), read once.

    ``resource`` and ``resource_scope`` name the protected resource and the scope it needs (default:
    ``TOKEN_API_RESOURCE`` and ``TOKEN_API_RESOURCE_SCOPE``), for a spec that does not say which it is."""
    where = spec_path(str(path)) if path else spec_path()
    chosen_path, chosen_scope = chosen_resource()
    return _load(
        where.resolve(), chosen_operation(), (resource or chosen_path, resource_scope or chosen_scope)
    )
