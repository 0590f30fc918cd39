"""The 429's retry header: which one a spec names, in which unit, and how a wait is read and written.

OpenAPI can name a header but not its unit, so a custom header (``X-Retry-In``) says it in the
``x-retry-unit`` extension (``milliseconds`` or ``seconds``); ``Retry-After`` is RFC 9110's, in seconds
or an HTTP-date; a spec that names neither gets ``Retry-After``, assumed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from oauth2_token_contract.spec.reading import SpecError

__all__ = ["RETRY_UNIT", "UNITS", "RetryHeader", "retry_header"]

RETRY_UNIT = "x-retry-unit"  # on a 429 header: "milliseconds" or "seconds" (OpenAPI cannot say it)
UNITS = {"milliseconds": 1, "ms": 1, "seconds": 1000, "s": 1000}


@dataclass(frozen=True)
class RetryHeader:
    """The header a 429 names its wait in, and the unit of that wait."""

    name: str
    unit: str  # "milliseconds" or "seconds"
    pattern: str | None
    documented: bool
    required: bool

    @property
    def ms_per_unit(self) -> int:
        return UNITS[self.unit]

    def wait_ms(self, value: str, now: float | None = None) -> int | None:
        """The wait ``value`` says, in milliseconds; None when it says none this header may say.

        A count of the header's unit; for ``Retry-After`` also an HTTP-date (RFC 9110 10.2.3).
        """
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text[:15]) * self.ms_per_unit if len(text) <= 15 else None
        if self.name.lower() != "retry-after":
            return None
        try:
            when = parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        return max(0, math.ceil((when - (time.time() if now is None else now)) * 1000))

    def spell(self, wait_ms: int) -> str:
        """``wait_ms`` as this header writes it, rounded up so a client never comes back too soon."""
        return str(-(-wait_ms // self.ms_per_unit))


def retry_header(headers: Mapping[str, Mapping[str, Any]], path: Path) -> RetryHeader:
    """The retry header among a 429's documented ``headers``, else RFC 9110's, assumed."""
    for name, header in headers.items():
        unit = header.get(RETRY_UNIT) or (header.get("schema") or {}).get(RETRY_UNIT)
        if unit is None and name.lower() != "retry-after":
            continue
        unit = str(unit or "seconds").lower()
        if unit not in UNITS:
            raise SpecError(
                f"spec {path}: 429 header {name} has {RETRY_UNIT}: {unit}; use milliseconds or seconds"
            )
        canonical = "milliseconds" if UNITS[unit] == 1 else "seconds"
        pattern = (header.get("schema") or {}).get("pattern")
        return RetryHeader(name, canonical, pattern, True, bool(header.get("required")))
    return RetryHeader("Retry-After", "seconds", None, False, False)
