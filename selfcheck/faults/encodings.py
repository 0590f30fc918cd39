"""Reading the body: both media types accepted (with a charset), the Content-Type enforced, the form
decoded, parameters taken as RFC 6749 section 3 says (duplicates refused, empty ones omitted, unknown
ones ignored, none read from the URL query), and a body that cannot be read refused as invalid_request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from oauth2_token_contract.mock.endpoint import TokenEndpoint
from oauth2_token_contract.mock.errors import InvalidRequest, MockError
from oauth2_token_contract.mock.parsing import JsonMembers, RequestParser
from oauth2_token_contract.mock.settings import MockSettings
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


FORM = "application/x-www-form-urlencoded"

JSON = "application/json"


class FormRefused(RequestParser):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.decoders.pop(FORM, None)


class JsonRefused(RequestParser):
    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings)
        self.decoders.pop(JSON, None)


class CharsetRefused(RequestParser):
    """Compares the whole Content-Type, so ``; charset=utf-8`` makes it unknown."""

    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        if content_type is not None and b";" in content_type:
            raise InvalidRequest("unsupported Content-Type")
        return super().decoder(content_type)


class AnyContentTypeIsJson(RequestParser):
    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        try:
            return super().decoder(content_type)
        except InvalidRequest:
            return self.parse_json


class FormPlusKept(RequestParser):
    """Percent-decodes the form but leaves ``+`` as a plus, not a space."""

    def parse_form(self, text: str) -> dict[str, Any]:
        return super().parse_form(text.replace("+", "%2B"))


class DuplicatesAccepted(RequestParser):
    """A repeated parameter: the last one wins, as in a plain dict."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return super().collect(list(dict(pairs).items()))


class UnknownParametersRefused(RequestParser):
    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if any(name not in self.known for name, _ in pairs):
            raise InvalidRequest("unknown parameter")
        return super().collect(pairs)


class EmptyParametersKept(RequestParser):
    """An empty value is taken as given instead of as omitted (RFC 6749 section 3.1)."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        params = super().collect(pairs)
        params.update((name, value) for name, value in pairs if value == "" and name in self.known)
        return params


class JsonUnknownNonStringRefused(RequestParser):
    """Unknown JSON members that are not strings refused, though section 3.2 says ignore them."""

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if any(name not in self.known and not isinstance(value, str) for name, value in pairs):
            raise InvalidRequest("unexpected parameter type")
        return super().collect(pairs)


class InvalidUtf8Dropped(RequestParser):
    """Bytes that are not UTF-8 silently dropped."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        return super().parse(content_type, body.decode("utf-8", "ignore").encode())


class LenientJson(RequestParser):
    """A forgiving JSON reader: a trailing comma, and anything after the object, let through."""

    def parse_json(self, text: str) -> dict[str, Any]:
        text = re.sub(r",\s*}", "}", text.strip())
        try:
            document, _ = self.json.raw_decode(text)
        except (ValueError, RecursionError):
            return super().parse_json(text)
        return self.collect(document) if isinstance(document, JsonMembers) else super().parse_json(text)


# The URL query of the request being answered: the parser is not handed it (the mock reads none), so
# the endpoint of the fault below notes it for the parser, as ``media.MEDIA`` carries the media type.
QUERY: ContextVar[bytes] = ContextVar("query", default=b"")


class QueryAware(TokenEndpoint):
    async def answer(self, scope: dict[str, Any], receive: Any) -> Any:
        QUERY.set(scope.get("query_string", b""))
        return await super().answer(scope, receive)


class QueryHonoured(RequestParser):
    """The URL query read as parameters beneath the body's, as Authlib's request data merges them: a
    grant or credentials sent in the query are taken (RFC 6749 sections 3.2 and 2.3.1 forbid it)."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        query = self.parse_form(QUERY.get().decode("latin-1"))
        if query and not body:
            return query  # no body to read: the query is the whole request
        return {**query, **super().parse(content_type, body)}


class ServerError(MockError):
    status = 500
    code = "server_error"


class MalformedJson500(RequestParser):
    """The JSON decoder's exception escapes as a 500."""

    def parse_json(self, text: str) -> dict[str, Any]:
        try:
            return super().parse_json(text)
        except InvalidRequest:
            raise ServerError from None


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "form-refused",
            "application/x-www-form-urlencoded bodies refused",
            {"parser": FormRefused},
            breaks=("E1/form/basic", "E1/form/body"),
        ),
        Fault(
            "json-refused",
            "application/json bodies refused",
            {"parser": JsonRefused},
            breaks=("E1/json/basic", "E1/json/body"),
        ),
        Fault(
            "charset-refused",
            "a Content-Type with a charset parameter is refused",
            {"parser": CharsetRefused},
            breaks=("E2/json", "E2/form"),
        ),
        Fault(
            "any-content-type-is-json",
            "any Content-Type (or none) is parsed as JSON",
            {"parser": AnyContentTypeIsJson},
            breaks=("E9",),
        ),
        Fault(
            "form-plus-not-decoded",
            "'+' in a form value stays a plus, so a two-scope request is one unknown scope",
            {"parser": FormPlusKept},
            breaks=("E3",),
        ),
        Fault(
            "duplicate-parameters-accepted",
            "a parameter sent twice is accepted (the last one wins)",
            {"parser": DuplicatesAccepted},
            breaks=("E4",),
        ),
        Fault(
            "unknown-parameters-refused",
            "unknown parameters refused instead of ignored (RFC 6749 section 3.2)",
            {"parser": UnknownParametersRefused},
            breaks=("E6/json", "E6/form"),
        ),
        Fault(
            "empty-parameters-kept",
            "empty values taken as given, not as omitted (RFC 6749 section 3.1)",
            {"parser": EmptyParametersKept},
            breaks=("E5/json", "E5/form"),
        ),
        Fault(
            "json-unknown-non-string-refused",
            "unknown JSON members that are not strings refused",
            {"parser": JsonUnknownNonStringRefused},
            breaks=("X1", "E6/json"),
        ),
        Fault(
            "invalid-utf8-dropped",
            "bytes that are not UTF-8 silently dropped",
            {"parser": InvalidUtf8Dropped},
            breaks=("E8/json", "E8/form"),
        ),
        Fault(
            "lenient-json",
            "trailing commas and text after the JSON object let through",
            {"parser": LenientJson},
            breaks=("E7",),
        ),
        Fault(
            "query-parameters-honoured",
            "parameters in the URL query read beneath the body's, as Authlib does: a grant or "
            "credentials sent in the query get a token",
            {"endpoint": QueryAware, "parser": QueryHonoured},
            breaks=("E16", "E17"),
        ),
        Fault(
            "malformed-json-500",
            "malformed JSON answered 500, not 400 invalid_request",
            {"parser": MalformedJson500},
            breaks=("A1", "X3"),
        ),
    )
}
