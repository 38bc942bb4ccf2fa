"""Statistics over round trips and throughput samples.

Pure functions so the numbers in a report can be checked by hand: percentiles
by linear interpolation (numpy's default), jitter as the mean absolute
difference of consecutive round trips (the smoothed RFC 3550 estimator lags
and depends on where it starts; the plain mean does not), responsiveness as
round trips per minute (IETF "Responsiveness under Working Conditions").
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence

from homecare.models.connection import Grade, LatencyStats

#: Upper bounds (ms of added latency under load) of each bufferbloat grade,
#: after the widely used Waveform scale (A+ folded into A).
GRADE_BOUNDS: tuple[tuple[float, Grade], ...] = (
    (30.0, "A"),
    (60.0, "B"),
    (200.0, "C"),
    (400.0, "D"),
)


def percentile(values: Sequence[float], q: float) -> float:
    """The *q*-th percentile (0..100) by linear interpolation; values need not be sorted."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def jitter(rtts_in_order: Sequence[float]) -> float | None:
    """Mean absolute difference of consecutive round trips; None below two samples."""
    if len(rtts_in_order) < 2:
        return None
    diffs = [abs(b - a) for a, b in itertools.pairwise(rtts_in_order)]
    return statistics.fmean(diffs)


def summarize(rtts_in_order: Sequence[float], sent: int) -> LatencyStats:
    """Loss, percentiles and jitter of one series (RTTs in send order)."""
    received = len(rtts_in_order)
    if sent < received:
        raise ValueError(f"more replies ({received}) than probes sent ({sent})")
    loss = 0.0 if sent == 0 else (sent - received) / sent
    if not rtts_in_order:
        return LatencyStats(sent=sent, received=0, loss=loss)
    j = jitter(rtts_in_order)
    return LatencyStats(
        sent=sent,
        received=received,
        loss=round(loss, 4),
        min_ms=round(min(rtts_in_order), 3),
        median_ms=round(statistics.median(rtts_in_order), 3),
        mean_ms=round(statistics.fmean(rtts_in_order), 3),
        p90_ms=round(percentile(rtts_in_order, 90), 3),
        p99_ms=round(percentile(rtts_in_order, 99), 3),
        jitter_ms=None if j is None else round(j, 3),
    )


def rpm(rtt_ms: float | None) -> float | None:
    """Round trips per minute for a round trip of *rtt_ms* (60000 / RTT)."""
    if rtt_ms is None or rtt_ms <= 0:
        return None
    return round(60000.0 / rtt_ms, 1)


def bufferbloat_grade(increase_ms: float | None) -> Grade | None:
    """A-F from the latency added under load; None when unmeasured."""
    if increase_ms is None:
        return None
    for bound, grade in GRADE_BOUNDS:
        if increase_ms < bound:
            return grade
    return "F"


def settled(samples: Sequence[float], count: int, tolerance: float) -> bool:
    """True when the last *count* samples all lie within ±*tolerance* of their mean.

    Used to end a speed test early: once the rate stops moving, more seconds
    only cost the customer's data volume.
    """
    if count < 2 or len(samples) < count:
        return False
    tail = samples[-count:]
    mean = statistics.fmean(tail)
    if mean <= 0:
        return False
    return all(abs(s - mean) <= tolerance * mean for s in tail)
