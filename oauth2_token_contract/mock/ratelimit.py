"""Per-client rate budgets, with the exact wait until the next request passes.

Budgets are rate strings in the notation of the ``limits`` package (``20/second``, ``5 per 10
seconds``; :func:`oauth2_token_contract.mock.settings.parse_rate`); the counting is
:class:`oauth2_token_contract.mock.windows.FixedWindows` (why not ``limits`` itself: see there). A window
opens on its first hit and closes its length later, when the count restarts, so its close is exactly when a
refused client may pass again, and every step is O(1) (a moving window keeps a list per key that grows with
the budget). ``X-Retry-In`` is that wait in milliseconds, rounded up. Windows run on the mock's clock
(:mod:`oauth2_token_contract.mock.clock`), so moving it forward refills budgets.

Keys: the client whose credentials the request proves (its own budget), else the peer address (the
default budget). RFC 6749 and the contract say nothing on whom to count; counting the *claimed*
client id, before authentication, would let anyone who knows a client id spend that client's
budget, and with it refuse the real client. So a request that does not authenticate (unknown id,
wrong secret, malformed or missing credentials) spends its peer's budget, never a client's. A
burst of valid requests meets 429 as the contract asks; a burst of bad ones meets it too, per
peer. This is what an API gateway does in front of a token endpoint (Kong's ``limit_by: consumer``
falls back to the address).

Budget ``off`` (per client, or ``--rate-limit off`` for all) turns the check off. Clients created
at run time get their budget when they arrive, and a deleted client's window goes with it.
"""

from __future__ import annotations

import math

from oauth2_token_contract.mock.clients import ClientRegistry
from oauth2_token_contract.mock.clock import MockClock
from oauth2_token_contract.mock.errors import RateLimited
from oauth2_token_contract.mock.settings import OFF, ClientConfig, MockSettings, parse_rate
from oauth2_token_contract.mock.windows import FixedWindows

__all__ = ["RateLimiter"]


def _budget(rate: str) -> tuple[int, int] | None:
    return None if rate == OFF else parse_rate(rate)


def client_key(client_id: str) -> str:
    return "client:" + client_id


class RateLimiter:
    """``check(key, client_id)`` passes or raises :class:`RateLimited`."""

    def __init__(self, settings: MockSettings, *, clock: MockClock | None = None) -> None:
        self.settings = settings
        self.client_id_max_length = settings.contract.max_length("client_id") or 255
        self.windows = FixedWindows(clock=(clock or MockClock()).now)
        # client id -> (hits allowed, window seconds); None: no limit
        self._budgets = {cid: _budget(settings.budget(client)) for cid, client in settings.clients.items()}
        self._default = _budget(settings.budget(None))
        # A spec that documents no 429 has a server that never answers one.
        limits = self._default is not None or any(b is not None for b in self._budgets.values())
        self.enabled = settings.contract.rate_limited and limits
        if isinstance(settings.clients, ClientRegistry):
            settings.clients.watch(self.client_changed)

    def key(self, client_id: str | None, peer: str | None) -> tuple[str, str | None]:
        """The limiter key and the client whose budget applies (None: the default budget)."""
        if client_id is not None:
            return client_key(client_id[: self.client_id_max_length]), client_id
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

    def client_changed(self, client_id: str, client: ClientConfig | None) -> None:
        """A client arrived (its budget counts from now) or left (its budget and window go)."""
        self.windows.forget(client_key(client_id[: self.client_id_max_length]))
        if client is None:
            self._budgets.pop(client_id, None)
            return
        budget = self._budgets[client_id] = _budget(self.settings.budget(client))
        self.enabled = self.enabled or (budget is not None and self.settings.contract.rate_limited)

    def reset(self) -> None:
        self.windows.reset()
