"""What a speed engine is, and the meter every engine's streams report into.

An engine knows a protocol (LibreSpeed HTTP, speedtest.net); the meter knows
when to stop: after a warm-up that is discarded (TCP slow start and filling
socket buffers would otherwise inflate or deflate the figure), as soon as the
rate has settled, at the byte cap, or at the deadline, whichever is first.

The warm-up is ``warmup_s`` (LibreSpeed's grace time) and then as long as
the rate still climbs (a sample over ``RAMP_STEP`` above every earlier one),
up to a third of the window: at 30 ms and gigabits TCP's ramp outlasts one
second, and iperf3's ``--omit`` reference is its steady state, not its ramp.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.latency.stats import settled

SAMPLE_S = 0.25
#: A sample this much above every earlier one means the ramp is still going on.
RAMP_STEP = 1.05
BITS_PER_MBIT = 1_000_000


class EngineError(Exception):
    """An engine could not run; the message is already in the user's language."""


@dataclass(frozen=True)
class MeasureBudget:
    """How long and how much one direction may take."""

    deadline: float
    max_duration_s: float
    warmup_s: float
    max_bytes: int
    streams: int
    stable_samples: int
    stable_tolerance: float
    #: Ending early also needs this to agree (latency under load has settled too:
    #: "working conditions" in the IETF responsiveness draft).
    also_settled: Callable[[], bool] | None = None


class SpeedEngine(Protocol):
    """A speed test protocol. ``prepare`` picks a server (or raises
    :class:`EngineError`); ``measure`` runs one direction and always returns,
    with ``error`` set when it failed, by ``budget.deadline``."""

    name: str

    def prepare(self, deadline: float) -> str: ...

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection: ...


@dataclass
class MeterResult:
    mbit: float | None
    bytes_total: int
    duration_s: float
    settled: bool
    samples_mbit: list[float] = field(default_factory=list)
    #: the warm-up actually discarded (seconds from the start)
    warmup_s: float = 0.0


def spread_of(samples: list[float]) -> tuple[float | None, float | None]:
    """10th and 90th percentile of the rate samples: how steady the window was."""
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (None, None)
    cuts = statistics.quantiles(samples, n=10, method="inclusive")
    return round(cuts[0], 2), round(cuts[-1], 2)


def mbit_of(n_bytes: int, seconds: float) -> float:
    return n_bytes * 8 / seconds / BITS_PER_MBIT if seconds > 0 else 0.0


class Meter:
    """Samples a byte counter every 250 ms and decides when a direction is done."""

    def __init__(
        self,
        budget: MeasureBudget,
        total_bytes: Callable[[], int],
        progress: Callable[[str], None],
        label: str,
    ) -> None:
        self.budget = budget
        self.total_bytes = total_bytes
        self.progress = progress
        self.label = label

    def run(self, stop: threading.Event) -> MeterResult:
        """Block until done; sets *stop* so the streams end. Never past the deadline."""
        b = self.budget
        start = time.monotonic()
        end_by = min(b.deadline, start + b.max_duration_s)
        warm_until = start + min(b.warmup_s, b.max_duration_s / 3)
        warm_at_most = start + b.max_duration_s / 3
        ramp_peak = 0.0
        samples: list[float] = []
        base_bytes: int | None = None
        base_t = start
        prev_bytes, prev_t = 0, start
        is_settled = False
        next_tick = start + SAMPLE_S
        while True:
            stop.wait(max(0.0, min(next_tick, end_by) - time.monotonic()))
            # the clock after the counter: reading it may wait (a lock, the
            # GIL), and bytes that came meanwhile belong to the later time
            total = self.total_bytes()
            now = time.monotonic()
            rate = mbit_of(total - prev_bytes, now - prev_t)
            prev_bytes, prev_t = total, now
            next_tick += SAMPLE_S
            climbing = b.warmup_s > 0 and rate > ramp_peak * RAMP_STEP and now < warm_at_most
            if base_bytes is None:
                ramp_peak = max(ramp_peak, rate)
            if base_bytes is None and now >= warm_until and not climbing:
                base_bytes, base_t = total, now
            elif base_bytes is not None:
                samples.append(round(rate, 2))
                self.progress(_("{label}: {rate:.1f} Mbit/s").format(label=self.label, rate=rate))
                if settled(samples, b.stable_samples, b.stable_tolerance) and (
                    b.also_settled is None or b.also_settled()
                ):
                    is_settled = True
                    break
            if stop.is_set() or now >= end_by or total >= b.max_bytes:
                break
        stop.set()
        total = self.total_bytes()
        end = time.monotonic()
        mbit = None
        # a run that never got past the warm-up (every stream failed) has no
        # trustworthy rate: buffers filling in the first milliseconds look like gigabits
        if base_bytes is not None:
            window = end - base_t
            counted = total - base_bytes
            mbit = round(mbit_of(counted, window), 2) if counted > 0 and window > 0 else None
        return MeterResult(
            mbit=mbit,
            bytes_total=total,
            duration_s=round(end - start, 3),
            settled=is_settled,
            samples_mbit=samples,
            warmup_s=round(base_t - start, 3) if base_bytes is not None else 0.0,
        )
