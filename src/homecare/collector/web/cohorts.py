"""What the analyst console shows beyond the insights document.

The console's numbers are :func:`homecare.collector.insights.compute_insights`
over the filtered uploads, the very function behind ``GET /v1/insights``, so
page and API cannot disagree. The extra views the document has no section for
(speed against plan per cohort dimension, top findings week by week, checks by
hour of day) are computed here over the same rows with the same rules:
distinct installations, nothing below k, complementary suppression where a
table's totals could give a hidden cell away.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from homecare.collector.insights import DIMENSIONS, UNKNOWN
from homecare.collector.suppression import suppress_counts, suppress_table

TOP_CODES = 6


@dataclass(frozen=True)
class CohortFilter:
    """The console's filters; ``None`` means any value."""

    plan_tier: str | None = None
    router_vendor: str | None = None
    connection_type: str | None = None
    wifi_band: str | None = None
    since: date | None = None
    until: date | None = None

    def values(self) -> dict[str, str | None]:
        return {d: getattr(self, d) for d in DIMENSIONS}

    def is_empty(self) -> bool:
        return all(v is None for v in self.values().values()) and not self.since and not self.until

    def matches(self, p: dict[str, Any]) -> bool:
        cohort = p.get("cohort") or {}
        for dim, wanted in self.values().items():
            if wanted is not None and str(cohort.get(dim) or UNKNOWN) != wanted:
                return False
        if self.since or self.until:
            day = _created(p).date()
            if self.since and day < self.since:
                return False
            if self.until and day > self.until:
                return False
        return True


def apply_filter(payloads: Iterable[dict[str, Any]], flt: CohortFilter) -> list[dict[str, Any]]:
    return [p for p in payloads if flt.matches(p)]


def extra_sections(payloads: list[dict[str, Any]], k: int) -> dict[str, Any]:
    return {
        "speeds_by_dimension": {d: _speeds_by(payloads, d, k) for d in DIMENSIONS},
        "findings_by_week": _findings_by_week(payloads, k),
        "hour_of_day": _hour_of_day(payloads, k),
    }


def _created(p: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(p["created_at"]).replace("Z", "+00:00"))


def _speeds_by(payloads: list[dict[str, Any]], dim: str, k: int) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in payloads:
        if p.get("speeds") and (p["speeds"].get("download_mbps") is not None):
            groups[str((p.get("cohort") or {}).get(dim) or UNKNOWN)].append(p)
    out = []
    for value, rows in sorted(groups.items()):
        installs = {p["installation_id"] for p in rows}
        if len(installs) < k:
            continue  # a median of fewer than k homes is not shown at all
        down = [float(p["speeds"]["download_mbps"]) for p in rows]
        pct = [
            100 * float(p["speeds"]["download_mbps"]) / float(p["cohort"]["plan_down_mbps"])
            for p in rows
            if (p.get("cohort") or {}).get("plan_down_mbps")
        ]
        out.append(
            {
                "value": value,
                "installations": len(installs),
                "median_down_mbps": round(statistics.median(down), 1),
                "median_down_pct_of_plan": round(statistics.median(pct), 1) if pct else None,
            }
        )
    return out


def _week(p: dict[str, Any]) -> str:
    year, week, _ = _created(p).isocalendar()
    return f"{year}-W{week:02d}"


def _findings_by_week(payloads: list[dict[str, Any]], k: int) -> dict[str, Any]:
    members: dict[str, set[str]] = defaultdict(set)
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_code: dict[str, set[str]] = defaultdict(set)
    for p in payloads:
        week, inst = _week(p), p["installation_id"]
        members[week].add(inst)
        for code in {f["code"] for f in p.get("findings", [])}:
            cells[(week, code)].add(inst)
            per_code[code].add(inst)
    codes = sorted(per_code, key=lambda c: (-len(per_code[c]), c))[:TOP_CODES]
    codes = [c for c in codes if len(per_code[c]) >= k]
    weeks = sorted(members)
    sizes = {w: len(members[w]) for w in weeks}
    hidden_rows = suppress_counts(sizes, k)
    counts = {cell: len(s) for cell, s in cells.items() if cell[1] in codes}
    hidden = suppress_table(counts, k, weeks, codes, forced_rows=hidden_rows)
    rows = [
        {
            "week": w,
            "installations": None if w in hidden_rows else sizes[w],
            "findings": {
                c: None if (w, c) in hidden.cells else counts.get((w, c), 0) for c in codes
            },
        }
        for w in weeks
    ]
    return {"codes": codes, "weeks": rows}


def _hour_of_day(payloads: list[dict[str, Any]], k: int) -> dict[int, int | None]:
    by_hour: dict[int, set[str]] = defaultdict(set)
    for p in payloads:
        by_hour[_created(p).hour].add(p["installation_id"])
    sizes = {str(h): len(by_hour.get(h, set())) for h in range(24)}
    hidden = suppress_counts(sizes, k)
    return {h: None if str(h) in hidden else sizes[str(h)] for h in range(24)}


def visible_values(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Filter choices: only cohorts the unfiltered document shows (at least k
    installations), so the filter list itself never names a small cohort."""
    return {
        d: [
            c["value"]
            for c in doc["findings_by_cohort"][d]["cohorts"]
            if c["installations"] is not None
        ]
        for d in DIMENSIONS
    }
