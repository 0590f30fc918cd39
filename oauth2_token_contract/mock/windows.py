"""Fixed-window counters for the rate limiter: O(1) per hit, bounded, swept as they close.

A window opens on a key's first hit and closes ``seconds`` later, when its count restarts, so the
time to its close is exactly when a refused client may pass again (``X-Retry-In``).

Why not the ``limits`` package: its memory storage runs a sweeping timer thread and takes a lock
per call, which the mock, serving from one event loop, does not need; here a hit is one dict lookup
and a compare (the figures are in BENCHMARKS.md).

Windows wait in one queue per window length, oldest first; when the earliest close time passes,
the next hit drops up to ``SWEEP_PER_HIT`` closed windows from each queue's front (every key is
swept once: O(1) amortised). At most ``max_keys`` windows are held; past that the oldest is
forgotten (its client starts afresh), which takes more distinct client ids inside one window than a
test ever sends.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

__all__ = ["MAX_KEYS", "SWEEP_PER_HIT", "FixedWindows"]

MAX_KEYS = 100_000
SWEEP_PER_HIT = 64

# a window: [hits so far, when it closes, its length in seconds]
Window = list[float]


class FixedWindows:
    """Per-key hit counts in fixed windows."""

    def __init__(self, max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.time) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._windows: dict[str, Window] = {}
        self._queues: dict[float, OrderedDict[str, Window]] = {}  # length -> key -> window, oldest first
        self._next_sweep = math.inf  # the earliest close among the queues' fronts

    def __len__(self) -> int:
        return len(self._windows)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._windows))

    def hit(self, key: str, amount: int, seconds: float) -> float | None:
        """Counts a hit on ``key``; None while its window holds at most ``amount`` hits, else the
        seconds until that window closes."""
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            window = self._open(key, seconds, now)
        else:
            window[0] += 1
        return None if window[0] <= amount else window[1] - now

    def hits(self, key: str) -> int:
        """Hits in the key's open window (0 when none is open)."""
        window = self._windows.get(key)
        return 0 if window is None or window[1] <= self.clock() else int(window[0])

    def forget(self, key: str) -> None:
        """Drops the key's window (a deleted client's): its next hit opens a fresh one."""
        window = self._windows.pop(key, None)
        if window is not None:
            del self._queues[window[2]][key]

    def reset(self) -> None:
        self._windows.clear()
        self._queues.clear()
        self._next_sweep = math.inf

    def _open(self, key: str, seconds: float, now: float) -> Window:
        old = self._windows.pop(key, None)
        if old is not None:
            del self._queues[old[2]][key]
        elif len(self._windows) >= self.max_keys:
            self._evict_oldest()
        window = [1, now + seconds, seconds]
        self._windows[key] = window
        queue = self._queues.get(seconds)
        if queue is None:
            queue = self._queues[seconds] = OrderedDict()
        queue[key] = window
        self._next_sweep = min(self._next_sweep, window[1])
        return window

    def _sweep(self, now: float) -> None:
        """Drops closed windows from the queues' fronts, a bounded number per queue."""
        windows = self._windows
        next_sweep = math.inf
        for queue in self._queues.values():
            for _ in range(SWEEP_PER_HIT):
                if not queue:
                    break
                key, window = next(iter(queue.items()))
                if window[1] > now:
                    break
                del queue[key]
                del windows[key]
            if queue:
                next_sweep = min(next_sweep, next(iter(queue.values()))[1])
        self._next_sweep = next_sweep

    def _evict_oldest(self) -> None:
        queue = min((q for q in self._queues.values() if q), key=lambda q: next(iter(q.values()))[1])
        key, _ = queue.popitem(last=False)
        del self._windows[key]
