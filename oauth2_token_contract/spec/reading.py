"""Reading any token-endpoint spec: the file, its references, and the one operation that takes a grant.

An OpenAPI 3.0 or 3.1 document (YAML or JSON), whole or just the operation. The operation is the one
whose request body has a ``grant_type`` property; where a document has several, ``TOKEN_API_OPERATION``
(a path or an ``operationId``) names it. The other operations of a token's life (revocation,
introspection, a protected resource, RFC 8414 metadata, a JWK Set) are found by their role
(:func:`locate_role`), each optional; ``TOKEN_API_RESOURCE`` and ``TOKEN_API_RESOURCE_SCOPE`` name the
resource where the document does not say which operation takes a bearer token. Whatever cannot be read
is a :class:`SpecError`: one line that names the file and what is missing, never a traceback.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "METHODS",
    "Located",
    "SpecError",
    "basic_optional",
    "chosen_resource",
    "locate",
    "locate_role",
    "needed_scope",
    "read_document",
    "resolve",
]

METHODS = ("post", "put", "patch", "get")
# Where a document is only the operation, the path is the one RFC 6749 leaves to the server; ours.
DEFAULT_PATH = "/oauth2/token"
_DEPTH = 64  # deeper than any real schema: past it a reference loops


class SpecError(ValueError):
    """A spec that cannot describe a token endpoint; ``str()`` is the one line a user sees."""


def read_document(path: Path) -> dict[str, Any]:
    """The parsed file; a missing, unreadable or non-mapping file is a :class:`SpecError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"spec {path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(text)
        else:
            raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise SpecError(f"spec {path}: not valid YAML or JSON{line}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"spec {path}: not an OpenAPI document (the file is not a mapping)")
    return raw


def _pointer(root: Mapping[str, Any], ref: str, path: Path) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"spec {path}: $ref {ref!r} points outside the file; bundle the document first")
    node: Any = root
    for raw_part in ref[2:].split("/"):
        part = raw_part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise SpecError(f"spec {path}: $ref {ref!r} does not resolve")
    return node


def resolve(node: Any, root: Mapping[str, Any], path: Path, depth: int = 0) -> Any:
    """``node`` with every local ``$ref`` inlined (siblings of a ``$ref`` kept, as OpenAPI 3.1 allows)."""
    if depth > _DEPTH:
        raise SpecError(f"spec {path}: a $ref refers to itself; the token operation cannot be inlined")
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            target = resolve(_pointer(root, node["$ref"], path), root, path, depth + 1)
            siblings = {k: resolve(v, root, path, depth + 1) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if isinstance(target, dict) and siblings else target
        return {key: resolve(value, root, path, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, root, path, depth + 1) for item in node]
    return node


@dataclass(frozen=True)
class Located:
    """The token operation found in a document: where it is served and what it says, resolved."""

    path: str
    method: str
    operation: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]
    whole_document: bool


def _takes_a_grant(operation: Any, root: Mapping[str, Any], path: Path) -> bool:
    if not isinstance(operation, dict):
        return False
    body = operation.get("requestBody")
    if not isinstance(body, dict):
        return False
    try:
        body = resolve(body, root, path)
    except SpecError:  # another operation's recursive or broken schema is not ours to judge
        return False
    content = body.get("content")
    if not isinstance(content, dict):
        return False
    for media in content.values():
        schema = media.get("schema") if isinstance(media, dict) else None
        if isinstance(schema, dict) and "grant_type" in (schema.get("properties") or {}):
            return True
    return False


def _candidates(document: Mapping[str, Any], path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for route, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if _takes_a_grant(item.get(method), document, path):
                yield route, method, item


def _is_openapi(document: Mapping[str, Any]) -> bool:
    version = str(document.get("openapi", ""))
    return version.startswith("3.") or "paths" in document


def locate(document: dict[str, Any], path: Path, choice: str | None = None) -> Located:
    """The one operation of ``document`` that accepts ``grant_type``, resolved."""
    if "requestBody" in document and "responses" in document and "paths" not in document:
        if not _takes_a_grant(document, document, path):
            raise SpecError(f"spec {path}: the operation's request body has no grant_type property")
        operation = resolve(document, document, path)
        return Located(DEFAULT_PATH, "post", operation, tuple(operation.get("parameters") or ()), False)
    if not _is_openapi(document):
        raise SpecError(f"spec {path}: not an OpenAPI 3 document (no 'openapi: 3.x' and no 'paths')")
    version = str(document.get("openapi", "3"))
    if not version.startswith("3"):
        raise SpecError(f"spec {path}: OpenAPI {version} is not supported; 3.0 and 3.1 are")
    found = list(_candidates(document, path))
    if choice:
        found = [
            (route, method, item)
            for route, method, item in found
            if choice in (route, str((item.get(method) or {}).get("operationId", "")))
        ]
        if not found:
            raise SpecError(f"spec {path}: no operation {choice!r} whose request body takes grant_type")
    if not found:
        raise SpecError(f"spec {path}: no operation whose request body has a grant_type property")
    if len(found) > 1:
        names = ", ".join(f"{method.upper()} {route}" for route, method, _ in found)
        raise SpecError(f"spec {path}: several token operations ({names}); name one in TOKEN_API_OPERATION")
    route, method, item = found[0]
    operation = resolve(item[method], document, path)
    shared = resolve(item.get("parameters") or [], document, path)
    own = operation.get("parameters") or []
    parameters = {
        (p.get("in"), str(p.get("name", "")).lower()): p for p in [*shared, *own] if isinstance(p, dict)
    }
    return Located(route, method, operation, tuple(parameters.values()), True)


def chosen_operation() -> str | None:
    """``TOKEN_API_OPERATION``: which operation to test when a document has several."""
    return os.environ.get("TOKEN_API_OPERATION") or None


def chosen_resource() -> tuple[str | None, str | None]:
    """``TOKEN_API_RESOURCE`` (a path) and ``TOKEN_API_RESOURCE_SCOPE`` (the scope it needs): the
    protected resource, for a spec whose descriptions and security do not say which it is."""
    return os.environ.get("TOKEN_API_RESOURCE") or None, os.environ.get("TOKEN_API_RESOURCE_SCOPE") or None


# The other operations of a token's life, by role (:mod:`.operations`). Each is optional: None where
# the document (a whole one; an operation alone has no others) does not document it.
METADATA_PATH = "/.well-known/oauth-authorization-server"  # RFC 8414 section 3
_BEARER_WORDS = re.compile(r"\b(?:access[ _-]token|bearer)\b", re.IGNORECASE)
# "the `/ping.read` scope", "scope `/ping.read`"
_NEEDED_SCOPE = re.compile(r"`([^`\s]+)`\s+scope\b|\bscope\s+`([^`\s]+)`", re.IGNORECASE)


def _body_schemas(operation: Any, root: Mapping[str, Any], path: Path) -> list[dict[str, Any]]:
    body = operation.get("requestBody") if isinstance(operation, dict) else None
    if not isinstance(body, dict):
        return []
    try:
        content = resolve(body, root, path).get("content")
    except SpecError:
        return []
    if not isinstance(content, dict):
        return []
    return [
        m["schema"] for m in content.values() if isinstance(m, dict) and isinstance(m.get("schema"), dict)
    ]


def _takes(operation: Any, root: Mapping[str, Any], path: Path, name: str) -> bool:
    return any(name in (schema.get("properties") or {}) for schema in _body_schemas(operation, root, path))


def _answers(operation: Any, root: Mapping[str, Any], path: Path, name: str) -> bool:
    """Whether a documented 2xx answer's JSON schema has the property ``name``."""
    responses = operation.get("responses") if isinstance(operation, dict) else None
    for status, answer in (responses or {}).items() if isinstance(responses, dict) else ():
        if not str(status).startswith("2"):
            continue
        try:
            content = resolve(answer, root, path).get("content") or {}
        except (SpecError, AttributeError):
            continue
        for media in content.values() if isinstance(content, dict) else ():
            schema = media.get("schema") if isinstance(media, dict) else None
            if isinstance(schema, dict) and name in (schema.get("properties") or {}):
                return True
    return False


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    paths = document.get("paths")
    for route, item in (paths or {}).items() if isinstance(paths, dict) else ():
        if isinstance(item, dict):
            for method in ("get", "post", "put", "patch", "delete"):
                if isinstance(item.get(method), dict):
                    yield str(route), method, item


def _located(document: dict[str, Any], path: Path, route: str, method: str) -> Located:
    item = document["paths"][route]
    operation = resolve(item[method], document, path)
    shared = resolve(item.get("parameters") or [], document, path)
    own = operation.get("parameters") or []
    parameters = {
        (p.get("in"), str(p.get("name", "")).lower()): p for p in [*shared, *own] if isinstance(p, dict)
    }
    return Located(route, method, operation, tuple(parameters.values()), True)


def _bearer_schemes(document: Mapping[str, Any]) -> set[str]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return {
        str(name)
        for name, scheme in schemes.items()
        if isinstance(scheme, dict)
        and (
            str(scheme.get("type", "")).lower() in ("oauth2", "openidconnect")
            or (
                str(scheme.get("type", "")).lower() == "http"
                and str(scheme.get("scheme", "")).lower() == "bearer"
            )
        )
    }


def needed_scope(document: Mapping[str, Any], operation: Mapping[str, Any]) -> str | None:
    """The scope a resource names for its tokens: the first of an OAuth 2.0 security requirement's
    scopes, else the one its description names (Moov: "you'll need to specify the `/ping.read` scope")."""
    bearer = _bearer_schemes(document)
    for requirement in operation.get("security", document.get("security")) or []:
        for name, scopes in (requirement or {}).items() if isinstance(requirement, dict) else ():
            if name in bearer and isinstance(scopes, list) and scopes:
                return str(scopes[0])
    words = f"{operation.get('summary', '')} {operation.get('description', '')}"
    found = _NEEDED_SCOPE.search(words)
    return (found.group(1) or found.group(2)) if found else None


def _protected(document: Mapping[str, Any], operation: Mapping[str, Any]) -> bool:
    """Whether an operation says it takes a bearer token: its security names a bearer or OAuth 2.0
    scheme, or its description names an access token or a bearer token."""
    bearer = _bearer_schemes(document)
    security = operation.get("security", document.get("security")) or []
    if any(isinstance(r, dict) and set(r) & bearer for r in security):
        return True
    return bool(_BEARER_WORDS.search(f"{operation.get('summary', '')} {operation.get('description', '')}"))


def locate_role(
    document: dict[str, Any], path: Path, role: str, resource: str | None = None
) -> Located | None:
    """The operation of ``document`` that plays ``role`` (:data:`.operations.ROLES`, the token one
    aside), resolved; None where it documents none. ``resource`` names the protected resource's path
    (``TOKEN_API_RESOURCE``): a SpecError when the document has no operation there."""
    if "paths" not in document:
        return None
    found = [
        (route, method)
        for route, method, item in _operations(document)
        if _plays(role, document, path, route=route, method=method, operation=item[method])
    ]
    if role == "resource":
        if resource is not None:
            methods = [method for route, method, _ in _operations(document) if route == resource]
            if not methods:
                raise SpecError(f"spec {path}: no operation at {resource} (TOKEN_API_RESOURCE)")
            found = [(resource, "get" if "get" in methods else methods[0])]
        # A whole API names many: the plainest (no path parameters, GET, a ping) stands for them.
        found.sort(key=lambda rm: ("{" in rm[0], rm[1] != "get", "ping" not in rm[0], len(rm[0]), rm[0]))
    return _located(document, path, *found[0]) if found else None


def _plays(
    role: str, document: dict[str, Any], path: Path, *, route: str, method: str, operation: dict[str, Any]
) -> bool:
    takes_token = method == "post" and _takes(operation, document, path, "token")
    if _takes(operation, document, path, "grant_type"):
        return False
    if role in ("revocation", "introspection"):
        # RFC 7009 2.1, RFC 7662 2.1: token (and token_type_hint) in the body, at a path of its own;
        # another API's body that holds a token of its own (a wallet's, at /accounts/{id}/...) is not one.
        named = _takes(operation, document, path, "token_type_hint") or role[:5] in route.lower()
        answers_active = _answers(operation, document, path, "active")
        return takes_token and "{" not in route and named and answers_active == (role == "introspection")
    if role == "metadata":
        return method == "get" and route.rstrip("/").endswith(METADATA_PATH)
    if role == "jwks":
        tail = route.rstrip("/").rsplit("/", 1)[-1].lower()
        return method == "get" and (
            tail in ("jwks.json", "jwks") or _answers(operation, document, path, "keys")
        )
    if role == "resource":
        return not takes_token and not route.startswith("/.well-known/") and _protected(document, operation)
    return False


def basic_optional(document: dict[str, Any], route: str, method: str) -> dict[str, Any]:
    """A copy of ``document`` whose token operation may also go without HTTP Basic.

    RFC 6749 2.3.1 lets a client put its credentials in the body instead, and a token request body
    with ``client_id`` and ``client_secret`` says the spec allows it; a generator that reads the
    document's ``security`` alone would call such a request schema-violating.
    """
    copied = copy.deepcopy(document)
    operation = copied["paths"][route][method]
    security = operation.get("security", copied.get("security")) or []
    if {} not in security:
        operation["security"] = [*security, {}]
    return copied
