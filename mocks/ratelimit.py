"""Per-client rate budgets, with the exact wait until the next request passes.

Budgets are rate strings in the notation of the ``limits`` package (``20/second``, ``5 per 10
seconds``; :func:`mocks.settings.parse_rate`); the counting is :class:`mocks.windows.FixedWindows`
(why not ``limits`` itself: see there). A window opens on its first hit and closes its length later,
when the count restarts, so its close is exactly when a refused client may pass again, and every
step is O(1) (a moving window keeps a list per key that grows with the budget). ``X-Retry-In`` is
that wait in milliseconds, rounded up.

Keys: the claimed client id (from Basic or the body, before authentication), else the peer address.
Budget ``off`` (per client, or ``--rate-limit off`` for all) turns the check off.
"""

from __future__ import annotations

import math

from mocks.errors import RateLimited
from mocks.settings import OFF, MockSettings, parse_rate
from mocks.windows import FixedWindows

__all__ = ["RateLimiter"]


def _budget(rate: str) -> tuple[int, int] | None:
    return None if rate == OFF else parse_rate(rate)


class RateLimiter:
    """``check(key, client_id)`` passes or raises :class:`RateLimited`."""

    def __init__(self, settings: MockSettings) -> None:
        self.client_id_max_length = settings.contract.max_length("client_id") or 255
        budgets = {cid: settings.budget(client) for cid, client in settings.clients.items()}
        default = settings.budget(None)
        self.enabled = any(rate != OFF for rate in (default, *budgets.values()))
        self.windows = FixedWindows()
        # client id -> (hits allowed, window seconds); None: no limit
        self._budgets: dict[str, tuple[int, int] | None] = {}
        self._default: tuple[int, int] | None = None
        if self.enabled:
            self._budgets = {cid: _budget(rate) for cid, rate in budgets.items()}
            self._default = _budget(default)

    def key(self, client_id: str | None, peer: str | None) -> tuple[str, str | None]:
        """The limiter key and the client whose budget applies (None: the default budget)."""
        if client_id is not None:
            return "client:" + client_id[: self.client_id_max_length], client_id
        return "peer:" + (peer or "unknown"), None

    def check(self, key: str, client_id: str | None) -> None:
        if not self.enabled:
            return
        budget = self._budgets.get(client_id, self._default) if client_id is not None else self._default
        if budget is None:
            return
        amount, seconds = budget
        wait = self.windows.hit(key, amount, seconds)
        if wait is not None:
            raise RateLimited(max(1, math.ceil(wait * 1000)))

    def reset(self) -> None:
        self.windows.reset()
