"""The refresh tokens this mock issued: to whom, for which scope, until when, and of which grant.

Bounded: when full, expired entries at the old end go first, then the oldest. Every operation is
O(1) (amortised), so the store never scans itself on a request. A client deleted at run time takes
its refresh tokens with it (one scan, on that control's call, not on a request). The bounded map
itself (:class:`TokenRecords`) also keeps the access tokens (:mod:`oauth2_token_contract.mock.access`).

A refresh token belongs to a grant (``grant``, an id the first token of a client_credentials grant
gets and every rotation hands on): the access tokens issued along the way carry it too, so revoking
the refresh token (RFC 7009 2.1) ends them all (:meth:`RefreshTokenStore.revoke`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Generic, NamedTuple, Protocol, TypeVar

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings

__all__ = ["OTHER", "REVOKED", "UNKNOWN", "RefreshRecord", "RefreshTokenStore", "TokenRecords"]

_PURGE_PER_ADD = 2
# What a revocation found (RFC 7009 2.1, 2.2): the token was the client's and is gone now; no live
# token (unknown, expired, already revoked: still a success); another client's (refused).
REVOKED, UNKNOWN, OTHER = "revoked", "unknown", "other"


class RefreshRecord(NamedTuple):
    """Whom a refresh token was issued to, for which scope, until when, and of which grant."""

    client_id: str
    scope: frozenset[str]
    expires_at: float
    grant: str | None = None


class _Record(Protocol):
    @property
    def client_id(self) -> str: ...

    @property
    def expires_at(self) -> float: ...


R = TypeVar("R", bound=_Record)


class GrantEnder(Protocol):
    """What a refresh token's revocation asks of the access tokens (:mod:`.access`)."""

    def end_grant(self, grant: str, client_id: str, until: float, now: float) -> None: ...


class TokenRecords(Generic[R]):
    """Token -> record, with the tokens in the order they were issued.

    A dict holds the records; a deque holds ``(token, record)`` oldest first, for eviction. Used
    and expired tokens leave the dict at once and their deque entry goes stale: it is dropped when
    it reaches the old end, or when stale entries pile up behind a long-lived token (the deque is
    then rebuilt from the dict, O(n) once per ``max_entries`` adds: O(1) amortised). The store is on
    the path of every successful grant, where this is cheaper than one ``OrderedDict``.
    """

    def __init__(self, max_entries: int, clients: Mapping[str, ClientConfig] | None = None) -> None:
        self.max_entries = max_entries
        self._records: dict[str, R] = {}
        self._order: deque[tuple[str, R]] = deque()
        if isinstance(clients, ClientRegistry):
            clients.watch(self.client_changed)

    def __len__(self) -> int:
        return len(self._records)

    def add(self, token: str, record: R, now: float) -> None:
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

    def get(self, token: str, now: float) -> R | None:
        """The live record for a token; an expired one is dropped on sight."""
        record = self._records.get(token)
        if record is not None and record.expires_at <= now:
            del self._records[token]
            return None
        return record

    def consume(self, token: str) -> R | None:
        """Removes a token (refresh tokens are single use); None when it was already gone."""
        return self._records.pop(token, None)

    def forget_client(self, client_id: str) -> int:
        """Drops every token issued to the client; how many there were."""
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


class RefreshTokenStore(TokenRecords[RefreshRecord]):
    """The refresh tokens: :class:`TokenRecords` of at most ``store.max_refresh_tokens``."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings.max_refresh_tokens, settings.clients)

    def rotate(self, old: str, new: str, record: RefreshRecord, now: float) -> bool:
        """Consumes ``old`` and adds ``new`` in one step (a shared store does both atomically, so a
        rotation happens whole or not at all); False, and nothing added, when ``old`` was gone."""
        if self.consume(old) is None:  # through consume and add, so a variant's keying applies to both
            return False
        self.add(new, record, now)
        return True

    def revoke(
        self, token: str, client_id: str, now: float, access: GrantEnder, access_lifetime: float
    ) -> str:
        """RFC 7009 for a refresh token: :data:`REVOKED` (gone, and the access tokens of its grant
        with it: they end by the time ``access_lifetime`` seconds have passed), :data:`UNKNOWN` (no
        live token) or :data:`OTHER` (another client's: nothing changed). A shared store does it in
        one step."""
        record = self.get(token, now)
        if record is None:
            return UNKNOWN
        if record.client_id != client_id:
            return OTHER
        self.consume(token)
        if record.grant is not None:
            access.end_grant(record.grant, client_id, now + access_lifetime, now)
        return REVOKED
