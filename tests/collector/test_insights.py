"""Insights: counts by distinct installation, no cohort below k, complementary
suppression so a hidden cell cannot be recovered from totals."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from homecare.collector.insights import compute_insights
from homecare.collector.render import insights_csv, insights_text
from homecare.collector.suppression import suppress_counts, suppress_table

from .payloads import payload


def seeded() -> list[dict[str, Any]]:
    """Three Wi-Fi band cohorts: 5GHz 20 homes, 2.4GHz 12 homes, 6GHz 3 homes;
    every home uploads twice (counts must be by installation, not upload)."""
    out = []
    n = 0
    for band, homes, tier in (("5GHz", 20, "fiber-300"), ("2.4GHz", 12, "fiber-100"), ("6GHz", 3, "fiber-1000")):
        for _ in range(homes):
            codes = ("wifi.signal.weak",) if n % 2 == 0 else ("wifi.signal.weak", "dns.slow")
            for _rep in range(2):
                out.append(payload(n, band=band, tier=tier, codes=codes, down=80.0 + n % 7,
                                   feedback=4 if n % 3 else 2, offer="mesh.upsell", taken=n % 2 == 0))
            n += 1
    return out


def test_cohort_below_k_and_its_complement_are_hidden() -> None:
    doc = compute_insights(seeded(), k=10)
    assert doc["installations"] == 35 and doc["uploads"] == 70
    bands = {c["value"]: c for c in doc["findings_by_cohort"]["wifi_band"]["cohorts"]}
    assert bands["6GHz"]["installations"] is None  # 3 < k
    assert bands["2.4GHz"]["installations"] is None  # complementary: 35 - 20 - x would give it away
    assert bands["5GHz"]["installations"] == 20
    assert all(v is None for v in bands["6GHz"]["findings"].values())
    # each finding column has a shown total, so a single hidden cell would be recoverable
    weak = doc["findings_by_cohort"]["wifi_band"]["totals"]["wifi.signal.weak"]
    column = [bands[b]["findings"]["wifi.signal.weak"] for b in bands]
    assert weak is None or column.count(None) != 1
    assert bands["5GHz"]["findings"]["wifi.signal.weak"] == 20
    assert bands["5GHz"]["findings"]["dns.slow"] == 10


def test_speeds_feedback_offers_devices() -> None:
    doc = compute_insights(seeded(), k=10)
    tiers = {s["plan_tier"]: s for s in doc["speeds_vs_plan"]}
    assert set(tiers) == {"fiber-300", "fiber-100"}  # fiber-1000 has 3 homes
    assert tiers["fiber-100"]["median_down_pct_of_plan"] is not None
    assert doc["device_mix"]["by_kind"] == {"phone": 35, "router": 35}
    assert doc["feedback_by_finding"]["wifi.signal.weak"]["installations"] == 35
    assert doc["offers"]["mesh.upsell"] == {"shown": 35, "taken": 18}


def test_too_few_installations_hides_everything() -> None:
    doc = compute_insights([payload(n) for n in range(9)], k=10)
    assert doc["installations"] is None
    assert doc["speeds_vs_plan"] == []
    assert all(c["installations"] is None for c in doc["findings_by_cohort"]["plan_tier"]["cohorts"])
    assert doc["device_mix"]["by_kind"] == {"phone": None, "router": None}


def test_k_is_never_below_ten() -> None:
    assert compute_insights([], k=2)["k"] == 10


def test_text_and_csv_mark_hidden_cells() -> None:
    doc = compute_insights(seeded(), k=10)
    text = insights_text(doc)
    assert "6GHz" in text and "<k" in text
    csv = insights_csv(doc)
    assert "cohort,wifi_band,6GHz,installations,<k" in csv
    assert "cohort,wifi_band,5GHz,installations,20" in csv


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 40), min_size=1))
def test_one_dimensional_never_exactly_one_hidden(counts: dict[str, int]) -> None:
    hidden = suppress_counts(counts, 10)
    assert all(counts[key] >= 10 or counts[key] == 0 or key in hidden for key in counts)
    assert len(hidden) != 1 or all(n == 0 for key, n in counts.items() if key not in hidden)


@given(st.dictionaries(st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")),
                       st.integers(0, 30), min_size=1))
def test_table_lines_never_hold_exactly_one_hidden_cell(counts: dict[tuple[str, str], int]) -> None:
    rows, cols = sorted({r for r, _ in counts}), sorted({c for _, c in counts})
    out = suppress_table(counts, 10, rows, cols)
    for r in rows:
        hidden = [c for c in cols if (r, c) in out.cells]
        assert len(hidden) != 1 or r in out.row_totals
    for c in cols:
        hidden = [r for r in rows if (r, c) in out.cells]
        assert len(hidden) != 1 or c in out.col_totals
    assert all((cell in out.cells) for cell, n in counts.items() if 0 < n < 10)
