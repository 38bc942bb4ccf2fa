"""Cohort insights over the stored uploads, k-anonymous.

Everything is counted in distinct installations, never uploads, so one busy
home cannot make a cohort look big; a cohort or cell with fewer than k
installations is hidden (see :mod:`homecare.collector.suppression`).
Aggregation happens in Python over streamed payloads: simple, identical on
both databases, and fast enough for hundreds of thousands of uploads; a
provider with far more would move the counting into SQL views.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from homecare.collector.suppression import suppress_counts, suppress_table

MIN_K = 10
DIMENSIONS = ("plan_tier", "router_vendor", "connection_type", "wifi_band")
UNKNOWN = "unknown"


def compute_insights(payloads: Iterable[dict[str, Any]], k: int = MIN_K) -> dict[str, Any]:
    """The insights document; suppressed counts are ``None``."""
    k = max(k, MIN_K)
    installs: set[str] = set()
    uploads = 0
    by_dim: dict[str, dict[str, set[str]]] = {d: defaultdict(set) for d in DIMENSIONS}
    cells: dict[str, dict[tuple[str, str], set[str]]] = {d: defaultdict(set) for d in DIMENSIONS}
    finding_installs: dict[str, set[str]] = defaultdict(set)
    speeds: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    kinds: dict[str, set[str]] = defaultdict(set)
    vendors: dict[str, set[str]] = defaultdict(set)
    feedback: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    offers_shown: dict[str, set[str]] = defaultdict(set)
    offers_taken: dict[str, set[str]] = defaultdict(set)

    for p in payloads:
        uploads += 1
        inst = p["installation_id"]
        installs.add(inst)
        cohort = p.get("cohort") or {}
        codes = {f["code"] for f in p.get("findings", [])}
        for d in DIMENSIONS:
            value = str(cohort.get(d) or UNKNOWN)
            by_dim[d][value].add(inst)
            for code in codes:
                cells[d][(value, code)].add(inst)
        for code in codes:
            finding_installs[code].add(inst)
            if p.get("feedback_score") is not None:
                feedback[code][inst].append(int(p["feedback_score"]))
        if p.get("speeds"):
            speeds[str(cohort.get("plan_tier") or UNKNOWN)].append((inst, p["speeds"], cohort))
        for dev in p.get("devices", []):
            kinds[dev.get("kind") or UNKNOWN].add(inst)
            vendors[dev.get("vendor") or UNKNOWN].add(inst)
        offer = p.get("offer") or {}
        if offer.get("shown"):
            offers_shown[offer["shown"]].add(inst)
            if offer.get("taken"):
                offers_taken[offer["shown"]].add(inst)

    total = len(installs)
    return {
        "k": k,
        "installations": total if total >= k else None,
        "uploads": uploads if total >= k else None,
        "findings_by_cohort": {
            d: _cohort_table(by_dim[d], cells[d], finding_installs, k) for d in DIMENSIONS
        },
        "speeds_vs_plan": _speeds(speeds, k),
        "device_mix": {"by_kind": _mix(kinds, k), "by_vendor": _mix(vendors, k)},
        "feedback_by_finding": _feedback(feedback, k),
        "offers": _offers(offers_shown, offers_taken, k),
    }


def _cohort_table(
    members: dict[str, set[str]],
    cells: dict[tuple[str, str], set[str]],
    finding_installs: dict[str, set[str]],
    k: int,
) -> dict[str, Any]:
    sizes = {v: len(s) for v, s in members.items()}
    hidden_rows = suppress_counts(sizes, k)
    codes = sorted(finding_installs)
    counts = {cell: len(s) for cell, s in cells.items()}
    hidden = suppress_table(counts, k, list(sizes), codes, forced_rows=hidden_rows)
    cohorts = []
    for value in sorted(sizes, key=lambda v: (-sizes[v], v)):
        findings = {
            code: None if (value, code) in hidden.cells else counts.get((value, code), 0)
            for code in codes
        }
        shown = sorted(
            ((c, n) for c, n in findings.items() if n), key=lambda item: (-(item[1] or 0), item[0])
        )
        cohorts.append(
            {
                "value": value,
                "installations": None if value in hidden_rows else sizes[value],
                "findings": findings,
                "top_findings": [c for c, _ in shown[:5]],
            }
        )
    totals = {
        code: None
        if code in hidden.col_totals or len(finding_installs[code]) < k
        else len(finding_installs[code])
        for code in codes
    }
    return {"cohorts": cohorts, "totals": totals}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _speeds(
    speeds: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]], k: int
) -> list[dict[str, Any]]:
    out = []
    for tier, rows in sorted(speeds.items()):
        if len({inst for inst, _, _ in rows}) < k:
            continue
        down = [s["download_mbps"] for _, s, _ in rows if s.get("download_mbps") is not None]
        up = [s["upload_mbps"] for _, s, _ in rows if s.get("upload_mbps") is not None]
        ratios = [
            s["download_mbps"] / c["plan_down_mbps"]
            for _, s, c in rows
            if s.get("download_mbps") is not None and c.get("plan_down_mbps")
        ]
        out.append(
            {
                "plan_tier": tier,
                "installations": len({inst for inst, _, _ in rows}),
                "median_down_mbps": _median(down),
                "median_up_mbps": _median(up),
                "median_down_pct_of_plan": _median([100 * r for r in ratios]),
            }
        )
    return out


def _mix(groups: dict[str, set[str]], k: int) -> dict[str, int | None]:
    sizes = {key: len(v) for key, v in groups.items()}
    hidden = suppress_counts(sizes, k)
    return {key: None if key in hidden else n for key, n in sorted(sizes.items())}


def _feedback(feedback: dict[str, dict[str, list[int]]], k: int) -> dict[str, Any]:
    out = {}
    for code, per_inst in sorted(feedback.items()):
        if len(per_inst) < k:
            continue
        means = [statistics.fmean(scores) for scores in per_inst.values()]
        out[code] = {"installations": len(per_inst), "mean_score": round(statistics.fmean(means), 2)}
    return out


def _offers(shown: dict[str, set[str]], taken: dict[str, set[str]], k: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for offer, insts in sorted(shown.items()):
        if len(insts) < k:
            continue
        n_taken = len(taken.get(offer, set()))
        # "taken" and "not taken" add up to "shown": hide both halves if either is small
        small = 0 < n_taken < k or 0 < len(insts) - n_taken < k
        out[offer] = {"shown": len(insts), "taken": None if small else n_taken}
    return out
