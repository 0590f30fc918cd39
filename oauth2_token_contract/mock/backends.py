"""Which state backend the settings name: memory (this process) or Redis (``--state redis://...``).

Kept apart from :mod:`oauth2_token_contract.mock.state` (the interface), which the Redis backend
builds on: the interface imports no backend, and redis-py is imported only when Redis is asked for.
"""

from __future__ import annotations

from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.state import MemoryState, StateBackend

__all__ = ["open_state"]


def open_state(settings: MockSettings) -> StateBackend:
    """The backend ``settings.state`` names, connected (ConfigError when Redis cannot be reached)."""
    if not settings.shared:
        return MemoryState()
    from oauth2_token_contract.mock.shared.state import RedisState  # noqa: PLC0415 - redis-py, only now

    return RedisState(settings)
