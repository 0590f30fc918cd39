"""Near misses: values a little like a real client secret, client id or refresh token, made alike the
way the layers under a server make them alike (RFC 6749 sections 2.3.1, 3.2.1, 5.2, 6, 10.4, 10.10).

Each transformation stands for one laxity a real server inherits from below:

    case_one, case_all   a case-insensitive collation compares the column
    trailing             MySQL's PAD SPACE compare (a space), or a trim (a tab, a newline, a NUL)
    leading              a trim of the value's start
    prefix               a column of N characters truncates (a prefix of 8 characters or more)
    fullwidth            Unicode NFKC normalisation folds a fullwidth character to ASCII
    appended             a compare of the stored length only (one character more)
    percent              a framework percent-decodes the parameter twice

A transformation that leaves a value as it is (no letter to change the case of, too short for a
prefix) gives nothing: the test skips it rather than send the real value.

A near miss of a secret or an issued token is a secret too: :func:`derive` teaches it to the redactor,
and tells the replay line how to make it from the real value (:data:`~oauth2_token_contract.suite.
exchange.DERIVED`), so a report never spells it out and its curl line still sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.exchange import DERIVED

__all__ = ["KINDS", "MIN_PREFIX", "NearMiss", "derive", "malformed"]

MIN_PREFIX = 8  # a prefix shorter than this is no near miss: a guess
_FULLWIDTH = 0xFEE0  # U+FF01..U+FF5E are the fullwidth forms of "!".."~"
_DESCRIBED = {
    "case_one": "one letter in the other case",
    "case_all": "every letter in the other case",
    "trailing": "{char} after it",
    "leading": "{char} before it",
    "prefix": "only its first {n} characters",
    "fullwidth": "one character fullwidth",
    "appended": "one character more",
    "percent": "percent-encoded once more",
}
KINDS = tuple(_DESCRIBED)
_NAMES = {" ": "a space", "\t": "a tab", "\n": "a newline", "\x00": "a NUL"}


def _letters(value: str) -> list[int]:
    return [i for i, c in enumerate(value) if c.isascii() and c.isalpha()]


@dataclass(frozen=True)
class NearMiss:
    """One transformation: ``at`` picks the character (modulo the candidates), ``char`` the one added."""

    kind: str
    at: int = 0
    char: str = " "

    def apply(self, value: str) -> tuple[str, str] | None:
        """The near miss of ``value`` and the Python expression of ``v`` (the value) that makes it;
        None when the transformation leaves ``value`` as it is."""
        made = self._made(value)
        return None if made is None or made[0] == value else made

    def _made(self, value: str) -> tuple[str, str] | None:  # noqa: PLR0911 - one return per kind
        if self.kind in ("case_one", "fullwidth"):
            if self.kind == "case_one":
                candidates = _letters(value)
            else:
                candidates = [i for i, c in enumerate(value) if "!" <= c <= "~"]
            if not candidates:
                return None
            i = candidates[self.at % len(candidates)]
            head, tail = value[:i], value[i + 1 :]
            if self.kind == "case_one":
                return head + value[i].swapcase() + tail, f"v[:{i}]+v[{i}].swapcase()+v[{i + 1}:]"
            wide = chr(ord(value[i]) + _FULLWIDTH)
            return head + wide + tail, f"v[:{i}]+chr(ord(v[{i}])+{_FULLWIDTH})+v[{i + 1}:]"
        if self.kind == "case_all":
            swapped = "".join(c.swapcase() if c.isascii() else c for c in value)
            return swapped, '"".join(c.swapcase() if c.isascii() else c for c in v)'
        if self.kind in ("trailing", "appended"):
            return value + self.char, f"v+{self.char!r}"
        if self.kind == "leading":
            return self.char + value, f"{self.char!r}+v"
        if self.kind == "prefix":
            if len(value) <= MIN_PREFIX:
                return None
            n = MIN_PREFIX + self.at % (len(value) - MIN_PREFIX)
            return value[:n], f"v[:{n}]"
        if self.kind == "percent":
            encoded = "".join(f"%{b:02X}" for b in value.encode("utf-8", "surrogateescape"))
            return encoded, '"".join("%%%02X" % b for b in v.encode())'
        raise ValueError(f"unknown near miss {self.kind!r}")

    def describe(self, value: str) -> str:
        """In words, for a failure's message: "every letter in the other case"."""
        n = 0
        if self.kind == "prefix" and len(value) > MIN_PREFIX:
            n = MIN_PREFIX + self.at % (len(value) - MIN_PREFIX)
        return _DESCRIBED[self.kind].format(char=_NAMES.get(self.char, repr(self.char)), n=n)


def derive(near: NearMiss, value: str, *, secret: bool) -> str | None:
    """``near`` applied to ``value``; a secret's near miss (``secret``: a client secret, an issued token)
    is masked in every report from now on, and its replay line computes it from the real value."""
    made = near.apply(value)
    if made is None:
        return None
    varied, expression = made
    if secret:
        REDACTOR.add(varied)
        DERIVED.learn(varied, value, expression)
    return varied


def malformed(value: str, parameter: str) -> bool:
    """Whether ``value`` is outside the grammar of ``parameter``: a character outside VSCHAR (RFC 6749
    Appendix A: client_id, client_secret and refresh-token are VSCHAR), or past the spec's pattern or
    maxLength. A server may call such a value malformed (invalid_request) before it looks it up."""
    if any(not " " <= c <= "~" for c in value):
        return True
    read = contract.load()
    limit = read.max_length(parameter)
    if limit is not None and len(value) > limit:
        return True
    pattern = read.pattern(parameter)
    try:
        return pattern is not None and re.search(pattern, value) is None
    except re.error:  # an ECMA-262 pattern Python cannot read: the grammar above decides
        return False
