"""One request and its answer, as the suite shows them: a line to replay, then the response.

Every rendering goes through the redactor, so a failure message is safe to paste into a ticket. The
replay line (:func:`as_curl`) sends the very bytes the suite sent: secrets come from environment
variables the line names, and a token the target issued during the run is obtained afresh by replaying
the request that obtained it (:data:`ISSUED` remembers which), since the one the run used is expired,
spent, or must not be printed.
"""

from __future__ import annotations

import base64
import binascii
import json
import shlex
import textwrap
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain, count
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from oauth2_token_contract.spec.redaction import MASK, REDACTOR, Redactor
from oauth2_token_contract.suite.shell import Finder, Found, Piece, Ref, compress, printable, printf, word

__all__ = ["DERIVED", "ISSUED", "DerivedValues", "Exchange", "IssuedTokens", "SentRequest", "as_curl"]

# Long values (a 4097-character token) are shortened in the human-readable part of a report.
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
    answered_at: float = field(default_factory=time.time)  # wall clock, for properties over time
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
        """Replay line, then status, headers and (shortened) body, all redacted.

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
                f"  > {self.request.method} {redactor.url(self.request.url)}",
                *(f"  > {k}: {v}" for k, v in redactor.headers(self.request.headers)),
                f"  > {_shorten(sent_body)}" if sent_body else "  > (empty body)",
            ]
        lines = [
            "request:",
            *sent,
            textwrap.indent(as_curl(self.request, redactor), "  "),
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


class IssuedTokens:
    """Every token the target issued this run, with the request that obtained it and the answer's field.

    Thread-safe; the first answer to carry a token is the one remembered (a server that hands the same
    refresh token back on refresh would otherwise make the token its own prerequisite).
    """

    FIELDS = ("access_token", "refresh_token", "id_token")

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[SentRequest, str]] = {}
        self._lock = threading.Lock()

    def learn(self, request: SentRequest, body: Any) -> None:
        """Remember the tokens of a parsed JSON answer to ``request``."""
        if not isinstance(body, Mapping):
            return
        with self._lock:
            for name in self.FIELDS:
                value = body.get(name)
                if isinstance(value, str) and value:
                    self._tokens.setdefault(value, (request, name))

    def get(self, token: str) -> tuple[SentRequest, str] | None:
        with self._lock:
            return self._tokens.get(token)

    def tokens(self) -> list[str]:
        with self._lock:
            return list(self._tokens)


ISSUED = IssuedTokens()


class DerivedValues:
    """Values the suite made from a secret or an issued token (a near miss: another letter case, a
    space after it), each with the Python expression of ``v``, the value it came from, that makes it.

    A replay line computes such a value from the secret's variable, or from the token it obtains
    afresh, instead of spelling it out. Thread-safe; the first derivation of a value is the one kept.
    """

    def __init__(self) -> None:
        self._derived: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def learn(self, value: str, base: str, expression: str) -> None:
        with self._lock:
            self._derived.setdefault(value, (base, expression))

    def get(self, value: str) -> tuple[str, str] | None:
        with self._lock:
            return self._derived.get(value)

    def values(self) -> list[str]:
        with self._lock:
            return list(self._derived)


DERIVED = DerivedValues()

_NOT_REPLAYED = frozenset({"content-length", "host", "accept-encoding", "connection", "user-agent", "accept"})
# Older curl asks for 100-continue above this many bytes; the suite never does.
_EXPECT_ABOVE = 1024
MASKED_NOTE = "# secret masked: set it by hand"


def as_curl(
    request: SentRequest,
    redactor: Redactor = REDACTOR,
    *,
    issued: IssuedTokens = ISSUED,
    derived: DerivedValues = DERIVED,
) -> str:
    """Bash text that sends ``request`` again, byte for byte, without spelling out a secret or token.

    Secrets the redactor maps to a variable (``$TOKEN_API_CLIENT_SECRET``) are read from it; issued
    tokens are obtained again first, one ``VAR=$(...)`` line each; any other known secret is masked
    and the line says so. A value derived from one of them (:data:`DERIVED`) is computed from it.
    """
    replay = _Replay(redactor, issued, derived)
    line = replay.curl(request, show=True)
    return "\n".join([*replay.setup, f"{line}  {MASKED_NOTE}" if replay.masked else line])


_JSON_FIELD = 'import json,sys; print(json.load(sys.stdin)["{field}"], end="")'
_ENCODE = {
    "form": 'import sys,urllib.parse as u; print(u.quote_plus(sys.argv[1]), end="")',
    "json": 'import json,sys; print(json.dumps(sys.argv[1])[1:-1], end="")',
}
# Authorization: Basic from id and secret, each form-url-encoded ("+") or every byte %XX-encoded ("%").
_BASIC = (
    "import base64,os,sys; from urllib.parse import quote_plus as q; "
    'e=lambda m,v: q(os.fsencode(v)) if m=="+" else "".join("%%%02X" % c for c in os.fsencode(v)); '
    'print(base64.b64encode((e(*sys.argv[1:3])+":"+e(*sys.argv[3:5])).encode()).decode())'
)
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
# A derived value, computed from its variable and encoded as it was found (``v`` is the value).
_DERIVE = 'import json,sys,urllib.parse as u; v=sys.argv[1]; v={expression}; print({encoded}, end="")'
_DERIVED_ENCODING = {"raw": "v", "form": "u.quote_plus(v)", "json": "json.dumps(v)[1:-1]"}


class _Replay:
    """The text of one replay: setup lines for issued tokens, then a curl line, and whether it masks."""

    def __init__(self, redactor: Redactor, issued: IssuedTokens, derived: DerivedValues) -> None:
        self.redactor = redactor
        self.issued = issued
        self.derived = derived
        self.setup: list[str] = []
        self.masked = False
        self._names: dict[str, str] = dict(redactor.shell)  # value -> variable
        self._pending: set[str] = set()
        known = dict.fromkeys(redactor.known(), False)
        known.update(dict.fromkeys(issued.tokens(), True))
        known.update(dict.fromkeys(redactor.shell, True))
        known.update(dict.fromkeys(derived.values(), True))
        self._known = known  # value -> whether the shell can name it
        self._finder = Finder(known)

    def curl(self, request: SentRequest, *, show: bool) -> str:
        args = [
            "curl",
            "-sS",
            *(["-i"] if show else []),
            "-X",
            shlex.quote(request.method),
            self._url(request.url),
        ]
        for name, value in request.headers:
            if name.lower() not in _NOT_REPLAYED:
                args += self._header(name, value)
        if not request.body:
            return " ".join(args)
        if request.header("content-type") is None:
            args += ["-H", "'Content-Type:'"]  # else curl adds a form content type of its own
        if len(request.body) > _EXPECT_ABOVE:
            args += ["-H", "'Expect:'"]
        pieces = compress(self.pieces(request.body))
        if printable(pieces):
            return " ".join([*args, "--data-raw", word(pieces)])
        return f"{printf(pieces)} | {' '.join(args)} --data-binary @-"

    def _url(self, url: str) -> str:
        """The URL as one word; a secret in its query (sent there to prove a server refuses it) named
        by its variable or masked, as in a body."""
        raw = _bytes(url)
        pieces = self.pieces(raw)
        return shlex.quote(url) if pieces == [raw] else word(compress(pieces))

    def pieces(self, raw: bytes) -> list[Piece]:
        """``raw`` with each known value replaced by its variable, or masked."""
        out: list[Piece] = []
        start = 0
        for found in self._finder.find(raw):
            out += [raw[start : found.start], *self._replace(found, raw)]
            start = found.end
        out.append(raw[start:])
        return [p for p in out if p]

    def _replace(self, found: Found, raw: bytes) -> list[Piece]:
        derivation = self.derived.get(found.value)
        if derivation is not None:
            return self._derive(found, *derivation)
        name = self._variable(found.value)
        if name is None:
            self.masked = True
            return [MASK.encode()]
        if found.encoding != "raw":
            return [Ref(f'"$(python3 -c {shlex.quote(_ENCODE[found.encoding])} "${name}")"')]
        at = found.altered
        if at is None:
            return [Ref(f'"${name}"')]
        # The one changed character stays literal, between the untouched parts of the variable.
        head = [Ref(f'"${{{name}:0:{at}}}"')] if at else []
        tail = [Ref(f'"${{{name}:{at + 1}}}"')] if at + 1 < len(found.value) else []
        return [*head, raw[found.start + at : found.start + at + 1], *tail]

    def _derive(self, found: Found, base: str, expression: str) -> list[Piece]:
        """A derived value computed from the variable of the value it came from, or masked when that has
        none (or when a shell word cannot carry it: a NUL, a newline at its end, as sent)."""
        name = self._variable(base)
        unsayable = found.encoding == "raw" and ("\x00" in found.value or found.value.endswith("\n"))
        if name is None or found.altered is not None or unsayable:
            self.masked = True
            return [MASK.encode()]
        code = _DERIVE.format(expression=expression, encoded=_DERIVED_ENCODING[found.encoding])
        return [Ref(f'"$(python3 -c {shlex.quote(code)} "${name}")"')]

    def _header(self, name: str, value: str) -> list[str]:
        scheme, _, rest = value.partition(" ")
        token = rest.lstrip(" ")
        if name.lower() == "authorization" and scheme.lower() == "basic" and rest:
            # The scheme and the spaces as sent ("basic", two spaces): what a replay must send again.
            basic = self._basic(name, value[: len(value) - len(token)], token)
            if basic is not None:
                return basic
        pieces = self.pieces(value.encode("utf-8", "surrogateescape"))
        return ["-H", word(compress([f"{name}: ".encode(), *pieces]))]

    def _basic(self, name: str, prefix: str, token: str) -> list[str] | None:
        """``-u``, or the header computed in the shell, for Basic credentials holding a known value;
        ``prefix`` is the scheme and the spaces after it, as sent.

        None when they hold none: the header is then replayed as sent.
        """
        try:
            text = base64.b64decode(token, validate=True).decode("utf-8", "surrogateescape")
        except (binascii.Error, ValueError):
            return None
        sent = text.split(":", 1)
        parts = [unquote_plus(p, errors="surrogateescape") for p in sent]
        found = [f for p in {*sent, *parts} for f in self._finder.find(_bytes(p))]
        if not found:
            return None
        modes = [_mode(p, s) for p, s in zip(parts, sent, strict=True)]
        if len(sent) != 2 or None in modes or not all(self._known[f.value] for f in found):
            self.masked = True
            return ["-H", shlex.quote(f"{name}: {prefix}{MASK}")]
        id_pieces, secret_pieces = (self.pieces(_bytes(p)) for p in parts)
        canonical = name == "Authorization" and prefix == "Basic "  # as curl -u writes it
        if canonical and modes == ["+", "+"] and all(_FORM_SAFE.issuperset(_bytes(p)) for p in parts):
            return ["-u", word([*id_pieces, b":", *secret_pieces])]
        args = " ".join([str(modes[0]), word(id_pieces), str(modes[1]), word(secret_pieces)])
        return ["-H", f'"{name}: {prefix}$(python3 -c {shlex.quote(_BASIC)} {args})"']

    def _variable(self, value: str) -> str | None:
        """The variable naming ``value``; an issued token's is set by a setup line, written on first use."""
        if value in self._names:
            return self._names[value]
        origin = self.issued.get(value) if self._known.get(value) else None
        if origin is None or value in self._pending:
            return None
        request, answer_field = origin
        self._pending.add(value)
        obtain = self.curl(request, show=False)
        self._pending.discard(value)
        name = self._fresh(f"TOKEN_API_{answer_field.upper()}")
        extract = shlex.quote(_JSON_FIELD.format(field=answer_field))
        self.setup.append(f"{name}=$({obtain} | python3 -c {extract})")
        self._names[value] = name
        return name

    def _fresh(self, base: str) -> str:
        taken = set(self._names.values())
        return next(n for n in chain([base], (f"{base}_{i}" for i in count(2))) if n not in taken)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _mode(value: str, sent: str) -> str | None:
    """How ``sent`` encodes ``value`` in Basic: form-url-encoded (``+``), every byte ``%XX`` (``%``)."""
    if quote_plus(_bytes(value)) == sent:
        return "+"
    return "%" if "".join(f"%{b:02X}" for b in _bytes(value)) == sent else None
