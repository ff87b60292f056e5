"""The app's background sync gives way to a typist: between two records it waits while
keys keep coming (a key in the last TYPING_PAUSE seconds), so each key is handled as if
no sync ran. It never starves: after GIVE_WAY_MAX of waiting it works a WORK_SLICE, so a
long typing session slows it down but lets it finish. Nobody typing: it never waits.
Time here is a virtual clock: the rules, not the speed, are under test."""

from __future__ import annotations

import pytest

from cope_tui.sync import runner
from cope_tui.sync.runner import GIVE_WAY_MAX, TYPING_PAUSE, WORK_SLICE, Runner


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0
        self.keys_every: float | None = None  # a typist pressing a key this often
        self.last_key = 0.0

    def monotonic(self) -> float:
        if self.keys_every is not None and self.now - self.last_key >= self.keys_every:
            self.last_key = self.now
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept += seconds
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(runner, "time", found)
    return found


def _runner(clock: Clock) -> Runner:
    made = Runner.__new__(Runner)  # the rules alone: no store, no server
    made._cancel = runner.threading.Event()
    made._slice_start = None
    made.last_input = lambda: clock.last_key
    return made


def test_nobody_typing_the_sync_never_waits(clock) -> None:
    clock.last_key = clock.now - TYPING_PAUSE - 1
    sync = _runner(clock)
    for _ in range(1000):
        sync.give_way()
    assert clock.slept == 0


def test_a_pause_in_the_typing_lets_the_sync_go_on(clock) -> None:
    clock.last_key = clock.now - TYPING_PAUSE / 3  # a key just now, then nothing
    sync = _runner(clock)
    sync.give_way()
    assert clock.now - clock.last_key >= TYPING_PAUSE  # waited for the pause, no longer
    assert clock.slept <= TYPING_PAUSE


def test_steady_typing_slows_the_sync_down_but_never_stops_it(clock) -> None:
    clock.keys_every = 0.05
    sync = _runner(clock)
    start, worked = clock.now, 0.0
    while clock.now - start < 60:
        before = clock.slept
        sync.give_way()
        if clock.slept == before:  # went on at once: one step of work (a record) is done
            clock.now += 0.001
            worked += 0.001
    share = worked / 60
    assert WORK_SLICE / (GIVE_WAY_MAX + WORK_SLICE) * 0.8 <= share <= WORK_SLICE / GIVE_WAY_MAX * 1.2


def test_a_sync_being_stopped_stops_waiting(clock) -> None:
    clock.keys_every = 0.05
    sync = _runner(clock)
    sync._cancel.set()
    sync.give_way()
    assert clock.slept == 0


def test_without_the_app_there_is_nobody_to_give_way_to(clock) -> None:
    sync = _runner(clock)
    sync.last_input = None
    clock.keys_every = 0.05
    sync.give_way()
    assert clock.slept == 0
