"""The refresh tokens this mock issued: to whom, for which scope, until when.

Bounded: when full, expired entries at the old end go first, then the oldest. Every operation is
O(1) (amortised), so the store never scans itself on a request.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from mocks.settings import MockSettings

__all__ = ["RefreshRecord", "RefreshTokenStore"]

_PURGE_PER_ADD = 2


class RefreshRecord(NamedTuple):
    """Whom a refresh token was issued to, for which scope, until when."""

    client_id: str
    scope: frozenset[str]
    expires_at: float


class RefreshTokenStore:
    """Refresh token -> record, oldest first."""

    def __init__(self, settings: MockSettings) -> None:
        self.max_entries = settings.max_refresh_tokens
        self._records: OrderedDict[str, RefreshRecord] = OrderedDict()

    def __len__(self) -> int:
        return len(self._records)

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        records = self._records
        for _ in range(_PURGE_PER_ADD):
            if not records:
                break
            oldest = next(iter(records.values()))
            if oldest.expires_at > now:
                break
            records.popitem(last=False)
        while len(records) >= self.max_entries:
            records.popitem(last=False)
        records[token] = record

    def get(self, token: str, now: float) -> RefreshRecord | None:
        """The live record for a token; an expired one is dropped on sight."""
        record = self._records.get(token)
        if record is not None and record.expires_at <= now:
            del self._records[token]
            return None
        return record

    def consume(self, token: str) -> RefreshRecord | None:
        """Removes a token (refresh tokens are single use); None when it was already gone."""
        return self._records.pop(token, None)

    def clear(self) -> None:
        self._records.clear()
