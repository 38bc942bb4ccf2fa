"""No hidden count of the insights document can be worked out by subtraction,
within one document or between two with different filters, on SQLite and
PostgreSQL. Each test names the subtraction that gave a count below k away
before the fix (docs/collector.md, "What each section publishes and what
hides it")."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from homecare.collector.db import make_engine
from homecare.collector.migrate import upgrade
from homecare.collector.queries import Filters, cohort_insights
from homecare.collector.queries.document import counts_of

from .databases import store
from .payloads import payload
from .test_insights import seeded

K = 10


@pytest.fixture
def engine(db_url: str) -> Engine:
    e = make_engine(db_url)
    upgrade(e)
    return e


def homes(first: int, count: int, **kw: Any) -> list[dict[str, Any]]:
    return [payload(n, **kw) for n in range(first, first + count)]


def with_tv(item: dict[str, Any]) -> dict[str, Any]:
    item["devices"].append({"kind": "tv", "vendor": "Samsung"})
    return item


def single_hidden_lines(
    parent: dict[str, Any], siblings: list[dict[str, Any]]
) -> list[tuple[str, ...]]:
    """Paths the parent publishes where exactly one sibling hides its part
    (the parent minus the others' parts gives that one away)."""
    counts = [counts_of(s) for s in siblings]
    return [
        path
        for path, total in counts_of(parent).items()
        if total is not None
        and path[0] not in ("installations", "cohort")
        and sum(1 for c in counts if path in c and c[path] is None) == 1
        and all(path in c for c in counts)
    ]


def test_a_median_stands_on_k_homes_with_a_speed_test(engine: Engine) -> None:
    """15 homes on fiber-500, 3 of them ran a speed test: the tier's median
    download was the median of those 3 homes."""
    store(engine, homes(0, 20, tier="fiber-100", down=80.0))
    store(engine, homes(20, 3, tier="fiber-500", down=450.0))
    store(engine, homes(23, 12, tier="fiber-500"))
    doc = cohort_insights(engine, "acme", Filters(), K)
    tiers = {s["plan_tier"]: s for s in doc["speeds_vs_plan"]}
    assert set(tiers) == {"fiber-100"} and tiers["fiber-100"]["median_down_mbps"] == 80.0
    by_vendor = {g["value"]: g for g in doc["speeds_by"]["router_vendor"]}
    assert by_vendor["AVM"]["median_down_mbps"] == 80.0  # 23 homes with a test: shown
    cohorts = {c["value"]: c for c in doc["findings_by_cohort"]["plan_tier"]["cohorts"]}
    assert cohorts["fiber-500"]["installations"] == 15  # the cohort itself is big enough


def test_feedback_installations_do_not_give_the_silent_homes_away(engine: Engine) -> None:
    """25 homes have the finding, 20 gave feedback: the code's total minus the
    feedback count was the 5 homes that gave none."""
    store(engine, homes(0, 20, feedback=4))
    store(engine, homes(20, 5))
    doc = cohort_insights(engine, "acme", Filters(), K)
    assert doc["findings_by_cohort"]["wifi_band"]["totals"]["wifi.signal.weak"] == 25
    weak = doc["feedback_by_finding"]["wifi.signal.weak"]
    assert weak == {"installations": None, "mean_score": 4.0}


def test_a_filter_on_a_hidden_cohort_shows_nothing(engine: Engine) -> None:
    """2.4GHz (12 homes) is hidden as the complement of 6GHz (3): filtering on
    it published its 12, and 35 - 20 - 12 gave the 3 homes away."""
    store(engine, seeded())
    doc = cohort_insights(engine, "acme", Filters(wifi_band="2.4GHz"), K)
    assert all(n is None for n in counts_of(doc).values())
    assert (
        doc["speeds_vs_plan"] == []
        and doc["offers"] == {}
        and doc["device_mix"]
        == {
            "by_kind": {},
            "by_vendor": {},
        }
    )
    shown = cohort_insights(engine, "acme", Filters(wifi_band="5GHz"), K)
    assert shown["installations"] == 20


def test_filtered_and_unfiltered_device_counts_do_not_subtract_to_a_hidden_one(
    engine: Engine,
) -> None:
    """40 homes on 5GHz (23 with a TV), 30 on 2.4GHz (2 with a TV): the
    unfiltered 25 TVs minus the 5GHz document's 23 gave the 2 homes away."""
    items = homes(0, 40, band="5GHz") + homes(40, 30, band="2.4GHz")
    for n in [*range(23), 40, 41]:
        with_tv(items[n])
    store(engine, items)
    parent = cohort_insights(engine, "acme", Filters(), K)
    five = cohort_insights(engine, "acme", Filters(wifi_band="5GHz"), K)
    two = cohort_insights(engine, "acme", Filters(wifi_band="2.4GHz"), K)
    assert parent["device_mix"]["by_kind"]["tv"] == 25
    assert two["device_mix"]["by_kind"]["tv"] is None
    assert five["device_mix"]["by_kind"]["tv"] is None
    assert five["installations"] == 40 and two["installations"] == 30
    assert single_hidden_lines(parent, [five, two]) == []


def test_a_filtered_documents_totals_are_the_parents_hidden_cells(engine: Engine) -> None:
    """Three tiers of 30 homes; dns.slow in 15, 15 and 3 of them. The
    unfiltered table hides fiber-1000's 3 and fiber-100's 15 (its
    complement) under a shown total of 33; the fiber-100 document's total
    was that 15, and 33 - 15 - 15 gave the 3 homes away."""
    items = []
    for first, tier, slow in ((0, "fiber-100", 15), (30, "fiber-300", 15), (60, "fiber-1000", 3)):
        for n in range(first, first + 30):
            slow_home = n - first < slow
            codes = ("wifi.signal.weak", "dns.slow") if slow_home else ("wifi.signal.weak",)
            items.append(payload(n, tier=tier, codes=codes))
    store(engine, items)
    parent = cohort_insights(engine, "acme", Filters(), K)
    tiers = {c["value"]: c for c in parent["findings_by_cohort"]["plan_tier"]["cohorts"]}
    assert parent["findings_by_cohort"]["plan_tier"]["totals"]["dns.slow"] == 33
    hidden = [t for t, c in tiers.items() if c["findings"]["dns.slow"] is None]
    assert sorted(hidden) == ["fiber-100", "fiber-1000"]
    for tier in ("fiber-100", "fiber-300"):
        doc = cohort_insights(engine, "acme", Filters(plan_tier=tier), K)
        assert doc["installations"] == 30
        published = {
            dim: table["totals"]["dns.slow"] for dim, table in doc["findings_by_cohort"].items()
        }
        if tier == "fiber-100":  # the parent's hidden cell, in every table
            assert set(published.values()) == {None}
        for table in doc["findings_by_cohort"].values():
            column = [c["findings"]["dns.slow"] for c in table["cohorts"]]
            total = table["totals"]["dns.slow"]
            # a hidden total is not the sum of a fully shown column (a list
            # left out whole shows none of it)
            assert total is not None or None in column or not column
    siblings = [cohort_insights(engine, "acme", Filters(plan_tier=t), K) for t in tiers]
    assert single_hidden_lines(parent, siblings) == []
