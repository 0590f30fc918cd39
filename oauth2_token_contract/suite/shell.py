"""Shell text that rebuilds exact bytes: what a replay line is made of.

A value is a list of pieces: literal bytes, or a :class:`Ref` (a shell expression, such as a variable
or a repeated run) for bytes the line should not spell out. Pieces become one argv word when every
literal byte is printable, else a ``printf`` format and its arguments: argv cannot carry a NUL byte,
and ``printf`` is the one portable way to write any byte. Also here: finding known values (secrets,
tokens) inside bytes, as sent or encoded, whole or with one character altered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import quote_plus

__all__ = ["Finder", "Found", "Piece", "Ref", "compress", "printable", "printf", "repeat", "word"]

_PRINTABLE = frozenset(range(0x20, 0x7F))
# A printable unit of 1 to 32 bytes repeated at least 4 times: a run worth writing as a loop.
_RUN = re.compile(rb"([\x20-\x7e]{1,32}?)\1{3,}")
_MIN_RUN = 32
_MIN_SINGLE_RUN = 16
# Known values are indexed by their first and last bytes; shorter ones are not looked for.
_KEY = 6
# A value altered in one place is still recognised from this length on (shorter: chance matches).
_MIN_ALTERED = 16


@dataclass(frozen=True)
class Ref:
    """A shell expression, double-quoted, that expands to bytes at replay time."""

    expr: str


Piece = bytes | Ref


def printable(pieces: Iterable[Piece]) -> bool:
    """True when the pieces fit in one readable argv word (printable ASCII literals only)."""
    return all(isinstance(p, Ref) or _PRINTABLE.issuperset(p) for p in pieces)


def word(pieces: Iterable[Piece]) -> str:
    """One shell word: literals single-quoted (``$'\\ooo'`` for unprintable bytes), Refs spliced in."""
    out = [p.expr if isinstance(p, Ref) else _quote(p) for p in _merged(pieces)]
    return "".join(out) or "''"


def printf(pieces: Iterable[Piece]) -> str:
    """``printf 'FORMAT' ARG...`` writing the pieces' exact bytes to stdout."""
    pieces = _merged(pieces)
    fmt = "".join("%s" if isinstance(p, Ref) else _format(p) for p in pieces)
    return " ".join(["printf", _single(fmt), *(p.expr for p in pieces if isinstance(p, Ref))])


def repeat(unit: bytes, count: int) -> Ref:
    """``unit`` written ``count`` times, by a loop instead of in full."""
    return Ref(f'"$(printf {_single(_format(unit) + "%.0s")} $(seq 1 {count}))"')


def compress(pieces: Iterable[Piece]) -> list[Piece]:
    """The pieces with every long run of a repeated printable unit made a :func:`repeat`."""
    out: list[Piece] = []
    for piece in _merged(pieces):
        if isinstance(piece, Ref):
            out.append(piece)
            continue
        start = 0
        for unit, count, begin, end in _runs(piece):
            out += [piece[start:begin], repeat(unit, count)]
            start = end
        out.append(piece[start:])
    return [p for p in out if p]


def _merged(pieces: Iterable[Piece]) -> list[Piece]:
    """Adjacent literals joined, empty ones dropped."""
    out: list[Piece] = []
    for piece in pieces:
        last = out[-1] if out else None
        if isinstance(piece, bytes) and isinstance(last, bytes):
            out[-1] = last + piece
        elif piece:
            out.append(piece)
    return out


def _runs(raw: bytes) -> Iterator[tuple[bytes, int, int, int]]:
    pos = 0
    while match := _RUN.search(raw, pos):
        unit, run = match[1], match[0]
        count = len(run) // len(unit)
        if len(run) >= _MIN_RUN or (len(unit) == 1 and count >= _MIN_SINGLE_RUN):
            yield unit, count, match.start(), match.end()
            pos = match.end()
        else:
            pos = match.start() + 1


