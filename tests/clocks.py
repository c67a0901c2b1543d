"""Clocks for tests: time that moves only as the test says, so no test depends on how fast or
how busy the machine is."""

from __future__ import annotations


class TickClock:
    """Every reading moves time on by `step_s`; `advance` jumps it. Durations are never 0,
    and a budget runs out only after a known number of readings or a jump."""

    def __init__(self, start_s: float = 1000.0, step_s: float = 0.001) -> None:
        self.now = start_s
        self.step_s = step_s

    def __call__(self) -> float:
        self.now += self.step_s
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ManualClock:
    """Stands still between readings; only `advance` moves it."""

    def __init__(self, start_s: float = 1000.0) -> None:
        self.now = start_s

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
