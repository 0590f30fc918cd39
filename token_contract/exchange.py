"""One request and its answer, as the suite shows them: a curl line to replay, then the response.

Every rendering goes through the redactor, so a failure message is safe to paste into a ticket.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from token_contract.redaction import REDACTOR, Redactor

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

    def describe(self, redactor: Redactor = REDACTOR) -> str:
        """curl line, then status, headers and (shortened) body, all redacted."""
        content_type = self.header("content-type") or ""
        body = redactor.body(self.body, content_type)
        if len(body) > _SHOW_BODY:
            body = f"{body[:_SHOW_BODY]}... ({len(self.body)} bytes)"
        lines = [
            "request:",
            f"  {as_curl(self.request, redactor)}",
            f"response: {self.status} (after {self.elapsed * 1000:.0f} ms)",
            *(f"  {k}: {v}" for k, v in redactor.headers(self.headers)),
            f"  {body}" if body else "  (empty body)",
        ]
        return "\n".join(lines)


def _shorten(text: str) -> str:
    if len(text) <= _SHOW_VALUE * 2:
        return text
    return f"{text[:_SHOW_VALUE]}<...{len(text) - _SHOW_VALUE * 2} more characters...>{text[-_SHOW_VALUE:]}"


def as_curl(request: SentRequest, redactor: Redactor = REDACTOR) -> str:
    """A curl command that replays ``request``; secrets masked, very long values shortened."""
    parts = ["curl", "-sS", "-i", "-X", request.method, shlex.quote(request.url)]
    for name, value in redactor.headers(request.headers):
        if name.lower() in {
            "content-length",
            "host",
            "accept-encoding",
            "connection",
            "user-agent",
            "accept",
        }:
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body:
        text = redactor.body(request.body, request.header("content-type") or "")
        if "\\x" in text or "\x00" in text:
            # Not printable as-is: hand curl the exact bytes (bash process substitution).
            raw = redactor.text(request.body.decode("latin-1")).encode("latin-1", "replace")
            parts += ["--data-binary", f"@<(printf {shlex.quote(_printf_escape(raw))})"]
        else:
            parts += ["--data-raw", shlex.quote(_shorten(text))]
    return " ".join(parts)


def _printf_escape(raw: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in "\\'%" else f"\\{b:03o}" for b in raw)
