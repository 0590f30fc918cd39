"""Keeps secrets out of every line the project writes: the suite's reports, the mock's journal, Prism's log.

Two nets: by name (fields and headers that always hold secrets) and by value (a client secret and
every token issued, wherever they turn up, even echoed inside an error description). One mask,
:data:`MASK`, everywhere. The suite sends everything it prints, reports or raises through
:data:`REDACTOR`; the mock's journal keeps a :class:`Redactor` of its own, taught its clients' secrets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["MASK", "REDACTOR", "SECRET_FIELDS", "SECRET_HEADERS", "Redactor"]

MASK = "[REDACTED]"
SECRET_FIELDS = frozenset({"client_secret", "access_token", "refresh_token", "id_token", "password"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_FIELD_NAMES = "|".join(sorted(SECRET_FIELDS))
# Values shorter than this are not hunted by value: they would mask ordinary words.
_MIN_SECRET = 6
# A secret-named JSON member with a non-empty string value (an empty value is not a secret).
_JSON_SECRET = re.compile(r'("(?:' + _FIELD_NAMES + r')"\s*:\s*)"(?:[^"\\]|\\.)+"')
# In free text (a log line): ``client_secret=...``, ``'refresh_token': '...'``, ``Basic <credentials>``.
_LOOSE_SECRETS = (
    re.compile(
        r"""(?P<key>["']?\b(?:""" + _FIELD_NAMES + r""")["']?\s*[:=]\s*["']?)(?P<value>[^"'&\s,}]+)""", re.I
    ),
    re.compile(r"(?P<key>\b(?:Basic|Bearer)\s+)(?P<value>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE),
)


class Redactor:
    """Masks known secret values and secret-bearing fields; thread-safe, shared by the whole run."""

    def __init__(self) -> None:
        # Indexed by their first characters: a run issues thousands of tokens, and one regex
        # alternation over all of them grows too slow to compile on every failure report.
        self._by_prefix: dict[str, list[str]] = {}
        # Secrets a curl line may name by environment variable instead of masking (value -> variable).
        self.shell: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        """Remember values to mask from now on (a secret, a token)."""
        with self._lock:
            for value in values:
                if not isinstance(value, str) or len(value) < _MIN_SECRET:
                    continue
                bucket = self._by_prefix.setdefault(value[:_MIN_SECRET], [])
                if value not in bucket:
                    bucket.append(value)
                    # Longest first, so a token that contains another is masked whole.
                    bucket.sort(key=len, reverse=True)

    def add_shell(self, value: str, variable: str) -> None:
        """A secret to mask everywhere, but to write as ``$variable`` in a curl line, so it pastes."""
        self.add(value)
        if len(value) >= _MIN_SECRET:
            self.shell[value] = variable

    def known(self) -> list[str]:
        """Every value masked by value (for a replay line, which names some of them instead)."""
        with self._lock:
            return [value for bucket in self._by_prefix.values() for value in bucket]

    def learn_from_body(self, body: Any) -> None:
        """Remember every secret-named field of a parsed JSON answer (tokens the target issued)."""
        if isinstance(body, Mapping):
            self.add(*(str(body[k]) for k in SECRET_FIELDS if isinstance(body.get(k), str)))

    def text(self, text: str) -> str:
        """Mask every known secret value in free text: one pass, a dictionary look-up per position."""
        if not self._by_prefix or len(text) < _MIN_SECRET:
            return text
        out: list[str] = []
        start = i = 0
        end = len(text) - _MIN_SECRET + 1
        while i < end:
            bucket = self._by_prefix.get(text[i : i + _MIN_SECRET])
            found = next((v for v in bucket if text.startswith(v, i)), None) if bucket else None
            if found is None:
                i += 1
                continue
            out += [text[start:i], MASK]
            i = start = i + len(found)
        out.append(text[start:])
        return "".join(out)

    def document(self, value: Any) -> Any:
        """A parsed JSON document (or parameters) with secret-named fields and known secrets masked."""
        if isinstance(value, Mapping):
            return {
                key: MASK if key in SECRET_FIELDS and item not in (None, "") else self.document(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.document(item) for item in value]
        return self.text(value) if isinstance(value, str) else value

    def free_text(self, text: str) -> str:
        """A log line or any text of unknown shape: secret-named values, credentials, known secrets."""
        for pattern in _LOOSE_SECRETS:
            text = pattern.sub(lambda match: match["key"] + MASK, text)
        return self.text(text)

    def header(self, name: str, value: str) -> str:
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            return f"{scheme} {MASK}".strip()
        return self.text(value)

    def headers(self, items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self.header(name, value)) for name, value in items]

    def url(self, url: str) -> str:
        """A URL with the secret parameters of its query masked, as in a form body."""
        base, mark, query = url.partition("?")
        return self.text(base) + mark + self.body(query.encode(), "application/x-www-form-urlencoded")

    def body(self, raw: bytes, content_type: str = "") -> str:
        """A request or response body as text, secret fields masked whatever the encoding."""
        text = raw.decode("utf-8", "backslashreplace")
        if "json" in content_type or text[:1] in "{[":
            # Textual, so duplicate keys and broken JSON are shown exactly as sent.
            return self.text(_JSON_SECRET.sub(_mask_member, text))
        if "x-www-form-urlencoded" in content_type:
            return self.text("&".join(_mask_pair(pair) for pair in text.split("&")))
        return self.text(text)


REDACTOR = Redactor()


def _mask_member(match: re.Match[str]) -> str:
    return f'{match.group(1)}"{MASK}"'


def _mask_pair(pair: str) -> str:
    """One ``name=value`` of a form, its value masked when the name is a secret's: text as sent."""
    name, _, value = pair.partition("=")
    return f"{name}={MASK}" if value and unquote_plus(name) in SECRET_FIELDS else pair
