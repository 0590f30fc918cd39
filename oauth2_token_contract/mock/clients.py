"""The clients the mock serves: one registry every component reads, so a client created at run time
(``POST /__mock/clients``) is known to all of them at once.

:func:`oauth2_token_contract.mock.components.build_components` puts a fresh registry, filled from the
configuration, in place of ``settings.clients``; components read it as the mapping it always was (the
authenticator looks clients up in it), and those that derive something per client (the limiter's budgets, the
journal's masked secrets, the store's refresh tokens) :meth:`~ClientRegistry.watch` it. At most
``MAX_ADDED_CLIENTS`` clients are added at run time; :meth:`~ClientRegistry.restore` returns to the
configured set (``POST /__mock/reset``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from oauth2_token_contract.mock.settings import ClientConfig

__all__ = ["MAX_ADDED_CLIENTS", "ClientRegistry", "RegistryError", "Watcher"]

MAX_ADDED_CLIENTS = 1000

# Told of every change: (client_id, the client) when one arrives, (client_id, None) when one leaves.
Watcher = Callable[[str, "ClientConfig | None"], None]


class RegistryError(ValueError):
    """A client that cannot be added (its id is taken, or the registry is full) or removed (unknown)."""


class ClientRegistry(Mapping[str, ClientConfig]):
    """Client id -> client, changed only through :meth:`add`, :meth:`remove` and :meth:`restore`."""

    def __init__(self, clients: Mapping[str, ClientConfig], max_added: int = MAX_ADDED_CLIENTS) -> None:
        self._configured = dict(clients)
        self._clients = dict(clients)
        self._added: set[str] = set()
        self._watchers: list[Watcher] = []
        self.max_added = max_added

    def __getitem__(self, client_id: str) -> ClientConfig:
        return self._clients[client_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._clients

    def get(self, client_id: str, default: ClientConfig | None = None) -> ClientConfig | None:  # type: ignore[override]
        return self._clients.get(client_id, default)  # the request path's look-up: no Mapping detour

    def watch(self, watcher: Watcher) -> None:
        self._watchers.append(watcher)

    def is_added(self, client_id: str) -> bool:
        """Whether the client was created at run time (not read from the configuration)."""
        return client_id in self._added

    def add(self, client: ClientConfig) -> None:
        if client.client_id in self._clients:
            raise RegistryError("a client with this client_id exists")
        if len(self._added) >= self.max_added:
            raise RegistryError(f"at most {self.max_added} clients may be created at run time")
        self._added.add(client.client_id)
        self._set(client.client_id, client)

    def remove(self, client_id: str) -> ClientConfig:
        client = self._clients.get(client_id)
        if client is None:
            raise RegistryError("no such client")
        self._added.discard(client_id)
        self._set(client_id, None)
        return client

    def restore(self) -> None:
        """Back to the configured clients: the added ones leave, the removed ones return."""
        changed = [cid for cid, client in self._clients.items() if client is not self._configured.get(cid)]
        for client_id in changed:
            self._set(client_id, None)
        for client_id, client in self._configured.items():
            if client_id not in self._clients:
                self._set(client_id, client)
        self._added.clear()

    def _set(self, client_id: str, client: ClientConfig | None) -> None:
        if client is None:
            del self._clients[client_id]
        else:
            self._clients[client_id] = client
        for watcher in self._watchers:
            watcher(client_id, client)
