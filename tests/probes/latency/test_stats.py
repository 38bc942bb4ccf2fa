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


def test_wilson_interval_matches_hand_computed_values() -> None:
    from homecare.probes.latency.stats import wilson_interval

    # 40 lost of 400 at 99 %: centre 0.10653, half-width 0.03887 (by hand)
    low, high = wilson_interval(40, 400)
    assert low == pytest.approx(0.0677, abs=1e-4) and high == pytest.approx(0.1454, abs=1e-4)
    # none lost: the low end is exactly 0 and the high end z²/(n+z²)
    low, high = wilson_interval(0, 300)
    assert low == 0.0 and high == pytest.approx(2.5758**2 / (300 + 2.5758**2), abs=1e-4)
    assert wilson_interval(5, 5)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(6, 5)


def test_quantile_interval_brackets_the_percentile() -> None:
    from homecare.probes.latency.stats import quantile_interval

    values = [float(v) for v in range(1, 101)]
    low, high = quantile_interval(values, 50)
    assert low < percentile(values, 50) < high
    assert (low, high) == (37.0, 64.0)  # ranks np ∓ z·√(npq) (+1 above), rounded outwards
    assert quantile_interval([3.0, 1.0, 2.0], 50) == (1.0, 3.0)  # few samples: the extremes
    with pytest.raises(ValueError):
        quantile_interval([], 50)


def test_summarize_stores_the_intervals() -> None:
    st = summarize([10.0] * 97, 100)
    assert st.loss == 0.03
    assert st.loss_low is not None and st.loss_high is not None
    assert st.loss_low < 0.03 < st.loss_high
    assert st.median_low_ms == st.median_high_ms == 10.0
    empty = summarize([], 10)
    assert empty.loss == 1.0 and empty.loss_high == 1.0 and empty.median_low_ms is None
