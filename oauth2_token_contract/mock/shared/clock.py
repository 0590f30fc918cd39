"""The mock's clock over shared state: the offset lives in Redis, so moving time forward through one
process moves it for all. ``now()`` reads the offset this process last took in (every request and
control syncs it first), so it costs no round trip.
"""

from __future__ import annotations

from oauth2_token_contract.mock.clock import MAX_OFFSET_SECONDS, MockClock
from oauth2_token_contract.mock.shared.engine import Engine, guarded

__all__ = ["RedisClock"]

# KEYS: offset, version. ARGV: seconds, bound. The new offset, or false past the bound.
ADVANCE = """
local offset = tonumber(redis.call('GET', KEYS[1]) or '0') + tonumber(ARGV[1])
if offset > tonumber(ARGV[2]) then return false end
local text = string.format('%.17g', offset)
redis.call('SET', KEYS[1], text)
redis.call('INCR', KEYS[2])
return text
"""


class RedisClock(MockClock):
    """:class:`MockClock` whose offset every process shares."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.key = engine.key("clock")
        self._advance = engine.script(ADVANCE)

    @guarded
    def advance(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError("the clock only moves forward (DELETE /__mock/clock returns to real time)")
        offset = self._advance(keys=[self.key, self.engine.version], args=[repr(float(seconds)),
                                                                          MAX_OFFSET_SECONDS])  # fmt: skip
        if offset is None:
            raise ValueError(f"the clock may run at most {MAX_OFFSET_SECONDS} seconds ahead")
        self.offset = float(offset)

    @guarded
    def reset(self) -> None:
        with self.engine.client.pipeline() as pipe:
            pipe.delete(self.key)
            pipe.incr(self.engine.version)
            pipe.execute()
        self.offset = 0.0

    def apply(self, offset: str | None) -> None:
        """The offset as Redis holds it (none: real time)."""
        self.offset = float(offset) if offset else 0.0
