"""Checking parameters against the spec's request schema, and naming what is wrong the RFC 6749 way.

The schema is compiled once at start (``jsonschema_rs``), so a changed spec changes the mock. Mapping:
``grant_type`` missing or not a string is ``invalid_request``, a string outside the enum
``unsupported_grant_type``; a scope that breaks only the spec's pattern is ``invalid_scope``; every
other violation (an over-long ``refresh_token`` included, whatever the grant) is ``invalid_request``.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.errors import InvalidRequest, InvalidScope, UnsupportedGrantType
from oauth2_token_contract.mock.settings import MockSettings

__all__ = ["RequestValidator"]


class RequestValidator:
    """The spec's ``TokenRequest`` schema, compiled."""

    def __init__(self, settings: MockSettings) -> None:
        import jsonschema_rs  # noqa: PLC0415 - keeps importing the mock light

        contract = settings.contract
        self.grant_types = frozenset(contract.grant_types)
        self._validator = jsonschema_rs.validator_for(contract.request_schema)

    def grant_type(self, params: dict[str, Any]) -> str:
        grant_type = params.get("grant_type")
        if not isinstance(grant_type, str):
            raise InvalidRequest("grant_type is required and must be a string")
        if grant_type not in self.grant_types:
            raise UnsupportedGrantType("the grant type is not supported")
        return grant_type

    def validate(self, params: dict[str, Any]) -> None:
        try:
            if self._validator.is_valid(params):
                return
            errors = list(self._validator.iter_errors(params))
        except ValueError:  # e.g. a lone surrogate from a JSON escape: not text the schema can hold
            raise InvalidRequest("a parameter is not valid text") from None
        if errors and all(self.is_scope_pattern(error) for error in errors):
            raise InvalidScope("the requested scope is malformed")
        raise InvalidRequest("a parameter breaks the request schema")

    @staticmethod
    def is_scope_pattern(error: Any) -> bool:
        return list(error.instance_path) == ["scope"] and list(error.schema_path)[-1:] == ["pattern"]
