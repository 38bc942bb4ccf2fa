from __future__ import annotations

import pytest

from homecare.probes.latency.stats import (
    bufferbloat_grade,
    jitter,
    percentile,
    rpm,
    settled,
    summarize,
)


def test_percentile_interpolates_like_numpy() -> None:
    values = [10.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 90) == pytest.approx(7.6)
    assert percentile(values, 100) == 10.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_jitter_is_mean_absolute_consecutive_difference() -> None:
    assert jitter([10.0]) is None
    assert jitter([10.0, 12.0, 9.0, 9.0]) == pytest.approx((2 + 3 + 0) / 3)


def test_summarize_loss_and_percentiles() -> None:
    rtts = [float(i) for i in range(1, 96)]  # 95 of 100 answered
    s = summarize(rtts, 100)
    assert s.loss == pytest.approx(0.05)
    assert s.received == 95
    assert s.median_ms == 48.0
    assert s.min_ms == 1.0
    assert s.p99_ms == pytest.approx(94.06)
    assert s.jitter_ms == 1.0


def test_summarize_all_lost_and_nothing_sent() -> None:
    assert summarize([], 40).loss == 1.0
    assert summarize([], 40).median_ms is None
    assert summarize([], 0).loss == 0.0
    with pytest.raises(ValueError):
        summarize([1.0, 2.0], 1)


def test_rpm_is_round_trips_per_minute() -> None:
    assert rpm(100.0) == 600.0
    assert rpm(20.0) == 3000.0
    assert rpm(None) is None
    assert rpm(0.0) is None


@pytest.mark.parametrize(
    ("increase", "grade"),
    [(None, None), (-1.0, "A"), (4.0, "A"), (29.9, "A"), (30.0, "B"), (59.0, "B"),
     (150.0, "C"), (399.0, "D"), (400.0, "F"), (2000.0, "F")],
)  # fmt: skip
def test_bufferbloat_grade(increase: float | None, grade: str | None) -> None:
    assert bufferbloat_grade(increase) == grade


def test_settled_needs_enough_samples_within_tolerance() -> None:
    assert not settled([100.0] * 7, 8, 0.03)
    assert settled([5.0, 50.0, 100.0, 101.0, 99.0, 102.0, 98.0, 100.0, 100.5, 99.5], 8, 0.03)
    assert not settled([100.0, 101.0, 99.0, 110.0, 98.0, 100.0, 100.5, 99.5], 8, 0.03)
    assert not settled([0.0] * 8, 8, 0.03)
    assert not settled([1.0, 1.0], 1, 0.03)
