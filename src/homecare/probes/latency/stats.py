"""Statistics over round trips and throughput samples.

Pure functions so the numbers in a report can be checked by hand: percentiles
by linear interpolation (numpy's default), jitter as the mean absolute
difference of consecutive round trips (the smoothed RFC 3550 estimator lags
and depends on where it starts; the plain mean does not), responsiveness as
round trips per minute (IETF "Responsiveness under Working Conditions").

Every loss and latency figure carries a 99 % interval, because a rule that
acts on a point estimate from 100 probes calls 1 % "3 %" often enough to send
people to restart healthy routers: loss gets the Wilson score interval (good
coverage even at 0 or 1 lost of n, unlike the normal approximation), the
median and p90 a distribution-free order-statistic interval (no assumption
about the shape of the round trips, which is anything but normal under load).
99 % rather than 95 %: a rule that acts on the interval should wrongly accuse
a healthy line about once a hundred checks, not once in twenty.
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


#: the confidence level of every interval, and its two-sided normal quantile
LEVEL = 0.99
Z = 2.5758293035489004


def wilson_interval(lost: int, sent: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a lost fraction; (0, 1) when nothing was sent."""
    if sent <= 0:
        return (0.0, 1.0)
    if not 0 <= lost <= sent:
        raise ValueError(f"{lost} lost of {sent} sent")
    p = lost / sent
    z2 = z * z
    centre = (p + z2 / (2 * sent)) / (1 + z2 / sent)
    half = z * math.sqrt(p * (1 - p) / sent + z2 / (4 * sent * sent)) / (1 + z2 / sent)
    low = 0.0 if lost == 0 else max(0.0, centre - half)
    high = 1.0 if lost == sent else min(1.0, centre + half)
    return (low, high)


def quantile_interval(values: Sequence[float], q: float, z: float = Z) -> tuple[float, float]:
    """A distribution-free ~99 % interval for the *q*-th percentile (0..100).

    The ranks come from the binomial count of samples below the true quantile
    (normal approximation with a continuity margin); with few samples the
    interval widens to the extremes, which is the honest answer.
    """
    if not values:
        raise ValueError("interval of no values")
    ordered = sorted(values)
    n = len(ordered)
    p = q / 100
    spread = z * math.sqrt(n * p * (1 - p))
    lo_rank = max(1, math.floor(n * p - spread))
    hi_rank = min(n, math.ceil(n * p + spread) + 1)
    return (ordered[lo_rank - 1], ordered[hi_rank - 1])


def summarize(rtts_in_order: Sequence[float], sent: int) -> LatencyStats:
    """Loss, percentiles and jitter of one series (RTTs in send order), with intervals."""
    received = len(rtts_in_order)
    if sent < received:
        raise ValueError(f"more replies ({received}) than probes sent ({sent})")
    loss = 0.0 if sent == 0 else (sent - received) / sent
    loss_low, loss_high = wilson_interval(sent - received, sent)
    bounds = {"loss_low": round(loss_low, 4), "loss_high": round(loss_high, 4)}
    if not rtts_in_order:
        return LatencyStats(sent=sent, received=0, loss=loss, **bounds)
    j = jitter(rtts_in_order)
    med_low, med_high = quantile_interval(rtts_in_order, 50)
    p90_low, p90_high = quantile_interval(rtts_in_order, 90)
    return LatencyStats(
        sent=sent,
        received=received,
        loss=round(loss, 4),
        **bounds,
        median_low_ms=round(med_low, 3),
        median_high_ms=round(med_high, 3),
        p90_low_ms=round(p90_low, 3),
        p90_high_ms=round(p90_high, 3),
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
