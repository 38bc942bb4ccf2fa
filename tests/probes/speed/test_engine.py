"""The meter's warm-up: the grace time, and longer while TCP still ramps up."""

from __future__ import annotations

import threading
import time

from homecare.probes.speed.engine import MeasureBudget, Meter


class RampingLine:
    """Bytes of a line that reaches *full_mbit* only after *ramp_s* (linear climb)."""

    def __init__(self, full_mbit: float, ramp_s: float) -> None:
        self.start = time.monotonic()
        self.full = full_mbit * 1e6 / 8
        self.ramp_s = ramp_s

    def bytes(self) -> int:
        t = time.monotonic() - self.start
        if t <= self.ramp_s:
            return int(self.full * t * t / (2 * self.ramp_s))
        return int(self.full * (self.ramp_s / 2 + (t - self.ramp_s)))


def measure(line: RampingLine, warmup_s: float, seconds: float = 6.0) -> tuple[float, float]:
    budget = MeasureBudget(time.monotonic() + seconds + 1, seconds, warmup_s, 10**15, 1, 100, 0.0)
    result = Meter(budget, line.bytes, lambda _m: None, "x").run(threading.Event())
    assert result.mbit is not None
    return result.mbit, result.warmup_s


def test_the_warm_up_lasts_while_the_rate_still_climbs() -> None:
    mbit, warmup = measure(RampingLine(800, ramp_s=1.8), warmup_s=0.5)
    assert 1.8 <= warmup <= 2.3
    assert 0.97 * 800 <= mbit <= 1.01 * 800  # the steady rate, not the ramp


def test_a_steady_line_keeps_the_configured_grace_time() -> None:
    mbit, warmup = measure(RampingLine(800, ramp_s=0.01), warmup_s=0.5, seconds=3.0)
    assert 0.5 <= warmup <= 0.8
    assert 0.98 * 800 <= mbit <= 1.01 * 800


def test_the_warm_up_never_takes_more_than_a_third_of_the_window() -> None:
    _mbit, warmup = measure(RampingLine(800, ramp_s=30.0), warmup_s=0.5, seconds=3.0)
    assert warmup <= 1.0 + 0.3


def test_the_clock_is_read_after_the_counter_so_a_slow_last_read_does_not_over_read() -> None:
    """The last read of the counter waits 0.3 s (a loop holding the lock while it
    retires a connection); the bytes that came meanwhile belong to the later time."""
    line = RampingLine(100.0, 0.0)
    stop = threading.Event()

    def slow_when_stopped() -> int:
        if stop.is_set():
            time.sleep(0.3)
        return line.bytes()

    budget = MeasureBudget(time.monotonic() + 4, 2.0, 0.5, 10**15, 1, 100, 0.0)
    result = Meter(budget, slow_when_stopped, lambda _m: None, "x").run(stop)
    assert result.mbit is not None
    assert 98.0 <= result.mbit <= 102.0  # the clock first: 100 x (1.5 + 0.3) / 1.5 = 120
