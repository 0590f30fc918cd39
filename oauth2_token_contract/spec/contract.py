"""The contract as data: every limit, enum and example the mock and the suite use, read from the spec.

Nothing else in the project copies a number out of ``openapi/oauth2-token.yaml``; it asks this module.
The file lives in the repository's ``openapi/`` and ships as the package data
``oauth2_token_contract.openapi``, so an installed wheel finds it from any folder.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_SPEC", "Contract", "load", "spec_path"]

# Installed as files (a wheel, or editable from the checkout): a real path, which Spectral, Prism and
# Schemathesis open by name.
DEFAULT_SPEC = Path(str(files("oauth2_token_contract.openapi").joinpath("oauth2-token.yaml")))
TOKEN_PATH = "/oauth2/token"


def spec_path() -> Path:
    """The spec in force: ``TOKEN_API_SPEC`` when set, else the one shipped with the package."""
    return Path(os.environ.get("TOKEN_API_SPEC") or DEFAULT_SPEC)


def _resolve(node: Any, root: Mapping[str, Any]) -> Any:
    """Inline local ``$ref``s; the fragment has no cycles, so a plain walk is enough."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target, root)
        return {key: _resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node


@dataclass(frozen=True)
class Contract:
    """What the spec says about ``POST /oauth2/token``, resolved once."""

    path: Path
    document: dict[str, Any]
    operation: dict[str, Any] = field(repr=False)

    @property
    def token_path(self) -> str:
        return TOKEN_PATH

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(self.operation["requestBody"]["content"])

    @property
    def request_schema(self) -> dict[str, Any]:
        content = self.operation["requestBody"]["content"]
        return copy.deepcopy(next(iter(content.values()))["schema"])

    def _request_property(self, name: str) -> dict[str, Any]:
        return self.request_schema["properties"][name]

    @property
    def request_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema["properties"])

    @property
    def required_parameters(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("required", ()))

    @property
    def grant_types(self) -> tuple[str, ...]:
        return tuple(self._request_property("grant_type")["enum"])

    @property
    def refresh_token_max_length(self) -> int:
        return int(self._request_property("refresh_token")["maxLength"])

    def max_length(self, parameter: str) -> int | None:
        """A request parameter's ``maxLength``, or None where the spec sets none."""
        value = self._request_property(parameter).get("maxLength")
        return None if value is None else int(value)

    def pattern(self, parameter: str) -> str | None:
        return self._request_property(parameter).get("pattern")

    def response(self, status: int) -> dict[str, Any]:
        return self.operation["responses"][str(status)]

    def response_schema(self, status: int) -> dict[str, Any]:
        return copy.deepcopy(self.response(status)["content"]["application/json"]["schema"])

    @property
    def statuses(self) -> tuple[int, ...]:
        return tuple(int(code) for code in self.operation["responses"])

    @property
    def token_types(self) -> tuple[str, ...]:
        return tuple(self.response_schema(200)["properties"]["token_type"]["enum"])

    @property
    def issued_token_max_length(self) -> int:
        return int(self.response_schema(200)["properties"]["access_token"]["maxLength"])

    @property
    def expires_in_bounds(self) -> tuple[int, int]:
        prop = self.response_schema(200)["properties"]["expires_in"]
        return int(prop["minimum"]), int(prop["maximum"])

    @property
    def error_codes(self) -> tuple[str, ...]:
        return tuple(self.response_schema(400)["properties"]["error"]["enum"])

    def response_headers(self, status: int) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.response(status).get("headers", {}))

    @property
    def retry_header(self) -> str:
        return next(iter(self.response_headers(429)))

    @property
    def retry_pattern(self) -> str:
        return str(self.response_headers(429)[self.retry_header]["schema"]["pattern"])

    def request_examples(self, media_type: str | None = None) -> dict[str, dict[str, Any]]:
        """Named request examples: name -> body."""
        content = self.operation["requestBody"]["content"]
        media = content[media_type or self.media_types[0]]
        return {name: copy.deepcopy(ex["value"]) for name, ex in media.get("examples", {}).items()}

    def response_examples(self, status: int) -> dict[str, Any]:
        """Named response examples for one status: name -> body."""
        media = self.response(status).get("content", {}).get("application/json", {})
        return {name: copy.deepcopy(ex["value"]) for name, ex in media.get("examples", {}).items()}

    def header_example(self, status: int, header: str) -> str:
        return str(self.response_headers(status)[header]["example"])


@cache
def _load(path: Path) -> Contract:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
    document = _resolve(raw, raw)
    operation = document["paths"][TOKEN_PATH]["post"]
    return Contract(path=path, document=document, operation=operation)


def load(path: str | os.PathLike[str] | None = None) -> Contract:
    """The contract from ``path`` (default: :func:`spec_path`), parsed once per file."""
    return _load(Path(path).resolve() if path else spec_path().resolve())
