"""The refresh tokens this mock issued: to whom, for which scope, until when.

Bounded: when full, expired entries at the old end go first, then the oldest. Every operation is
O(1) (amortised), so the store never scans itself on a request. A client deleted at run time takes
its refresh tokens with it (one scan, on that control's call, not on a request).
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings

__all__ = ["RefreshRecord", "RefreshTokenStore"]

_PURGE_PER_ADD = 2


class RefreshRecord(NamedTuple):
    """Whom a refresh token was issued to, for which scope, until when."""

    client_id: str
    scope: frozenset[str]
    expires_at: float


class RefreshTokenStore:
    """Refresh token -> record, with the tokens in the order they were issued.

    A dict holds the records; a deque holds ``(token, record)`` oldest first, for eviction. Used
    and expired tokens leave the dict at once and their deque entry goes stale: it is dropped when
    it reaches the old end, or when stale entries pile up behind a long-lived token (the deque is
    then rebuilt from the dict, O(n) once per ``max_entries`` adds: O(1) amortised). The store is on
    the path of every successful grant, where this is cheaper than one ``OrderedDict``.
    """

    def __init__(self, settings: MockSettings) -> None:
        self.max_entries = settings.max_refresh_tokens
        self._records: dict[str, RefreshRecord] = {}
        self._order: deque[tuple[str, RefreshRecord]] = deque()
        if isinstance(settings.clients, ClientRegistry):
            settings.clients.watch(self.client_changed)

    def __len__(self) -> int:
        return len(self._records)

    def add(self, token: str, record: RefreshRecord, now: float) -> None:
        records, order = self._records, self._order
        for _ in range(_PURGE_PER_ADD):  # the old end: a stale entry, or a record that expired
            if not order:
                break
            oldest, oldest_record = order[0]
            live = records.get(oldest) is oldest_record
            if live and oldest_record.expires_at > now:
                break
            order.popleft()
            if live:
                del records[oldest]
        while len(records) >= self.max_entries:  # full: the oldest live record goes
            oldest, oldest_record = order.popleft()
            if records.get(oldest) is oldest_record:
                del records[oldest]
        if len(order) >= 2 * self.max_entries:
            self._order = order = deque(records.items())
        records[token] = record
        order.append((token, record))

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

    def rotate(self, old: str, new: str, record: RefreshRecord, now: float) -> bool:
        """Consumes ``old`` and adds ``new`` in one step (a shared store does both atomically, so a
        rotation happens whole or not at all); False, and nothing added, when ``old`` was gone."""
        if self.consume(old) is None:  # through consume and add, so a variant's keying applies to both
            return False
        self.add(new, record, now)
        return True

    def forget_client(self, client_id: str) -> int:
        """Drops every refresh token issued to the client; how many there were."""
        doomed = [token for token, record in self._records.items() if record.client_id == client_id]
        for token in doomed:
            del self._records[token]  # their order entries go stale, dropped as usual
        return len(doomed)

    def client_changed(self, client_id: str, client: ClientConfig | None) -> None:
        if client is None:
            self.forget_client(client_id)

    def clear(self) -> None:
        self._records.clear()
        self._order.clear()