def _single(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _quote(raw: bytes) -> str:
    out = []
    for is_printable, chunk in groupby(raw, key=_PRINTABLE.__contains__):
        data = bytes(chunk)
        out.append(_single(data.decode("ascii")) if is_printable else "$'" + _octal(data) + "'")
    return "".join(out)


def _format(raw: bytes) -> str:
    """``raw`` as a printf format: ``%`` doubled, backslash and unprintable bytes octal-escaped."""
    text = "".join(
        "%%" if b == 0x25 else chr(b) if b in _PRINTABLE and b != 0x5C else f"\\{b:03o}" for b in raw
    )
    # A format starting with "-" would be read as an option.
    return "\\055" + text[1:] if text.startswith("-") else text


def _octal(raw: bytes) -> str:
    return "".join(f"\\{b:03o}" for b in raw)


# -- known values ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    """Where a known value occurs: as sent (``raw``), form-encoded (``form``) or JSON-escaped (``json``);
    ``altered`` is the index of the one character that differs, for a raw value with one change."""

    start: int
    end: int
    value: str
    encoding: str
    altered: int | None = None


class Finder:
    """Finds known values in bytes: indexed once by their first and last bytes, then one pass a text."""

    def __init__(self, values: Iterable[str]) -> None:
        self._prefixes: dict[bytes, list[tuple[bytes, str, str]]] = {}
        self._suffixes: dict[bytes, list[tuple[bytes, str, str]]] = {}
        for value in values:
            for encoded, encoding in _encodings(value):
                if len(encoded) < _KEY:
                    continue
                self._prefixes.setdefault(encoded[:_KEY], []).append((encoded, value, encoding))
                if _alterable(encoded, encoding, value):
                    self._suffixes.setdefault(encoded[-_KEY:], []).append((encoded, value, encoding))

    def find(self, text: bytes) -> list[Found]:
        """Non-overlapping occurrences in ``text``, in order; whole ones win, then the longest."""
        whole: list[Found] = []
        altered: list[Found] = []
        for i in range(len(text) - _KEY + 1):
            key = text[i : i + _KEY]
            for encoded, value, encoding in self._prefixes.get(key, ()):
                if text.startswith(encoded, i):
                    whole.append(Found(i, i + len(encoded), value, encoding))
                elif _alterable(encoded, encoding, value):
                    _one_off(text, i, encoded, value, altered)
            for encoded, value, _ in self._suffixes.get(key, ()):
                start = i + _KEY - len(encoded)
                if start >= 0 and not text.startswith(encoded, start):
                    _one_off(text, start, encoded, value, altered)
        chosen: list[Found] = []
        for found in sorted(whole, key=_longest_first) + sorted(set(altered), key=_longest_first):
            if all(found.end <= other.start or other.end <= found.start for other in chosen):
                chosen.append(found)
        return sorted(chosen, key=lambda f: f.start)


def _alterable(encoded: bytes, encoding: str, value: str) -> bool:
    return encoding == "raw" and len(encoded) >= _MIN_ALTERED and value.isascii()


def _one_off(text: bytes, start: int, encoded: bytes, value: str, into: list[Found]) -> None:
    """Record ``value`` at ``start`` when the window differs from it in exactly one byte."""
    window = text[start : start + len(encoded)]
    if len(window) != len(encoded):
        return
    diff = next((j for j, (a, b) in enumerate(zip(window, encoded, strict=True)) if a != b), None)
    if diff is not None and window[diff + 1 :] == encoded[diff + 1 :]:
        into.append(Found(start, start + len(encoded), value, "raw", diff))


def _longest_first(found: Found) -> tuple[int, int]:
    return (found.start - found.end, found.start)


def _encodings(value: str) -> list[tuple[bytes, str]]:
    raw = value.encode("utf-8", "surrogateescape")
    out = [(raw, "raw")]
    for encoded, encoding in ((quote_plus(raw), "form"), (json.dumps(value)[1:-1], "json")):
        if encoded != value:
            out.append((encoded.encode(), encoding))
    return out
