"""The insights document, computed in the database and k-suppressed.

Public entry point for the JSON API, the CLI, the export and the console::

    cohort_insights(engine, provider, filters=Filters(), k=10) -> dict

*provider* is the caller's provider (None: all, for the admin CLI);
*filters* a :class:`~homecare.collector.queries.filters.Filters`; *k* is
raised to :data:`MIN_K`. Suppressed counts are ``None``. Keys: ``k``,
``filters``, ``installations``, ``uploads``, ``findings_by_cohort`` (per
dimension: ``cohorts`` [value, installations, findings{code: n},
top_findings] and ``totals``), ``speeds_vs_plan`` (by plan tier),
``speeds_by`` (per dimension), ``findings_by_week``, ``hour_of_day``,
``device_mix``, ``feedback_by_finding``, ``offers``.

Suppression: a count is shown only when its cell holds at least k distinct
installations *and* k distinct sender networks (the sybil defence: invented
installations sent from one network add one network); complementary
suppression (:mod:`homecare.collector.suppression`) then hides what could
be recovered by subtraction from a shown total.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import partial
from typing import Any

from sqlalchemy import Engine

from homecare.collector.queries import rolled, sql
from homecare.collector.queries.filters import Filters
from homecare.collector.queries.runner import run_sections
from homecare.collector.suppression import suppress_counts, suppress_table

MIN_K = 10
UNKNOWN = "unknown"
#: the dimensions of ``findings_by_cohort`` and ``speeds_by``
DIMENSIONS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")
TREND_CODES = 5


def _label(value: Any) -> str:
    return UNKNOWN if value is None else str(value)


def _round(value: Any, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def cohort_insights(
    engine: Engine,
    provider: str | None,
    filters: Filters | None = None,
    k: int = MIN_K,
    parallel: int = 4,
    rollups: bool | None = None,
) -> dict[str, Any]:
    """The k-anonymous insights document for *provider*'s uploads matching
    *filters*; *parallel* connections on PostgreSQL (see :mod:`.runner`).

    *rollups*: read the roll-up tables (:mod:`homecare.collector.rollups`);
    None picks them for one provider's unfiltered document, the only one they
    can answer (they keep no dates, and the per-provider key keeps an
    installation's mean speeds per provider). Both paths give one document."""
    filters = filters or Filters()
    k = max(int(k), MIN_K)
    can_roll = provider is not None and not filters.as_dict()
    if rollups and not can_roll:
        raise ValueError("the roll-ups answer only one provider's unfiltered document")
    if can_roll if rollups is None else rollups:
        assert provider is not None
        found = rolled.assemble(run_sections(engine, rolled.sections(provider), parallel))
    else:
        raw = {
            name: partial(fn, filters=filters, provider=provider)
            for name, fn in sql.SECTIONS.items()
        }
        found = run_sections(engine, raw, parallel)
    sizes, medians = found["sizes_and_medians"]
    cells = found["finding_cells"]
    week_sizes, week_cells = found["weekly"]
    hour_rows, device_rows = found["hours"], found["devices"]
    feedback_rows, offer_rows = found["feedback"], found["offers"]
    overall = next((r for r in sizes if r[0] == "*"), ("*", None, 0, 0, 0))
    everyone_ok = min(int(overall[2]), int(overall[3])) >= k
    by_dim: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for dim, value, i, n, _u in sizes:
        if dim != "*":
            by_dim[dim][_label(value)] = (int(i), int(n))
    return {
        "k": k,
        "filters": filters.as_dict(),
        "installations": int(overall[2]) if everyone_ok else None,
        "uploads": int(overall[4] or 0) if everyone_ok else None,
        "findings_by_cohort": _findings_by_cohort(by_dim, cells, k),
        "speeds_vs_plan": _speeds(by_dim, medians, k).get("plan_tier", []),
        "speeds_by": _speeds(by_dim, medians, k),
        "findings_by_week": _weekly(week_sizes, week_cells, k),
        "hour_of_day": _hours(hour_rows, k),
        "device_mix": _devices(device_rows, k),
        "feedback_by_finding": _feedback(feedback_rows, k),
        "offers": _offers(offer_rows, k),
    }


def _findings_by_cohort(
    by_dim: dict[str, dict[str, tuple[int, int]]], cells: list[sql.Row], k: int
) -> dict[str, Any]:
    totals: dict[str, tuple[int, int]] = {}
    per_dim: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    for dim, value, code, i, n in cells:
        if dim == "*":
            totals[str(code)] = (int(i), int(n))
        else:
            per_dim[dim][(_label(value), str(code))] = (int(i), int(n))
    codes = sorted(totals)
    out = {}
    for dim in DIMENSIONS:
        members = by_dim.get(dim, {})
        sizes = {v: i for v, (i, _n) in members.items()}
        hidden_rows = suppress_counts(sizes, k, {v: min(i, n) for v, (i, n) in members.items()})
        counts = {cell: i for cell, (i, _n) in per_dim[dim].items()}
        support = {cell: min(i, n) for cell, (i, n) in per_dim[dim].items()}
        hidden = suppress_table(counts, k, list(sizes), codes, hidden_rows, support)
        cohorts = []
        for value in sorted(sizes, key=lambda v: (-sizes[v], v)):
            findings = {
                code: None if (value, code) in hidden.cells else counts.get((value, code), 0)
                for code in codes
            }
            shown = sorted(
                ((c, m) for c, m in findings.items() if m), key=lambda t: (-(t[1] or 0), t[0])
            )
            cohorts.append(
                {
                    "value": value,
                    "installations": None if value in hidden_rows else sizes[value],
                    "findings": findings,
                    "top_findings": [c for c, _ in shown[:5]],
                }
            )
        out[dim] = {
            "cohorts": cohorts,
            "totals": {
                code: None
                if code in hidden.col_totals or min(totals[code]) < k
                else totals[code][0]
                for code in codes
            },
        }
    return out


def _speeds(
    by_dim: dict[str, dict[str, tuple[int, int]]], medians: list[sql.Row], k: int
) -> dict[str, list[dict[str, Any]]]:
    """Medians only for cohorts of at least k (a median is not a count, so a
    cohort's median reveals nothing about a hidden neighbour). The cohort's
    installations are a count, though: hidden (None) where the cohort table
    hides them too, or the shown total minus the shown cohorts would give a
    cohort below k away."""
    found: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for dim, value, metric, median in medians:
        found[(dim, _label(value))][metric] = median
    out: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        key = "plan_tier" if dim == "plan_tier" else "value"
        members = by_dim.get(dim, {})
        sizes = {v: i for v, (i, _n) in members.items()}
        hidden = suppress_counts(sizes, k, {v: min(i, n) for v, (i, n) in members.items()})
        rows = []
        for value, (i, n) in sorted(members.items()):
            m = found.get((dim, value), {})
            if min(i, n) < k or m.get("d") is None:
                continue
            rows.append(
                {
                    key: value,
                    "installations": None if value in hidden else i,
                    "median_down_mbps": _round(m.get("d")),
                    "median_up_mbps": _round(m.get("up")),
                    "median_down_pct_of_plan": _round(m.get("pct")),
                }
            )
        out[dim] = rows
    return out


def _weekly(sizes: list[sql.Row], cells: list[sql.Row], k: int) -> dict[str, Any]:
    week_size = {str(w): int(i) for w, i, _n in sizes}
    week_support = {str(w): min(int(i), int(n)) for w, i, n in sizes}
    counts = {(str(w), str(c)): int(i) for w, c, i, _n in cells}
    support = {(str(w), str(c)): min(int(i), int(n)) for w, c, i, n in cells}
    overall: dict[str, int] = defaultdict(int)
    for (_w, code), n in support.items():
        overall[code] += n
    top = sorted(overall, key=lambda c: (-overall[c], c))[:TREND_CODES]
    hidden_weeks = suppress_counts(week_size, k, week_support)
    hidden = suppress_table(counts, k, sorted(week_size), top, hidden_weeks, support)
    return {
        "codes": top,
        "weeks": [
            {
                "week": week,
                "installations": None if week in hidden_weeks else week_size[week],
                "findings": {
                    c: None if (week, c) in hidden.cells else counts.get((week, c), 0) for c in top
                },
            }
            for week in sorted(week_size)
        ],
    }


def _hours(rows: list[sql.Row], k: int) -> list[dict[str, Any]]:
    sizes = {str(h): int(i) for h, i, _n in rows}
    hidden = suppress_counts(sizes, k, {str(h): min(int(i), int(n)) for h, i, n in rows})
    return [
        {"hour": int(h), "installations": None if h in hidden else sizes[h]}
        for h in sorted(sizes, key=int)
    ]


def _devices(rows: list[sql.Row], k: int) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for kind, name in (("kind", "by_kind"), ("vendor", "by_vendor")):
        sizes = {_label(v): int(i) for d, v, i, _n in rows if d == kind}
        support = {_label(v): min(int(i), int(n)) for d, v, i, n in rows if d == kind}
        hidden = suppress_counts(sizes, k, support)
        out[name] = {v: None if v in hidden else n for v, n in sorted(sizes.items())}
    return out


def _feedback(rows: list[sql.Row], k: int) -> dict[str, Any]:
    return {
        str(code): {"installations": int(i), "mean_score": _round(mean, 2)}
        for code, i, n, mean in sorted(rows, key=lambda r: str(r[0]))
        if min(int(i), int(n)) >= k
    }


def _offers(rows: list[sql.Row], k: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for offer, si, sn, ti, tn in sorted(rows, key=lambda r: str(r[0])):
        if min(int(si), int(sn)) < k:
            continue
        not_taken = int(si) - int(ti)
        # "taken" and "not taken" add up to "shown": hide both halves if either is small
        small = (int(ti) > 0 and min(int(ti), int(tn)) < k) or 0 < not_taken < k
        out[str(offer)] = {"shown": int(si), "taken": None if small else int(ti)}
    return out
