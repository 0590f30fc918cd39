"""The mock's time: real time plus an offset QA moves forward (``POST /__mock/clock``).

Everything that expires reads it: access tokens' ``iat``/``exp``, refresh-token lifetimes and the
rate limiter's windows, so a test sees a token expire, or a budget refill, without waiting. The
journal keeps real time: it tells when requests arrived. The offset only grows, by at most
``MAX_OFFSET_SECONDS`` in all (longer than any lifetime or window the configuration can set), and
:meth:`MockClock.reset` returns to real time.
"""

from __future__ import annotations

from time import time as _time

__all__ = ["MAX_OFFSET_SECONDS", "MockClock"]

MAX_OFFSET_SECONDS = 10 * 366 * 86400


class MockClock:
    """``now()`` is ``time.time()`` moved forward by ``offset`` seconds."""

    __slots__ = ("offset",)

    def __init__(self, settings: object = None) -> None:  # built like the other components
        self.offset = 0.0

    def now(self) -> float:
        return _time() + self.offset

    def advance(self, seconds: float) -> None:
        """Moves time forward; ValueError for a step back, or past the bound in all."""
        if not seconds >= 0:  # also refuses NaN
            raise ValueError("the clock only moves forward (DELETE /__mock/clock returns to real time)")
        if self.offset + seconds > MAX_OFFSET_SECONDS:
            raise ValueError(f"the clock may run at most {MAX_OFFSET_SECONDS} seconds ahead")
        self.offset += seconds

    def reset(self) -> None:
        self.offset = 0.0
