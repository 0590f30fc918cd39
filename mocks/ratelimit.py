"""Per-client rate budgets, with the exact wait until the next request passes.

Built on ``limits``: ``MemoryStorage`` with the fixed-window strategy. A window opens on its first
hit and closes ``expiry`` seconds later, when the count restarts, so its reset time is exactly when a
refused client may pass again, and every step is O(1) (the moving window's memory store keeps a
list per key that grows with the budget). ``X-Retry-In`` is that wait in milliseconds, rounded up.

Keys: the claimed client id (from Basic or the body, before authentication), else the peer address.
Budget ``off`` (per client, or ``--rate-limit off`` for all) turns the check off.
"""

from __future__ import annotations

import math
import time
from typing import Any

from mocks.errors import RateLimited
from mocks.settings import OFF, ConfigError, MockSettings

__all__ = ["RateLimiter"]


class RateLimiter:
    """``check(key, client_id)`` passes or raises :class:`RateLimited`."""

    def __init__(self, settings: MockSettings) -> None:
        self.client_id_max_length = settings.contract.max_length("client_id") or 255
        budgets = {cid: settings.budget(client) for cid, client in settings.clients.items()}
        default = settings.budget(None)
        self.enabled = any(rate != OFF for rate in (default, *budgets.values()))
        self._limiter: Any = None
        self._items: dict[str, Any] = {}
        self._default: Any = None
        if self.enabled:
            from limits import parse  # noqa: PLC0415 - not paid for when limiting is off
            from limits.storage import MemoryStorage  # noqa: PLC0415
            from limits.strategies import FixedWindowRateLimiter  # noqa: PLC0415

            def item(rate: str) -> Any:
                if rate == OFF:
                    return None
                try:
                    return parse(rate)
                except ValueError as exc:
                    raise ConfigError(f"{rate!r} is not a rate like '100/second' or 'off'") from exc

            self._storage = MemoryStorage()
            self._limiter = FixedWindowRateLimiter(self._storage)
            self._items = {cid: item(rate) for cid, rate in budgets.items()}
            self._default = item(default)

    def key(self, client_id: str | None, peer: str | None) -> tuple[str, str | None]:
        """The limiter key and the client whose budget applies (None: the default budget)."""
        if client_id is not None:
            return "client:" + client_id[: self.client_id_max_length], client_id
        return "peer:" + (peer or "unknown"), None

    def check(self, key: str, client_id: str | None) -> None:
        if not self.enabled:
            return
        item = self._items.get(client_id, self._default) if client_id is not None else self._default
        if item is None or self._limiter.hit(item, key):
            return
        reset_at = self._limiter.get_window_stats(item, key).reset_time
        raise RateLimited(max(1, math.ceil((reset_at - time.time()) * 1000)))

    def reset(self) -> None:
        if self.enabled:
            self._storage.reset()
