"""One request and its answer, as the suite shows them: a curl line to replay, then the response.

Every rendering goes through the redactor, so a failure message is safe to paste into a ticket.
"""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from token_spec.redaction import REDACTOR, SHELL, Redactor

__all__ = ["Exchange", "SentRequest", "as_curl"]

# Long values (a 4097-character token) are shortened in reports; the curl line says so.
_SHOW_BODY = 1500
_SHOW_VALUE = 120


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


@dataclass
class Exchange:
    """A request the suite sent and the answer it got."""

    request: SentRequest
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    elapsed: float = 0.0
    notes: tuple[str, ...] = ()  # what else happened on the way (a request sent twice)
    _json: Any = field(default=None, init=False, repr=False)
    _parsed: bool = field(default=False, init=False, repr=False)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.body)
            except ValueError:
                self._json = None
        return self._json

    @property
    def error(self) -> str | None:
        data = self.json()
        return data.get("error") if isinstance(data, dict) else None

    def describe(self, redactor: Redactor = REDACTOR, *, full: bool = False) -> str:
        """curl line, then status, headers and (shortened) body, all redacted.

        ``full`` also lists the request's headers and body as sent, for the replay tool.
        """
        content_type = self.header("content-type") or ""
        body = redactor.body(self.body, content_type)
        if len(body) > _SHOW_BODY:
            body = f"{body[:_SHOW_BODY]}... ({len(self.body)} bytes)"
        sent: list[str] = []
        if full:
            sent_body = redactor.body(self.request.body, self.request.header("content-type") or "")
            sent = [
                f"  > {self.request.method} {self.request.url}",
                *(f"  > {k}: {v}" for k, v in redactor.headers(self.request.headers)),
                f"  > {_shorten(sent_body)}" if sent_body else "  > (empty body)",
            ]
        lines = [
            "request:",
            *sent,
            f"  {as_curl(self.request, redactor)}",
            *(f"  ({note})" for note in self.notes),
            f"response: {self.status} (after {self.elapsed * 1000:.0f} ms)",
            *(f"  {k}: {v}" for k, v in redactor.headers(self.headers)),
            f"  {body}" if body else "  (empty body)",
        ]
        return "\n".join(lines)


def _shorten(text: str) -> str:
    if len(text) <= _SHOW_VALUE * 2:
        return text
    return f"{text[:_SHOW_VALUE]}<...{len(text) - _SHOW_VALUE * 2} more characters...>{text[-_SHOW_VALUE:]}"


_NOT_REPLAYED = frozenset({"content-length", "host", "accept-encoding", "connection", "user-agent", "accept"})


def _basic_as_user(value: str, redactor: Redactor) -> str | None:
    """``-u 'id:'"$VAR"`` for a Basic header carrying a secret the shell can name; else None."""
    if not value.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(value[6:], validate=True).decode().partition(":")
    except ValueError:
        return None
    variable = redactor.shell.get(secret)
    if variable is None or quote_plus(client_id) != client_id or quote_plus(secret) != secret:
        return None
    return f'-u {shlex.quote(redactor.text(client_id) + ":")}"${variable}"'


def _unshell(quoted: str, redactor: Redactor) -> str:
    """Turn the placeholders of shell-named secrets into ``'"$VAR"'`` splices of a quoted word."""
    for variable in set(redactor.shell.values()):
        quoted = quoted.replace(f"{SHELL}{variable}__", f"'\"${variable}\"'")
    return quoted


def as_curl(request: SentRequest, redactor: Redactor = REDACTOR) -> str:
    """A curl command that replays ``request``; secrets masked, very long values shortened.

    The target's client secret is written as ``$TOKEN_API_CLIENT_SECRET``, so the line pastes into a
    shell that has it exported; every other secret is masked.
    """
    parts = ["curl", "-sS", "-i", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers:
        if name.lower() in _NOT_REPLAYED:
            continue
        user = _basic_as_user(value, redactor) if name.lower() == "authorization" else None
        parts += [user] if user else ["-H", shlex.quote(f"{name}: {redactor.header(name, value)}")]
    if request.body:
        raw = request.body
        for secret, variable in redactor.shell.items():
            raw = raw.replace(secret.encode(), f"{SHELL}{variable}__".encode())
        text = redactor.body(raw, request.header("content-type") or "")
        if "\\x" in text or "\x00" in text:
            # Not printable as-is: hand curl the exact bytes (bash process substitution).
            masked = redactor.text(request.body.decode("latin-1")).encode("latin-1", "replace")
            parts += ["--data-binary", f"@<(printf {shlex.quote(_printf_escape(masked))})"]
        else:
            parts += ["--data-raw", _unshell(shlex.quote(_shorten(text)), redactor)]
    return " ".join(parts)


def _printf_escape(raw: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in "\\'%" else f"\\{b:03o}" for b in raw)
