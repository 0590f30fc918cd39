"""Reading a token request: the body, capped, and its parameters, from JSON or a form.

What comes out is a plain ``dict`` holding only the parameters the spec names: unknown ones are
dropped whatever their type (RFC 6749 section 3.2), empty values count as omitted (section 3.1), and a
known parameter sent twice is refused (section 3.2), in a form or as a duplicate JSON key. Anything
unreadable (invalid UTF-8, malformed JSON, a non-object, an unsupported media type or charset, a body
over the cap) raises :class:`~oauth2_token_contract.mock.errors.InvalidRequest` at once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_plus

from oauth2_token_contract.mock.errors import InvalidRequest
from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.spec.contract import Contract, Operation

__all__ = ["ClientDisconnected", "JsonMembers", "RequestParser"]

Receive = Callable[[], Awaitable[dict[str, Any]]]
TEXT_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_JSON_WHITESPACE = " \t\n\r"  # RFC 8259 section 2
# A Content-Type that is exactly a media type (no parameters, lower case) needs no splitting.
_PLAIN_MEDIA = {media.encode(): media for media in ("application/json", "application/x-www-form-urlencoded")}


class ClientDisconnected(Exception):
    """The client went away before its body arrived; nobody is left to answer."""


class JsonMembers(list):  # type: ignore[type-arg]
    """A JSON object as its list of members, so duplicate keys stay visible; public so that a variant
    of the parser can tell an object from the other values JSON decodes to."""


def _refuse_constant(name: str) -> Any:
    raise InvalidRequest("the body is not valid JSON")


class RequestParser:
    """Turns the body of a ``POST /oauth2/token`` into its parameters; built for another documented
    operation (``operation``: revocation, introspection), that operation's body, with ``also`` known."""

    def __init__(
        self, settings: MockSettings, operation: Operation | None = None, also: tuple[str, ...] = ()
    ) -> None:
        contract: Contract | Operation = settings.contract if operation is None else operation
        self.known = frozenset((*contract.request_parameters, *also))
        self.max_body_bytes = settings.max_body_bytes
        decoders = {"application/json": self.parse_json, "application/x-www-form-urlencoded": self.parse_form}
        self.decoders = {media: decoders[media] for media in contract.media_types if media in decoders}
        self.json = json.JSONDecoder(object_pairs_hook=JsonMembers, parse_constant=_refuse_constant)

    async def read_body(self, receive: Receive, content_length: bytes | None) -> bytes:
        """The body, read chunk by chunk and abandoned as soon as it passes the cap."""
        cap = self.max_body_bytes
        if content_length is not None and (not content_length.isdigit() or int(content_length) > cap):
            raise InvalidRequest("the body is too large or its length is invalid")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientDisconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise InvalidRequest("the body is too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def decoder(self, content_type: bytes | None) -> Callable[[str], dict[str, Any]]:
        """The parser for a Content-Type, parameters such as ``charset`` allowed."""
        if not content_type:
            raise InvalidRequest("Content-Type is required")
        plain = _PLAIN_MEDIA.get(content_type)
        if plain is not None:
            decode = self.decoders.get(plain)
            if decode is None:
                raise InvalidRequest("unsupported Content-Type")
            return decode
        media, *parameters = content_type.decode("latin-1").split(";")
        decode = self.decoders.get(media.strip().lower())
        if decode is None:
            raise InvalidRequest("unsupported Content-Type")
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in TEXT_CHARSETS:
                raise InvalidRequest("unsupported charset")
        return decode

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        decode = self.decoder(content_type)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest("the body is not valid UTF-8") from None
        return decode(text)

    def parse_json(self, text: str) -> dict[str, Any]:
        text = text.strip(_JSON_WHITESPACE)  # all JSON allows around a value
        try:
            document, end = self.json.raw_decode(text)
        except (ValueError, RecursionError):
            raise InvalidRequest("the body is not valid JSON") from None
        if end != len(text):
            raise InvalidRequest("the body is not valid JSON")  # something after the value
        if not isinstance(document, JsonMembers):
            raise InvalidRequest("the body must be a JSON object")
        return self.collect(document)

    def parse_form(self, text: str) -> dict[str, Any]:
        pairs = []
        for field in text.split("&"):
            if not field:
                continue
            name, _, value = field.partition("=")
            if "%" not in field and "+" not in field:  # nothing to decode: unquote_plus is the identity
                pairs.append((name, value))
                continue
            try:
                pairs.append((unquote_plus(name, errors="strict"), unquote_plus(value, errors="strict")))
            except UnicodeDecodeError:
                raise InvalidRequest("the form is not valid UTF-8") from None
        return self.collect(pairs)

    def collect(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        """Known parameters only; a second occurrence is refused, an empty value dropped. Both media
        types end here, so a variant of the mock overrides this one method for both."""
        known = self.known
        kept = [pair for pair in pairs if pair[0] in known]
        params = dict(kept)
        if len(params) != len(kept):
            raise InvalidRequest("a parameter was sent more than once")
        if "" in params.values():
            return {name: value for name, value in params.items() if value != ""}
        return params
