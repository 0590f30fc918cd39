"""The limiter's fixed windows: they count, close on time, are swept and stay bounded."""

from __future__ import annotations

from oauth2_token_contract.mock.windows import SWEEP_PER_HIT, FixedWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_passes_its_budget_refuses_with_the_wait_then_starts_again() -> None:
    clock = Clock()
    windows = FixedWindows(clock=clock)
    assert [windows.hit("k", 2, 10) for _ in range(2)] == [None, None]
    clock.now = 1004.0
    assert windows.hit("k", 2, 10) == 6.0  # refused: the window opened at 1000 closes at 1010
    assert windows.hits("k") == 3
    clock.now = 1010.0  # the window closes at its end, not a moment later
    assert windows.hits("k") == 0
    assert windows.hit("k", 2, 10) is None
    assert windows.hits("k") == 1


def test_keys_count_apart() -> None:
    windows = FixedWindows(clock=Clock())
    assert windows.hit("a", 1, 60) is None
    assert windows.hit("b", 1, 60) is None
    assert windows.hit("a", 1, 60) == 60.0


def test_closed_windows_are_swept_by_later_hits_whatever_their_length() -> None:
    clock = Clock()
    windows = FixedWindows(clock=clock)
    for n in range(3 * SWEEP_PER_HIT):
        windows.hit(f"short{n}", 5, 1)
    windows.hit("long", 5, 60)
    clock.now += 2
    for _ in range(4):  # each hit sweeps up to SWEEP_PER_HIT closed windows per length
        windows.hit("new", 5, 1)
    assert sorted(windows) == ["long", "new"]


def test_it_holds_at_most_max_keys_forgetting_the_oldest_window() -> None:
    clock = Clock()
    windows = FixedWindows(max_keys=3, clock=clock)
    for key in ("a", "b", "c", "d"):
        windows.hit(key, 1, 60)
        clock.now += 1
    assert list(windows) == ["b", "c", "d"]
    assert windows.hit("a", 1, 60) is None  # forgotten, so it starts a new window


def test_reset_forgets_every_window() -> None:
    windows = FixedWindows(clock=Clock())
    windows.hit("a", 1, 60)
    windows.reset()
    assert len(windows) == 0
    assert windows.hit("a", 1, 60) is None
