"""Reading any token-endpoint spec: the file, its references, and the one operation that takes a grant.

An OpenAPI 3.0 or 3.1 document (YAML or JSON), whole or just the operation. The operation is the one
whose request body has a ``grant_type`` property; where a document has several, ``TOKEN_API_OPERATION``
(a path or an ``operationId``) names it. Whatever cannot be read is a :class:`SpecError`: one line that
names the file and what is missing, never a traceback.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["METHODS", "Located", "SpecError", "basic_optional", "locate", "read_document", "resolve"]

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
